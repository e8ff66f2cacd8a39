"""Case indicators equal the hand-built cases (``case_seed``), last year's figures are the same
days a year earlier, another tenant's cases never count, and every linked figure links to a
case list holding exactly the cases it counts."""

from __future__ import annotations

from decimal import Decimal
from statistics import median
from typing import Any

from reports.indicators.base import IndicatorTable
from tests.factories import TENANT_B, in_tenant, make_tenant
from tests.reports.case_seed import add_case, cases_behind, seed_cases


async def _program(tenant: Any, program: Any, period: str, village: Any = None) -> dict[str, Any]:
    from reports import indicators
    from reports.periods import parse_period

    async with in_tenant(tenant, writes=False) as ctx:
        tables = await indicators.program_tables(ctx, program, parse_period(period), village)
    return {t.key: t for t in tables}


async def _dashboard(tenant: Any, period: str, village: Any = None) -> dict[str, Any]:
    from reports import indicators
    from reports.periods import parse_period

    async with in_tenant(tenant, writes=False) as ctx:
        tables = await indicators.tenant_tables(ctx, parse_period(period), village)
    return {t.key: t for t in tables}


def _figures(table: IndicatorTable) -> dict[str, list[tuple[Any, Any]]]:
    return {str(row[0].value): [(c.value, c.previous) for c in row[1:]] for row in table.rows}


def _summary(table: IndicatorTable) -> dict[str, tuple[Any, Any]]:
    return {label: cells[0] for label, cells in _figures(table).items()}


async def test_program_summary_equals_the_cases_and_last_year(tenant_a: Any) -> None:
    seeded = await seed_cases(tenant_a)
    tables = await _program(tenant_a, seeded.studio.studio, "2025")
    assert list(tables)[:4] == [
        "cases.summary", "cases.by_category", "cases.by_source", "cases.by_village",
    ]  # fmt: skip
    assert "activities.by_kind" in tables  # the studio's activity tables follow
    summary = _summary(tables["cases.summary"])
    assert summary["受理案件"] == (5, 3)
    assert summary["办结案件"] == (5, 2)
    assert summary["调解成功"] == (3, 1)
    assert summary["其中部分达成"] == (1, 0)
    assert summary["调解成功率"] == (60.0, 50.0)
    assert summary["办结用时（中位数）"] == (16.0, 20.5)
    assert summary["协议金额"] == (Decimal("6200.75"), Decimal("300.00"))
    assert str(summary["协议金额"][0]) == "6200.75"  # exact yuan, two decimals
    assert summary["履行期限届满的协议案件"] == (2, 1)
    assert summary["其中全部履行"] == (1, 0)
    assert summary["履行率"] == (50.0, 0.0)
    assert summary["申请司法确认"] == (3, 1)
    assert summary["司法确认有效"] == (1, 1)
    assert summary["不予确认"] == (1, 0)
    assert summary["超期未结（当前）"] == (1, None)


async def test_by_category_source_and_village(tenant_a: Any) -> None:
    seeded = await seed_cases(tenant_a)
    tables = await _program(tenant_a, seeded.studio.studio, "2025")
    # accepted, closed, settled, rate, amount, overdue
    by_category = _figures(tables["cases.by_category"])
    assert list(by_category) == ["邻里", "合同", "山林土地"]  # most accepted first
    assert by_category["邻里"] == [
        (3, 1), (3, 1), (2, 1), (66.7, 100.0), (Decimal("1200.75"), Decimal("300.00")), (0, None)
    ]  # fmt: skip
    assert by_category["合同"][0] == (2, 1)
    assert by_category["合同"][5] == (1, None)
    assert by_category["山林土地"][:3] == [(0, 1), (1, 0), (1, 0)]
    by_source = _figures(tables["cases.by_source"])
    assert list(by_source) == [
        "当事人申请", "主动排查（网格）", "法院委派（诉前调解）", "12345 热线", "群众随手拍",
        "部门移交",
    ]  # fmt: skip
    assert by_source["法院委派（诉前调解）"][:3] == [(1, 1), (1, 1), (1, 0)]
    assert by_source["群众随手拍"][0] == (0, 0)
    by_village = _figures(tables["cases.by_village"])
    assert by_village["宝山村"][:3] == [(3, 1), (3, 1), (2, 1)]
    assert by_village["郭家店村"][:3] == [(2, 1), (1, 1), (0, 0)]
    assert set(by_village) == {"宝山村", "郭家店村"}  # #5 has no village
    only = await _program(tenant_a, seeded.studio.studio, "2025", seeded.studio.guojia)
    summary = _summary(only["cases.summary"])
    assert summary["受理案件"] == (2, 1)
    assert summary["办结案件"] == (1, 1)
    assert summary["超期未结（当前）"] == (1, None)
    assert set(_figures(only["cases.by_village"])) == {"郭家店村"}


