"""Village rules indicators: declarations and the share within the rules by occasion and by
village, year on year, each figure linking to the list of the records it counts."""

from __future__ import annotations

from datetime import date

import httpx

from tests.factories import Browser, in_tenant, make_area, make_member, make_tenant
from tests.programs.factories import make_program
from tests.programs.village_rules.rules import published_rules


async def test_figures_count_the_listed_declarations(client: httpx.AsyncClient) -> None:
    from programs.village_rules import services
    from programs.village_rules.schemas import DeclarationCreate
    from reports.indicators import village_rules as indicators
    from reports.indicators.base import Period

    tenant = await make_tenant()
    await make_member(tenant, "admin-a", "admin")
    town = await make_area(tenant, "township", "茂林镇", "220322101000")
    village = (await make_area(tenant, "village", "宝山村", "220322101201", town.id)).id
    program = await make_program(tenant, "village_rules", "移风易俗", area_ids=[town.id])
    banquets = [
        (date(2024, 5, 1), "婚嫁", "300"),
        (date(2024, 6, 1), "丧葬", "350"),
        (date(2025, 3, 1), "婚嫁", "280"),
        (date(2025, 4, 1), "婚嫁", "380"),
        (date(2025, 5, 1), "升学", "300"),
        (date(2025, 6, 1), "丧葬", "200"),
    ]
    async with in_tenant(tenant) as ctx:
        await published_rules(ctx, program.id, village, effective_from=date(2024, 1, 1))
        for day, occasion, yuan in banquets:
            await services.declare_banquet(
                ctx, program.id, DeclarationCreate(village, "张三华", occasion, day, 8, yuan)
            )
    period = Period(date(2025, 1, 1), date(2026, 1, 1), "2025年", "2025")
    async with in_tenant(tenant, writes=False) as ctx:
        tables = {t.key: t for t in await indicators.program_tables(ctx, program, period)}
        dashboard = await indicators.tenant_tables(ctx, period)
    summary = tables["village_rules_declarations"].rows
    declared, within, flagged, share = (row[1] for row in summary)
    assert (declared.value, declared.previous) == (4, 2)
    assert (within.value, within.previous) == (3, 1)
    assert (flagged.value, share.value, share.previous) == (1, 75.0, 50.0)
    by_occasion = {row[0].value: row for row in tables["village_rules_by_occasion"].rows}
    assert (by_occasion["婚嫁"][1].value, by_occasion["婚嫁"][2].value) == (2, 1)
    assert by_occasion["丧葬"][1].previous == 1
    assert tables["village_rules_rule_sets"].rows[1][1].value == 1
    assert [row[1].value for row in dashboard[0].rows] == [4]

    browser = Browser(client)
    await browser.login("admin-a")
    flagged_list = await browser.get(flagged.link)
    assert flagged_list.status_code == 200
    assert flagged_list.text.count('class="vr-flagged"') == 1
    assert "第二条：每桌不超过300元（申报380元）" in flagged_list.text
    wedding = await browser.get(by_occasion["婚嫁"][1].link)
    assert wedding.text.count("<tr class=") == 2
