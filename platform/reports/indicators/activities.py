"""Indicators of activities programs (studios, shared courts, help teams), computed by grouped
queries in the database: each query counts the chosen period and the same days a year earlier
(two index ranges in one statement), from the covering tenant-first indexes of
``program_activities`` ((tenant, program, occurred_on, kind, area, people) for a program,
(tenant, occurred_on, program, kind, area, people) for the tenant dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from programs import repo as programs_repo
from programs.kinds import ACTIVITY_KINDS, COUNTED_IN_SESSIONS, KIND_LABELS, ProgramKind
from programs.registry import KINDS
from programs.schemas import ProgramRow
from reports.indicators.base import Cell, IndicatorTable, Period
from tenants import repo as tenants_repo
from wusong.core.db import is_postgres
from wusong.core.scoped import TenantStatement
from wusong.core.tenancy import TenantContext

# The activity kinds the article counts (consultations and guidance, post-judgment Q&A).
HEADLINE_KINDS = ("consultation", "guidance", "post_judgment_qa")
ACTIVITY_PROGRAM_KINDS = frozenset(
    kind for kind, spec in KINDS.items() if spec.activities
)  # mediation_studio, shared_court, help_team


@dataclass(frozen=True)
class Figures:
    """Records and people in the period, and the same a year earlier, for one group."""

    records: int = 0
    people: int = 0
    records_before: int = 0
    people_before: int = 0


def _month_expression() -> str:
    return "to_char(occurred_on, 'YYYY-MM')" if is_postgres() else "substr(occurred_on, 1, 7)"


_GROUPS = {"kind": ("kind",), "month": ("month",), "area": ("area",),
           "program_kind": ("program", "kind")}  # fmt: skip


@cache
def _statement(group: str, by_program: bool, by_village: bool, postgres: bool) -> TenantStatement:
    """Activities grouped by ``group`` (kind, month, area, program and kind) in two periods: one
    plain COUNT/SUM per period over an index range (the covering tenant-first indexes hold every
    column read), the two results told apart by ``earlier``."""
    expression = {
        "kind": "kind",
        "month": _month_expression(),
        "area": "area",
        "program_kind": "program, kind",
    }[group]
    columns = {"month": f"{expression} AS month", "program_kind": "program, kind"}.get(
        group, expression
    )
    filters = " AND program = {}" if by_program else ""
    filters += " AND area = {}" if by_village else ""
    return TenantStatement(
        " UNION ALL ".join(
            f"SELECT {columns}, {earlier} AS earlier, COUNT(*) AS records, SUM(people) AS people"
            " FROM program_activities WHERE tenant = {tenant}" + filters + " AND occurred_on >= {}"
            f" AND occurred_on < {{}} GROUP BY {expression}"
            for earlier in (0, 1)
        )
    )


async def _grouped(
    ctx: TenantContext,
    group: str,
    period: Period,
    *,
    program_id: UUID | None = None,
    village_id: UUID | None = None,
) -> list[dict[str, Any]]:
    """One row per group with records and people in ``period`` and a year earlier."""
    before = period.previous_year()
    filters: list[Any] = [program_id] if program_id is not None else []
    if village_id is not None:
        filters.append(village_id)
    args = [*filters, period.start, period.end, *filters, before.start, before.end]
    statement = _statement(group, program_id is not None, village_id is not None, is_postgres())
    keys = _GROUPS[group]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in await statement.fetch(ctx, *args):
        key = tuple(row[k] for k in keys)
        found = merged.setdefault(
            key,
            {**dict(zip(keys, key, strict=True)), **dict.fromkeys(Figures.__dataclass_fields__, 0)},
        )
        suffix = "_before" if int(row["earlier"]) else ""
        found["records" + suffix] += int(row["records"] or 0)
        found["people" + suffix] += int(row["people"] or 0)
    return list(merged.values())


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(*(int(row[name] or 0) for name in Figures.__dataclass_fields__))


def records_link(
    ctx: TenantContext,
    program_id: UUID,
    period: Period,
    *,
    kind: str | None = None,
    village_id: UUID | None = None,
) -> str:
    """The program's activity list filtered to these records (``to`` is inclusive)."""
    query = {
        "kind": kind or "",
        "from": period.start.isoformat(),
        "to": period.last_day.isoformat(),
    }
    if village_id is not None:
        query["village"] = str(village_id)
    path = f"/t/{ctx.tenant_slug}/programs/{program_id}/activities"
    return f"{path}?{urlencode({k: v for k, v in query.items() if v})}"


def program_link(
    ctx: TenantContext, program_id: UUID, period: Period, village_id: UUID | None = None
) -> str:
    """The program's page, showing the same period (and village)."""
    query = period.query()
    if village_id is not None:
        query["village"] = str(village_id)
    return f"/t/{ctx.tenant_slug}/programs/{program_id}?{urlencode(query)}"


def _pair(figures: Figures, link: str) -> list[Cell]:
    return [
        Cell(figures.records, figures.records_before, link, "次"),
        Cell(figures.people, figures.people_before, link, "人次"),
    ]


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """By activity kind, by month, by village, and progress against the program's targets."""
    return [
        await _by_kind(ctx, program, period, village_id),
        await _by_month(ctx, program, period, village_id),
        await _by_village(ctx, program, period, village_id),
        *await _targets(ctx, program, period, village_id),
    ]