async def test_dashboard_counts_every_case_of_the_tenant(tenant_a: Any) -> None:
    seeded = await seed_cases(tenant_a)
    tables = await _dashboard(tenant_a, "2025")
    summary = _summary(tables["cases.summary"])
    assert summary["受理案件"] == (7, 4)  # the studio's 5, the shared court's and #10
    assert summary["调解成功"] == (4, 2)
    assert summary["协议金额"] == (Decimal("6299.75"), Decimal("350.00"))
    # #11 applied in 2024 and was confirmed in 2025: each counted in its own year
    assert summary["申请司法确认"] == (3, 2)
    assert summary["司法确认有效"] == (2, 1)
    assert summary["不予确认"] == (1, 0)
    by_program = _figures(tables["cases.by_program"])
    assert by_program["金玉米调解工作室（调解工作室）"][0] == (5, 3)
    assert by_program["共享法庭（共享法庭）"][:3] == [(1, 1), (1, 1), (1, 1)]
    assert len(by_program) == 2  # #10 belongs to no program
    program_row = next(r for r in tables["cases.by_program"].rows if "金玉米" in str(r[0].value))
    assert program_row[0].link == f"/t/lishu/programs/{seeded.studio.studio.id}?period=2025"
    village = _summary((await _dashboard(tenant_a, "2025", seeded.studio.baoshan))["cases.summary"])
    assert village["受理案件"] == (4, 1)
    keys = list(tables)
    assert keys.index("activities.headline_records") < keys.index("cases.summary")


async def test_another_tenants_cases_never_count(tenant_a: Any) -> None:
    """Tenant B's figures are B's own, although A has more cases on the same days."""
    seeded_a = await seed_cases(tenant_a)
    tenant_b = await make_tenant(TENANT_B)
    seeded_b = await seed_cases(tenant_b, "220302")
    from datetime import date

    async with in_tenant(tenant_a) as ctx:
        for seq in range(20, 25):
            await add_case(
                ctx, seq, "neighbour", "application", date(2025, 7, 1),
                area=seeded_a.studio.baoshan, program=seeded_a.studio.studio.id,
                status="settled", closed_on=date(2025, 7, 2), amount="1000",
            )  # fmt: skip
    dashboard = _summary((await _dashboard(tenant_b, "2025"))["cases.summary"])
    assert dashboard["受理案件"] == (7, 4)
    assert dashboard["协议金额"] == (Decimal("6299.75"), Decimal("350.00"))
    program = _summary((await _program(tenant_b, seeded_b.studio.studio, "2025"))["cases.summary"])
    assert program["受理案件"] == (5, 3)
    assert program["申请司法确认"] == (3, 1)
    # A's village as B's filter counts nothing of A's
    foreign = await _program(tenant_b, seeded_b.studio.studio, "2025", seeded_a.studio.baoshan)
    assert _summary(foreign["cases.summary"])["受理案件"] == (0, 0)
    assert _summary((await _dashboard(tenant_a, "2025"))["cases.summary"])["受理案件"] == (12, 4)


async def test_a_tenant_without_cases_shows_no_case_tables(tenant_a: Any) -> None:
    from tests.reports.seed import seed_studio

    await seed_studio(tenant_a)
    assert not [key for key in await _dashboard(tenant_a, "2025") if key.startswith("cases.")]


async def _amounts_and_days(tenant: Any, ids: list[Any]) -> tuple[Decimal, list[int]]:
    from mediation.tables import MediationCase as C
    from wusong.core.scoped import scoped

    async with in_tenant(tenant, writes=False) as ctx:
        rows = (
            await scoped(ctx, C)
            .select(C.amount_agreed, C.accepted_on, C.closed_on)
            .where(C.id.is_in(ids or [ctx.tenant_id]))
        )
    amount = sum((Decimal(str(r["amount_agreed"] or 0)) for r in rows), Decimal("0"))
    return amount, [(r["closed_on"] - r["accepted_on"]).days for r in rows]


async def _check_links(tenant: Any, tables: dict[str, IndicatorTable]) -> int:
    """Every linked figure equals what its case list holds; returns how many were checked."""
    checked = 0
    for table in tables.values():
        if not table.key.startswith("cases."):
            continue
        for row in table.rows:
            for cell in row[1:]:
                if cell.link is None or not isinstance(cell.value, int | float | Decimal):
                    continue
                ids = await cases_behind(tenant, cell.link)
                if cell.unit == "件":
                    assert len(ids) == cell.value, (table.key, row[0].value, cell.link)
                elif cell.unit == "元":
                    assert (await _amounts_and_days(tenant, ids))[0] == cell.value, cell.link
                elif cell.unit == "天":
                    assert median((await _amounts_and_days(tenant, ids))[1]) == cell.value
                checked += 1
    return checked


