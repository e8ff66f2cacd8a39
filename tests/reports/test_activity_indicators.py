"""Activity indicators equal the seeded records, last year's figures are the same days a year
earlier, and every figure links to a list holding exactly the records it counts."""

from __future__ import annotations

from typing import Any

from reports.indicators.base import IndicatorTable
from tests.factories import TENANT_B, in_tenant, make_tenant
from tests.reports.seed import Seeded, add_activity, count_behind, seed_studio


async def _tables(tenant: Any, program: Any, period: str, village: Any = None) -> dict[str, Any]:
    from reports import indicators
    from reports.periods import parse_period

    async with in_tenant(tenant, writes=False) as ctx:
        tables = await indicators.program_tables(ctx, program, parse_period(period), village)
    return {t.key: t for t in tables}


def _rows(table: IndicatorTable) -> dict[str, list[Any]]:
    return {str(row[0].value): row[1:] for row in table.rows}


def _figures(table: IndicatorTable) -> dict[str, list[tuple[Any, Any]]]:
    return {label: [(c.value, c.previous) for c in cells] for label, cells in _rows(table).items()}


async def test_by_kind_equals_the_records_and_last_year(tenant_a: Any) -> None:
    seeded = await seed_studio(tenant_a)
    tables = await _tables(tenant_a, seeded.studio, "2025")
    by_kind = _figures(tables["activities.by_kind"])
    assert by_kind["法律咨询"] == [(3, 1), (9, 2)]
    assert by_kind["判后答疑"] == [(2, 2), (5, 6)]
    assert by_kind["诉讼指导"] == [(1, 0), (1, 0)]
    assert by_kind["普法宣传"] == [(0, 0), (0, 0)]
    q1 = _figures((await _tables(tenant_a, seeded.studio, "2025-Q1"))["activities.by_kind"])
    assert q1["法律咨询"] == [(3, 1), (9, 2)]
    assert q1["诉讼指导"] == [(0, 0), (0, 0)]  # 31 December is outside the first quarter
    march = _figures((await _tables(tenant_a, seeded.studio, "2025-03"))["activities.by_kind"])
    assert march["判后答疑"] == [(2, 2), (5, 6)]
    assert march["法律咨询"] == [(1, 0), (3, 0)]


async def test_by_month_by_village_and_village_filter(tenant_a: Any) -> None:
    seeded = await seed_studio(tenant_a)
    tables = await _tables(tenant_a, seeded.studio, "2025")
    months = _figures(tables["activities.by_month"])
    assert len(months) == 12
    assert months["2025年1月"] == [(2, 1), (6, 2)]
    assert months["2025年3月"] == [(3, 2), (8, 6)]
    assert months["2025年12月"] == [(1, 0), (1, 0)]
    assert months["2025年6月"] == [(0, 0), (0, 0)]
    villages = _figures(tables["activities.by_village"])
    assert villages == {"宝山村": [(4, 1), (11, 2)], "郭家店村": [(1, 2), (3, 6)]}
    only = await _tables(tenant_a, seeded.studio, "2025", seeded.guojia)
    assert _figures(only["activities.by_kind"])["法律咨询"] == [(1, 0), (3, 0)]
    assert _figures(only["activities.by_kind"])["判后答疑"] == [(0, 2), (0, 6)]
    assert _figures(only["activities.by_village"]) == {"郭家店村": [(1, 2), (3, 6)]}


async def test_targets_progress(tenant_a: Any) -> None:
    from programs.tables import Program
    from wusong.core.scoped import scoped

    seeded = await seed_studio(tenant_a)
    async with in_tenant(tenant_a) as ctx:
        await (
            scoped(ctx, Program)
            .update({Program.targets: {"consultation": 18, "post_judgment_qa": 10}})
            .where(Program.id == seeded.studio.id)
        )
        from programs import repo

        studio = await repo.get_program(ctx, seeded.studio.id)
    table = (await _tables(tenant_a, studio, "2025"))["activities.targets"]
    rows = _rows(table)
    assert [c.value for c in rows["法律咨询（人次）"]] == [18, 9, 50.0]
    assert [c.value for c in rows["判后答疑（人次）"]] == [10, 5, 50.0]
    assert await count_behind(tenant_a, rows["法律咨询（人次）"][1].link) == (3, 9)