async def _by_kind(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None
) -> IndicatorTable:
    rows = await _grouped(ctx, "kind", period, program_id=program.id, village_id=village_id)
    found = {row["kind"]: _figures(row) for row in rows}
    table = IndicatorTable("activities.by_kind", "按活动类型统计", ["活动类型", "次数", "服务人次"])
    for kind, label in ACTIVITY_KINDS.items():
        link = records_link(ctx, program.id, period, kind=kind, village_id=village_id)
        table.rows.append([Cell(label), *_pair(found.get(kind, Figures()), link)])
    return table


async def _by_month(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None
) -> IndicatorTable:
    rows = await _grouped(ctx, "month", period, program_id=program.id, village_id=village_id)
    found = {str(row["month"]): _figures(row) for row in rows}
    table = IndicatorTable("activities.by_month", "按月统计", ["月份", "次数", "服务人次"])
    for month in period.months():
        year, number = (int(part) for part in month.key.split("-"))
        now = found.get(month.key, Figures())
        then = found.get(f"{year - 1}-{number:02d}", Figures())
        figures = Figures(now.records, now.people, then.records_before, then.people_before)
        link = records_link(ctx, program.id, month, village_id=village_id)
        table.rows.append([Cell(month.label), *_pair(figures, link)])
    return table


async def _by_village(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None
) -> IndicatorTable:
    rows = await _grouped(ctx, "area", period, program_id=program.id, village_id=village_id)
    names = {area.id: area.name for area in await tenants_repo.all_areas(ctx)}
    table = IndicatorTable(
        "activities.by_village",
        "按村/社区统计",
        ["村/社区", "次数", "服务人次"],
        note="只列出本期或上年同期有活动记录的村/社区；未指定村/社区的记录不在此表。",
    )
    figures = sorted(
        ((UUID(str(row["area"])), _figures(row)) for row in rows if row["area"] is not None),
        key=lambda item: (-item[1].records, names.get(item[0], "")),
    )
    for area_id, found in figures:
        link = records_link(ctx, program.id, period, village_id=area_id)
        table.rows.append([Cell(names.get(area_id, "（已删除）")), *_pair(found, link)])
    return table


async def _targets(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None
) -> list[IndicatorTable]:
    """Progress against the program's targets, over the program's own period when it has one."""
    labels = KINDS[ProgramKind(program.kind)].targets
    targets = {key: value for key, value in program.targets.items() if key in labels}
    if not targets:
        return []
    span, note = period, "目标完成数按所选期间统计。"
    if program.starts_on is not None and program.ends_on is not None:
        end = program.ends_on + timedelta(days=1)
        span = Period(program.starts_on, end, f"{program.starts_on} 至 {program.ends_on}", "custom")
        note = f"目标按项目周期（{span.label}）统计，不随所选期间变化。"
    rows = await _grouped(ctx, "kind", span, program_id=program.id, village_id=village_id)
    found = {row["kind"]: _figures(row) for row in rows}
    table = IndicatorTable(
        "activities.targets", "目标完成情况", ["目标", "目标值", "已完成", "完成率"], note=note
    )
    for key, target in targets.items():
        figures = found.get(key, Figures())
        sessions = key in COUNTED_IN_SESSIONS
        done, unit = (figures.records, "场次") if sessions else (figures.people, "人次")
        link = records_link(ctx, program.id, span, kind=key, village_id=village_id)
        rate = round(done * 100 / target, 1) if target else None
        table.rows.append(
            [Cell(labels[key]), Cell(target, unit=unit), Cell(done, link=link, unit=unit),
             Cell(rate, unit="%")]
        )  # fmt: skip
    return [table]


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """Consultations, guidance and post-judgment Q&A of every studio, shared court and help
    team: records and people, each figure linking to that program's filtered activity list."""
    programs = [
        p for p in await programs_repo.list_program_rows(ctx) if p.kind in ACTIVITY_PROGRAM_KINDS
    ]
    if not programs:
        return []
    rows = await _grouped(ctx, "program_kind", period, village_id=village_id)
    found: dict[tuple[str, str], Figures] = {
        (str(row["program"]), row["kind"]): _figures(row) for row in rows
    }
    columns = ["项目", *(ACTIVITY_KINDS[k] for k in HEADLINE_KINDS), "全部活动"]
    records = IndicatorTable(
        "activities.headline_records", "法律咨询、诉讼指导与判后答疑（次数）", columns
    )
    people = IndicatorTable(
        "activities.headline_people", "法律咨询、诉讼指导与判后答疑（服务人次）", columns
    )
    for program in programs:
        name = Cell(
            f"{program.name}（{KIND_LABELS[ProgramKind(program.kind)]}）",
            link=program_link(ctx, program.id, period, village_id),
        )
        counted = [found.get((str(program.id), kind), Figures()) for kind in HEADLINE_KINDS]
        links = [
            records_link(ctx, program.id, period, kind=kind, village_id=village_id)
            for kind in HEADLINE_KINDS
        ]
        every = [f for (pid, _), f in found.items() if pid == str(program.id)]
        total = Figures(*(sum(getattr(f, n) for f in every) for n in Figures.__dataclass_fields__))
        counted.append(total)
        links.append(records_link(ctx, program.id, period, village_id=village_id))
        records.rows.append(
            [
                name,
                *(
                    Cell(f.records, f.records_before, link, "次")
                    for f, link in zip(counted, links, strict=True)
                ),
            ]
        )
        people.rows.append(
            [
                name,
                *(
                    Cell(f.people, f.people_before, link, "人次")
                    for f, link in zip(counted, links, strict=True)
                ),
            ]
        )
    return [records, people]