async def test_every_linked_figure_is_exactly_its_cases(tenant_a: Any) -> None:
    seeded = await seed_cases(tenant_a)
    tenant_b = await make_tenant(TENANT_B)
    await seed_cases(tenant_b, "220302")  # the same cases in B: never in A's lists
    studio = seeded.studio.studio
    for period, village in (("2025", None), ("2025-Q1", None), ("2025", seeded.studio.baoshan)):
        assert await _check_links(tenant_a, await _program(tenant_a, studio, period, village)) > 40
    assert await _check_links(tenant_a, await _dashboard(tenant_a, "2025")) > 50


async def test_last_years_figures_are_what_the_links_count_a_year_earlier(tenant_a: Any) -> None:
    from reports.indicators.cases import AGREED_FILTER, Links, Scope
    from reports.periods import parse_period

    seeded = await seed_cases(tenant_a)
    studio = seeded.studio.studio
    summary = _summary((await _program(tenant_a, studio, "2025"))["cases.summary"])
    async with in_tenant(tenant_a, writes=False) as ctx:
        links = Links(ctx, Scope(studio.id, None), parse_period("2025").previous_year())
    assert len(await cases_behind(tenant_a, links.accepted())) == summary["受理案件"][1]
    assert len(await cases_behind(tenant_a, links.closed())) == summary["办结案件"][1]
    settled = await cases_behind(tenant_a, links.closed(status=AGREED_FILTER))
    assert len(settled) == summary["调解成功"][1]
    assert (await _amounts_and_days(tenant_a, settled))[0] == summary["协议金额"][1]


async def test_a_program_kind_without_cases_has_no_case_tables(tenant_a: Any) -> None:
    from tests.programs.factories import make_program

    program = await make_program(tenant_a, "red_property", "红色物业")
    assert not [k for k in await _program(tenant_a, program, "2025") if k.startswith("cases.")]


async def test_pages_exports_and_api_show_the_case_tables(
    browser: Any, client: Any, admin_a: Any
) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    from tests.factories import make_token

    seeded = await seed_cases(admin_a.tenant)
    studio = seeded.studio.studio
    await browser.login(admin_a.username)
    page = await browser.get(f"/t/lishu/programs/{studio.id}?period=2025")
    assert page.status_code == 200
    for shown in ("调解案件", "按纠纷类型统计", "按案件来源统计", "6200.75", "上年 300.00"):
        assert shown in page.text, shown
    assert "closed_from=2025-01-01&amp;closed_to=2025-12-31" in page.text
    # the case list behind each count shows that many cases
    tables = await _program(admin_a.tenant, studio, "2025")
    followed = 0
    for row in tables["cases.summary"].rows + tables["cases.by_category"].rows:
        for cell in row[1:]:
            if cell.link and cell.unit == "件" and cell.value:
                listed = await browser.get(cell.link)
                assert listed.status_code == 200, cell.link
                assert f"共 {cell.value} 件" in listed.text, (row[0].value, cell.link)
                followed += 1
    assert followed > 10
    dashboard = await browser.get("/t/lishu/dashboard?period=2025")
    assert "各项目调解案件" in dashboard.text
    assert "6299.75" in dashboard.text

    as_csv = await browser.get(
        f"/t/lishu/programs/{studio.id}/export.csv?period=2025&table=cases.summary"
    )
    assert as_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == ["指标", "2025年", "2025年·上年同期", "2025年·同比（%）"]
    found = {row[0]: row[1:] for row in rows[1:]}
    assert found["协议金额"] == ["6200.75", "300.00", "1966.9"]
    assert found["受理案件"] == ["5", "3", "66.7"]
    as_xlsx = await browser.get("/t/lishu/dashboard/export.xlsx?period=2025")
    book = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    sheet = {r[0]: r[1:] for r in book["调解案件"].iter_rows(values_only=True)}
    assert sheet["协议金额"][:2] == (6299.75, 350)  # numbers in the sheet

    _, token = await make_token(admin_a)
    api = await client.get(
        f"/api/v1/t/lishu/programs/{studio.id}/indicators?period=2025",
        headers={"Authorization": f"Bearer {token}"},
    )
    summary = next(t for t in api.json()["tables"] if t["key"] == "cases.summary")
    amount = next(r for r in summary["rows"] if r[0]["value"] == "协议金额")[1]
    assert (amount["value"], amount["previous"], amount["unit"]) == ("6200.75", "300.00", "元")
    assert amount["link"].startswith("/t/lishu/cases?program_id=")