async def test_every_figure_links_to_exactly_its_records(tenant_a: Any) -> None:
    seeded = await seed_studio(tenant_a)
    for period, village in (("2025", None), ("2025-Q1", None), ("2025", seeded.baoshan)):
        tables = await _tables(tenant_a, seeded.studio, period, village)
        checked = 0
        for table in tables.values():
            if table.key == "activities.targets" or not table.key.startswith("activities."):
                continue  # targets have no people column; case tables: test_case_indicators
            for row in table.rows:
                records, people = row[1], row[2]
                assert records.link == people.link
                assert records.link is not None
                assert f"/t/lishu/programs/{seeded.studio.id}/activities?" in records.link
                assert await count_behind(tenant_a, records.link) == (records.value, people.value)
                checked += 1
        assert checked >= 10


async def test_previous_figures_link_to_last_years_records(tenant_a: Any) -> None:
    """Last year's figure is what the same link, a year earlier, would count."""
    from reports.indicators.activities import records_link
    from reports.periods import parse_period

    seeded = await seed_studio(tenant_a)
    tables = await _tables(tenant_a, seeded.studio, "2025-Q1")
    previous = parse_period("2025-Q1").previous_year()
    async with in_tenant(tenant_a, writes=False) as ctx:
        link = records_link(ctx, seeded.studio.id, previous, kind="post_judgment_qa")
    row = _rows(tables["activities.by_kind"])["判后答疑"]
    assert await count_behind(tenant_a, link) == (row[0].previous, row[1].previous)


async def test_dashboard_activity_tables_per_program(tenant_a: Any) -> None:
    from reports import indicators
    from reports.periods import parse_period

    await seed_studio(tenant_a)
    async with in_tenant(tenant_a, writes=False) as ctx:
        tables = {t.key: t for t in await indicators.tenant_tables(ctx, parse_period("2025"), None)}
    records = _figures(tables["activities.headline_records"])
    assert records["金玉米调解工作室（调解工作室）"] == [(3, 1), (1, 0), (2, 2), (6, 3)]
    assert records["共享法庭（共享法庭）"] == [(1, 0), (0, 0), (0, 0), (1, 0)]
    people = _figures(tables["activities.headline_people"])
    assert people["金玉米调解工作室（调解工作室）"] == [(9, 2), (1, 0), (5, 6), (15, 8)]
    for table in (tables["activities.headline_records"], tables["activities.headline_people"]):
        for row in table.rows:
            for cell in row[1:]:
                found = await count_behind(tenant_a, cell.link)
                assert cell.value == found[0 if cell.unit == "次" else 1]
    programs = _figures(tables["programs.by_kind_status"])
    assert programs["调解工作室"] == [(0, None), (1, None), (0, None), (1, None)]
    assert programs["无讼村（社区）"] == [(0, None)] * 4


async def test_another_tenants_records_never_count(tenant_a: Any) -> None:
    """Tenant B's dashboard and program pages count B's records only, even on the same days."""
    from reports import indicators
    from reports.periods import parse_period

    seeded_a = await seed_studio(tenant_a)
    tenant_b = await make_tenant(TENANT_B)
    seeded_b: Seeded = await seed_studio(tenant_b, "220302")
    await add_activity(tenant_a, seeded_a.studio.id, "consultation", seeded_a_day(), 100, None)
    async with in_tenant(tenant_b, writes=False) as ctx:
        tables = {t.key: t for t in await indicators.tenant_tables(ctx, parse_period("2025"), None)}
    records = _figures(tables["activities.headline_records"])
    assert records["金玉米调解工作室（调解工作室）"] == [(3, 1), (1, 0), (2, 2), (6, 3)]
    assert _figures(tables["programs.by_kind_status"])["调解工作室"][1] == (1, None)
    by_kind = _figures((await _tables(tenant_b, seeded_b.studio, "2025"))["activities.by_kind"])
    assert by_kind["法律咨询"] == [(3, 1), (9, 2)]
    # and tenant A's village, used as B's filter, counts nothing of A's
    foreign = await _tables(tenant_b, seeded_b.studio, "2025", seeded_a.baoshan)
    assert _figures(foreign["activities.by_kind"])["法律咨询"] == [(0, 0), (0, 0)]


def seeded_a_day() -> Any:
    from datetime import date

    return date(2025, 6, 1)
