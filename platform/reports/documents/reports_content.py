"""What a program report and a county report say: the indicators of ``reports.indicators`` for
a period (each figure with the same days a year earlier and the change), and charts drawn as
SVG from the same figures (``reports.documents.charts``), as plain data for
``templates/pdf/program.html`` and ``templates/pdf/tenant.html``.

The figures are exactly the pages' (the same functions, the same periods of
``reports.periods``); links to the records are dropped (a printed page cannot follow them).
Aggregates only: no party is named.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from programs import repo as programs_repo
from programs.kinds import KIND_LABELS, PROGRAM_STATUSES, ProgramKind
from reports import indicators
from reports.documents.charts import NOW_COLOUR, THEN_COLOUR, Series, bar_chart, column_chart
from reports.documents.content import Content
from reports.indicators import cases
from reports.indicators.base import Cell, IndicatorTable, Period
from reports.periods import of_days
from reports.repo import covered_areas
from wusong.core.tenancy import TenantContext

PROGRAM_TEMPLATE = "pdf/program.html"
TENANT_TEMPLATE = "pdf/tenant.html"
CHART_ROWS = 12  # groups a bar chart shows (the largest); the table lists them all


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def span_text(period: Period) -> str:
    """2026年1月1日至2026年3月31日"""
    return f"{cn_date(period.start)}至{cn_date(period.last_day)}"


# ---- figures as text ---------------------------------------------------------------------------


def figure_text(value: Any) -> str:
    """A figure as the report prints it: — for none, one decimal for a rate or median, two for
    yuan (exact Decimal), whole numbers as they are."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def change_text(cell: Cell) -> str:
    """Year-on-year: a share's change in percentage points, any other figure's in per cent;
    — when last year had nothing to compare with."""
    if not isinstance(cell.value, int | float | Decimal) or isinstance(cell.value, bool):
        return ""
    if cell.previous is None:
        return ""
    if cell.unit == "%":
        points = float(cell.value) - float(cell.previous)
        if abs(points) < 0.05:
            return "持平"
        return f"{'▲' if points > 0 else '▼'}{abs(points):.1f}个百分点"
    change = cell.change
    if change is None:
        return "—"
    if abs(change) < 0.05:
        return "持平"
    return f"{'▲' if change > 0 else '▼'}{abs(change):.1f}%"


def plain_cell(cell: Cell, with_unit: bool) -> dict[str, Any]:
    numeric = isinstance(cell.value, int | float | Decimal) and not isinstance(cell.value, bool)
    unit = cell.unit if (with_unit or cell.unit == "%") and cell.value is not None else ""
    return {
        "text": figure_text(cell.value) + unit,
        "numeric": numeric or cell.value is None,
        "previous": (
            figure_text(cell.previous) + (cell.unit if with_unit or cell.unit == "%" else "")
            if cell.previous is not None
            else ""
        ),
        "change": change_text(cell),
        "down": change_text(cell).startswith("▼"),
    }


def plain_table(table: IndicatorTable) -> dict[str, Any]:
    """A table for the template: its title, columns, rows of cell texts and note."""
    narrow = len(table.columns) <= 3
    return {
        "key": table.key,
        "title": table.title,
        "columns": list(table.columns),
        "rows": [[plain_cell(cell, narrow) for cell in row] for row in table.rows],
        "note": table.note,
        "wide": len(table.columns) > 5,
        "yoy": any(cell.previous is not None for row in table.rows for cell in row),
    }


# ---- charts ---------------------------------------------------------------------------------


def _numbers(table: IndicatorTable, column: int) -> list[tuple[str, float, float]]:
    found = []
    for row in table.rows:
        cell = row[column]
        now = float(cell.value) if isinstance(cell.value, int | float | Decimal) else 0.0
        then = float(cell.previous) if isinstance(cell.previous, int | float | Decimal) else 0.0
        label = str(row[0].value).split("（")[0] or str(row[0].value)  # the name, not its type
        found.append((label, now, then))
    return found


def grouped_chart(title: str, table: IndicatorTable, column: int, period: Period) -> dict[str, Any]:
    """Bars of one column of a table (the largest groups), this period beside last year."""
    rows = sorted(_numbers(table, column), key=lambda r: (-r[1], -r[2]))[:CHART_ROWS]
    series = [
        Series(f"本期（{period.label}）", [r[1] for r in rows], NOW_COLOUR),
        Series("上年同期", [r[2] for r in rows], THEN_COLOUR),
    ]
    shown = f"（前 {CHART_ROWS} 项）" if len(table.rows) > CHART_ROWS else ""
    return {
        "title": f"{title}{shown}",
        "svg": bar_chart(title, [r[0] for r in rows], series, ""),
        "labels": [r[0] for r in rows],
    }


