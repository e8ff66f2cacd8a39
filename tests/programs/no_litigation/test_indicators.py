"""The no-litigation indicators: grouped figures with last year's value and a link to the
status page filtered to the villages they count."""

from __future__ import annotations

from datetime import date

import httpx

from tests.factories import Browser, in_tenant
from tests.programs.no_litigation.conftest import Setting, post_count


def _year(year: int):  # type: ignore[no-untyped-def]
    from reports.indicators.base import Period

    return Period(date(year, 1, 1), date(year + 1, 1, 1), f"{year}年", str(year))


async def test_program_and_tenant_tables(client: httpx.AsyncClient, nolit: Setting) -> None:
    from programs import repo as programs_repo
    from reports.indicators import no_litigation

    for village, lawsuits in (("霍家店村", 0), ("八里庙村", 0), ("郭家店村", 0)):
        assert (await post_count(client, nolit, village, "2022", lawsuits)).status_code == 201
    for village, lawsuits in (("霍家店村", 2), ("八里庙村", 0)):
        assert (await post_count(client, nolit, village, "2023", lawsuits)).status_code == 201
    async with in_tenant(nolit.tenant, writes=False) as ctx:
        program = await programs_repo.get_program(ctx, nolit.program_id)
        summary, villages = await no_litigation.program_tables(ctx, program, _year(2023))
        dashboard = await no_litigation.tenant_tables(ctx, _year(2023))
    figures = {row[0].value: row[1] for row in summary.rows}
    assert (figures["达标村（社区）"].value, figures["达标村（社区）"].previous) == (1, 3)
    assert figures["达标比例"].value == 33.3
    assert figures["达标比例"].previous == 100.0
    assert (figures["新增诉讼案件"].value, figures["新增诉讼案件"].previous) == (2, 0)
    assert figures["万人成讼率"].value == 5.71  # 2 lawsuits in 3,500 counted residents
    assert (figures["未录入"].value, figures["未录入"].previous) == (1, 0)
    met_link = figures["达标村（社区）"].link
    assert (
        met_link
        == f"/t/lishu/programs/{nolit.program_id}/no-litigation/status?period=2023&status=met"
    )
    huo = next(r for r in villages.rows if r[0].value == "霍家店村")
    assert (huo[2].value, huo[2].previous) == (2, 0)
    assert huo[5].value.startswith("未达标")
    assert f"village={nolit.villages['霍家店村']}" in (huo[0].link or "")
    assert [r[1].value for r in dashboard[0].rows] == ["霍家店村", "八里庙村", "郭家店村"]

    # The link shows exactly the villages the figure counts.
    browser = Browser(client)
    await browser.login("admin-a")
    page = await browser.get(met_link)
    assert page.status_code == 200
    assert "八里庙村" in page.text
    assert "霍家店村</strong>" not in page.text


async def test_status_page_filters_and_form_errors(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    browser = Browser(client)
    await browser.login("admin-a")
    empty = await browser.get(nolit.page("/status?period=2021"))
    assert empty.status_code == 200
    assert "未录入" in empty.text
    bad = await browser.post(
        nolit.page("/counts/new"),
        {"village_id": str(nolit.villages["霍家店村"]), "period": "2021", "lawsuits": "-3"},
    )
    assert bad.status_code == 422
    assert 'href="#f-lawsuits"' in bad.text
    ok = await browser.post(
        nolit.page("/counts/new"),
        {"village_id": str(nolit.villages["霍家店村"]), "period": "２０２１", "lawsuits": "０"},
    )
    assert ok.status_code == 200
    assert "已录入霍家店村 2021 的统计：达标" in ok.text
    shown = await browser.get(
        nolit.page(f"/status?period=2021&village={nolit.villages['霍家店村']}")
    )
    assert "达标" in shown.text
    assert "八里庙村" not in shown.text.split("<tbody>")[1]
    rubric = await browser.post(
        nolit.page("/rubric"),
        {"granularity": "year", "use_rate": "true", "max_rate_per_10k": "1.234", "version": "2"},
    )
    assert rubric.status_code == 422
    assert 'href="#f-max_rate_per_10k"' in rubric.text
    saved = await browser.post(
        nolit.page("/rubric"),
        {"granularity": "quarter", "use_lawsuits": "true", "max_lawsuits": "0", "version": "2"},
    )
    assert saved.status_code == 200
    page = saved
    assert "第 3 版" in page.text
    assert "按季度" in page.text