def monthly_chart(title: str, months: list[cases.Month], period: Period) -> dict[str, Any]:
    labels = [f"{int(m.key[5:])}月" for m in months]
    if len({m.key[:4] for m in months}) > 1:  # a period across years names the year too
        labels = [f"{m.key[2:4]}.{int(m.key[5:])}" for m in months]
    series = [
        Series(f"本期受理（{period.label}）", [m.now[0] for m in months], NOW_COLOUR),
        Series("上年同期受理", [m.then[0] for m in months], THEN_COLOUR),
    ]
    return {"title": title, "svg": column_chart(title, labels, series), "labels": labels}


def monthly_table(months: list[cases.Month]) -> dict[str, Any]:
    table = IndicatorTable(
        "cases.by_month", "按月统计（调解案件）", ["月份", "受理", "办结", "调解成功"]
    )
    for m in months:
        table.rows.append(
            [Cell(m.label), *(Cell(m.now[i], m.then[i], unit="件") for i in range(3))]
        )
    return plain_table(table)


def _case_charts(
    by_key: dict[str, IndicatorTable], months: list[cases.Month], period: Period
) -> list[dict[str, Any]]:
    charts = []
    if months and any(m.now[0] or m.then[0] for m in months):
        charts.append(monthly_chart("各月受理调解案件（件）", months, period))
    if (table := by_key.get("cases.by_program")) is not None and table.rows:
        charts.append(grouped_chart("各项目受理调解案件（件）", table, 1, period))
    if (table := by_key.get("cases.by_category")) is not None and table.rows:
        charts.append(grouped_chart("按纠纷类型受理调解案件（件）", table, 1, period))
    if (table := by_key.get("cases.by_village")) is not None and table.rows:
        charts.append(grouped_chart("按村/社区受理调解案件（件）", table, 1, period))
    return charts


def _highlights(by_key: dict[str, IndicatorTable]) -> list[dict[str, Any]]:
    """The summary's first figures, for the report's opening paragraph."""
    summary = by_key.get("cases.summary")
    if summary is None:
        return []
    wanted = ("受理案件", "办结案件", "调解成功", "调解成功率", "协议金额")
    found = []
    for row in summary.rows:
        label = str(row[0].value)
        if label in wanted:
            found.append({"label": label, **plain_cell(row[1], True)})
    return found


def _period_context(period: Period) -> dict[str, Any]:
    before = period.previous_year()
    return {
        "label": period.label,
        "text": span_text(period),
        "previous_text": f"{cn_date(before.start)}至{cn_date(before.last_day)}",
    }


# ---- the documents -----------------------------------------------------------------------------


async def program_content(
    ctx: TenantContext, program_id: UUID, period_from: date, period_to: date
) -> Content:
    """A program's work report for the period: its facts, its indicator tables (each figure
    with the same days a year earlier and the change), by village and category, by month, and
    charts of them."""
    program = await programs_repo.get_program(ctx, program_id)
    period = of_days(period_from, period_to)
    tables = await indicators.program_tables(ctx, program, period)
    by_key = {t.key: t for t in tables}
    takes_cases = "cases.summary" in by_key
    months = await cases.monthly(ctx, period, program.id) if takes_cases else []
    plain = [plain_table(t) for t in tables]
    if takes_cases:
        at = next(i for i, t in enumerate(plain) if t["key"] == "cases.summary") + 1
        plain.insert(at, monthly_table(months))
    covered = await covered_areas(ctx, program.id)
    text = span_text(period)
    report = f"{program.name} 工作报告"
    number = f"工作报告（{period.label if period.key != 'custom' else text}）"
    context: dict[str, Any] = {
        "number": number,
        "report_title": report,
        "period": _period_context(period),
        "program": {
            "name": program.name,
            "kind_label": KIND_LABELS[ProgramKind(program.kind)],
            "status_label": PROGRAM_STATUSES.get(program.status, program.status),
            "host_org": program.host_org,
            "starts_on": program.starts_on,
            "ends_on": program.ends_on,
            "covered": "、".join(a.name for a in covered) or "全县（未指定）",
        },
        "highlights": _highlights(by_key),
        "tables": plain,
        "charts": _case_charts(by_key, months, period),
    }
    return Content(
        template=PROGRAM_TEMPLATE,
        context=context,
        title=f"{report}（{text}）"[:120],
        number=number[:60],
        parties=[],
    )


async def tenant_content(ctx: TenantContext, period_from: date, period_to: date) -> Content:
    """The county's work report for the period: its programs by type and status, each
    module's tables across programs (activities, cases, no-litigation villages, red-property
    ratings, village rules), the cases by month, and charts."""
    period = of_days(period_from, period_to)
    tables = await indicators.tenant_tables(ctx, period)
    by_key = {t.key: t for t in tables}
    takes_cases = "cases.summary" in by_key
    months = await cases.monthly(ctx, period) if takes_cases else []
    plain = [plain_table(t) for t in tables]
    if takes_cases:
        at = next(i for i, t in enumerate(plain) if t["key"] == "cases.summary") + 1
        plain.insert(at, monthly_table(months))
    programs = await programs_repo.list_program_rows(ctx)
    text = span_text(period)
    report = f"{ctx.tenant_name} 试点工作报告"
    number = f"工作报告（{period.label if period.key != 'custom' else text}）"
    context: dict[str, Any] = {
        "number": number,
        "report_title": report,
        "period": _period_context(period),
        "programs": [
            {
                "name": p.name,
                "kind_label": KIND_LABELS[ProgramKind(p.kind)],
                "status_label": PROGRAM_STATUSES.get(p.status, p.status),
                "host_org": p.host_org,
            }
            for p in programs
        ],
        "highlights": _highlights(by_key),
        "tables": plain,
        "charts": _case_charts(by_key, months, period),
    }
    return Content(
        template=TENANT_TEMPLATE,
        context=context,
        title=f"{report}（{text}）"[:120],
        number=number[:60],
        parties=[],
    )


CITY_TEMPLATE = "pdf/city.html"


def _city_charts(section: Any, period: Period) -> list[dict[str, Any]]:
    """Each county's accepted cases and success rate, this period beside last year."""
    counties = section.counties
    labels = [c.name for c in counties]

    def chart(title: str, attribute: str, unit: str) -> dict[str, Any]:
        def number(value: Any) -> float:
            return float(value) if isinstance(value, int | float | Decimal) else 0.0

        cells = [getattr(c, attribute) for c in counties]
        series = [
            Series(f"本期（{period.label}）", [number(c.value) for c in cells], NOW_COLOUR),
            Series("上年同期", [number(c.previous) for c in cells], THEN_COLOUR),
        ]
        return {"title": title, "svg": bar_chart(title, labels, series, unit), "labels": labels}

    if not any(c.accepted.value or c.accepted.previous for c in counties):
        return []
    return [
        chart("各区县受理调解案件（件）", "accepted", ""),
        chart("各区县调解成功率（%）", "rate", "%"),
    ]


def _city_highlights(total: Any) -> list[dict[str, Any]]:
    found = []
    for label, cell in (
        ("受理案件", total.accepted),
        ("办结案件", total.closed),
        ("调解成功", total.settled),
        ("调解成功率", total.rate),
        ("司法确认有效", total.confirmed),
    ):
        found.append({"label": label, **plain_cell(cell, True)})
    return found


async def city_content(
    ctx: TenantContext, asker: UUID, period_from: date, period_to: date
) -> Content:
    """The city overview of ``reports.city`` as a report, for the member who asked for it in
    this county: every county of this county's city that they may see (as viewer or
    administrator), each computed in its own unit of work — so this opens its own units and
    its caller holds none. Aggregates only."""
    from reports import city

    period = of_days(period_from, period_to)
    overview = await city.city_overview(asker, period, city_of=ctx.tenant_id)
    sections = [
        {
            "name": section.name,
            "counties": [c.name for c in section.counties],
            "highlights": _city_highlights(section.total),
            "charts": _city_charts(section, period),
            "tables": [plain_table(t) for t in city.tables(section)],
        }
        for section in overview.cities
    ]
    text = span_text(period)
    place = "、".join(section.name for section in overview.cities) or ctx.tenant_name
    report = f"{place} 全市概况报告"
    number = f"概况报告（{period.label if period.key != 'custom' else text}）"
    context: dict[str, Any] = {
        "number": number,
        "report_title": report,
        "period": _period_context(period),
        "sections": sections,
    }
    return Content(
        template=CITY_TEMPLATE,
        context=context,
        title=f"{report}（{text}）"[:120],
        number=number[:60],
        parties=[],
    )
