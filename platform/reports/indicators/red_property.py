"""Indicators of red-property programs, computed by grouped queries in the database.

- rating distribution: complexes by their rating on a day (the latest inspection up to that day,
  while still valid), for the period's last day and the same day a year earlier;
- due for re-inspection: expired, expiring within 30 days, never rated (today);
- complaints trend: complaints and collective complaints by month (by quarter over a longer
  period), each with the same month a year earlier;
- inspections in the period.

Each figure links to the filtered list of the records behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from programs import repo as programs_repo
from programs.kinds import ProgramKind
from programs.schemas import ProgramRow
from reports.indicators.base import Cell, IndicatorTable, Period
from wusong.core.clock import SHANGHAI
from wusong.core.scoped import TenantStatement
from wusong.core.tenancy import TenantContext

KIND = ProgramKind.RED_PROPERTY.value
STAR_ROWS = (5, 4, 3, 2, 1, 0)
DUE_SOON_DAYS = 30

# Complexes of one program (or of every program, grouped), optionally within an area (a village,
# or a township with its villages).
_COMPLEXES = (
    " FROM red_property_complexes c JOIN areas a ON a.id = c.area AND a.tenant = {tenant}"
    " WHERE c.tenant = {tenant} AND c.active = true"
)
_VILLAGE = " AND (c.area = {} OR a.parent = {})"


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _last_day(period: Period) -> date:
    return period.end - timedelta(days=1)


@cache
def _rating_statement(by_program: bool, by_village: bool) -> TenantStatement:
    """Complexes by stars on a day: each complex's latest inspection up to the day, if valid."""
    program = " AND c.program = {}" if by_program else ""
    return TenantStatement(
        "SELECT c.program AS program, i.stars AS stars, COUNT(*) AS n"
        " FROM red_property_inspections i"
        " JOIN red_property_complexes c ON c.id = i.property_complex AND c.tenant = {tenant}"
        " JOIN areas a ON a.id = c.area AND a.tenant = {tenant}"
        " WHERE i.tenant = {tenant} AND c.active = true"
        + program
        + (_VILLAGE if by_village else "")
        + " AND i.inspected_on <= {} AND i.valid_until >= {}"
        " AND NOT EXISTS (SELECT 1 FROM red_property_inspections j"
        " WHERE j.tenant = {tenant} AND j.property_complex = i.property_complex"
        " AND j.inspected_on <= {} AND (j.inspected_on > i.inspected_on"
        " OR (j.inspected_on = i.inspected_on AND j.created_at > i.created_at)))"
        " GROUP BY c.program, i.stars"
    )


@cache
def _count_statement(by_program: bool, by_village: bool) -> TenantStatement:
    program = " AND c.program = {}" if by_program else ""
    return TenantStatement(
        "SELECT c.program AS program, COUNT(*) AS n"
        + _COMPLEXES
        + program
        + (_VILLAGE if by_village else "")
        + " GROUP BY c.program"
    )


@cache
def _due_statement(by_village: bool) -> TenantStatement:
    return TenantStatement(
        "SELECT CASE WHEN c.rated_until IS NULL THEN 'never'"
        " WHEN c.rated_until < {} THEN 'expired'"
        " WHEN c.rated_until <= {} THEN 'soon' ELSE 'valid' END AS due, COUNT(*) AS n"
        + _COMPLEXES
        + " AND c.program = {}"
        + (_VILLAGE if by_village else "")
        + " GROUP BY 1"
    )


@cache
def _complaints_statement(by_program: bool, by_village: bool, by_month: bool) -> TenantStatement:
    """Complaints and collective complaints in [start, end), by program or by month."""
    program = " AND k.program = {}" if by_program else ""
    group = "substr(CAST(k.received_on AS TEXT), 1, 7)" if by_month else "k.program"
    return TenantStatement(
        f"SELECT {group} AS bucket, COUNT(*) AS n,"
        " SUM(CASE WHEN k.collective THEN 1 ELSE 0 END) AS collective"
        " FROM red_property_complaints k"
        " JOIN red_property_complexes c ON c.id = k.property_complex AND c.tenant = {tenant}"
        " JOIN areas a ON a.id = c.area AND a.tenant = {tenant}"
        " WHERE k.tenant = {tenant}"
        + program
        + (_VILLAGE if by_village else "")
        + " AND k.received_on >= {} AND k.received_on < {}"
        f" GROUP BY {group}"
    )


@cache
def _inspections_statement(by_village: bool) -> TenantStatement:
    return TenantStatement(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT i.property_complex) AS complexes,"
        " SUM(CASE WHEN i.stars = 0 THEN 1 ELSE 0 END) AS starless"
        " FROM red_property_inspections i"
        " JOIN red_property_complexes c ON c.id = i.property_complex AND c.tenant = {tenant}"
        " JOIN areas a ON a.id = c.area AND a.tenant = {tenant}"
        " WHERE i.tenant = {tenant} AND i.program = {}"
        + (_VILLAGE if by_village else "")
        + " AND i.inspected_on >= {} AND i.inspected_on < {}"
    )


def _village_args(village_id: UUID | None) -> list[Any]:
    return [village_id, village_id] if village_id else []


def _key(value: Any) -> str:
    return str(value)


async def _ratings(
    ctx: TenantContext, program_id: UUID | None, day: date, village_id: UUID | None
) -> dict[tuple[str, int], int]:
    args: list[Any] = [program_id] if program_id else []
    rows = await _rating_statement(program_id is not None, village_id is not None).fetch(
        ctx, *args, *_village_args(village_id), day, day, day
    )
    return {(_key(r["program"]), int(r["stars"])): int(r["n"]) for r in rows}


async def _complex_counts(
    ctx: TenantContext, program_id: UUID | None, village_id: UUID | None
) -> dict[str, int]:
    args: list[Any] = [program_id] if program_id else []
    rows = await _count_statement(program_id is not None, village_id is not None).fetch(
        ctx, *args, *_village_args(village_id)
    )
    return {_key(r["program"]): int(r["n"]) for r in rows}


async def _complaints(
    ctx: TenantContext,
    program_id: UUID | None,
    start: date,
    end: date,
    village_id: UUID | None,
    *,
    by_month: bool,
) -> dict[str, tuple[int, int]]:
    args: list[Any] = [program_id] if program_id else []
    statement = _complaints_statement(program_id is not None, village_id is not None, by_month)
    rows = await statement.fetch(ctx, *args, *_village_args(village_id), start, end)
    return {_key(r["bucket"]): (int(r["n"]), int(r["collective"] or 0)) for r in rows}


def _link(base: str, path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}{path}" + (f"?{query}" if query else "")


def _star_label(stars: int) -> str:
    return f"{stars}星" if stars else "无星（含一票否决）"


# ---- a program's tables ------------------------------------------------------------------------


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    if program.kind != KIND:
        return []
    base = f"/t/{ctx.tenant_slug}/programs/{program.id}"
    village = str(village_id) if village_id else ""
    return [
        await _rating_table(ctx, program, period, village_id, base, village),
        await _due_table(ctx, program, village_id, base, village),
        await _complaints_table(ctx, program, period, village_id, base, village),
        await _inspections_table(ctx, program, period, village_id, base, village),
    ]


async def _rating_table(
    ctx: TenantContext,
    program: ProgramRow,
    period: Period,
    village_id: UUID | None,
    base: str,
    village: str,
) -> IndicatorTable:
    today = _today()
    day = min(_last_day(period), today)
    previous = period.previous_year()
    before = min(_last_day(previous), today)
    now = await _ratings(ctx, program.id, day, village_id)
    then = await _ratings(ctx, program.id, before, village_id)
    total = (await _complex_counts(ctx, program.id, village_id)).get(_key(program.id), 0)
    key = _key(program.id)
    rows = []
    for stars in STAR_ROWS:
        count = now.get((key, stars), 0)
        rows.append(
            [
                Cell(_star_label(stars)),
                Cell(
                    count,
                    then.get((key, stars), 0),
                    _link(base, "/complexes", stars=stars, village=village),
                    "个",
                ),
                Cell(f"{count * 100 / total:.1f}%" if total else "—"),
            ]
        )
    rated_now = sum(v for (p, _), v in now.items() if p == key)
    rated_then = sum(v for (p, _), v in then.items() if p == key)
    rows.append(
        [
            Cell("未评星或已过期"),
            Cell(
                total - rated_now,
                max(total - rated_then, 0),
                _link(base, "/complexes", due="lapsed", village=village),
                "个",
            ),
            Cell(f"{(total - rated_now) * 100 / total:.1f}%" if total else "—"),
        ]
    )
    return IndicatorTable(
        key="red_property.stars",
        title=f"星级分布（截至 {day.isoformat()}）",
        columns=["星级", "小区数", "占比"],
        rows=rows,
        note=f"每个小区按截至当日最近一次督察评定，且仍在有效期内；共 {total} 个在册小区。"
        "上年同期为一年前同日的分布。",
    )


async def _due_table(
    ctx: TenantContext, program: ProgramRow, village_id: UUID | None, base: str, village: str
) -> IndicatorTable:
    today = _today()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    rows = await _due_statement(village_id is not None).fetch(
        ctx, today, soon, program.id, *_village_args(village_id)
    )
    counts = {str(r["due"]): int(r["n"]) for r in rows}
    labels = {"expired": "评星已过期", "soon": f"{DUE_SOON_DAYS} 天内到期", "never": "从未评星"}
    table_rows = [
        [
            Cell(label),
            Cell(
                counts.get(key, 0), None, _link(base, "/complexes", due=key, village=village), "个"
            ),
        ]
        for key, label in labels.items()
    ]
    due_total = sum(counts.get(k, 0) for k in labels)
    table_rows.append(
        [
            Cell("待复评合计"),
            Cell(due_total, None, _link(base, "/complexes", due="any", village=village), "个"),
        ]
    )
    return IndicatorTable(
        key="red_property.due",
        title=f"待复评小区（截至 {today.isoformat()}）",
        columns=["情况", "小区数"],
        rows=table_rows,
    )


def _buckets(period: Period) -> list[tuple[str, date, date]]:
    """(label, start, end) per month of the period, or per quarter when it spans over a year."""
    months = []
    first = period.start.replace(day=1)
    while first < period.end:
        following = (first + timedelta(days=32)).replace(day=1)
        months.append((first, max(first, period.start), min(following, period.end)))
        first = following
    if len(months) <= 12:
        return [(f"{m.year}年{m.month}月", s, e) for m, s, e in months]
    quarters: dict[str, tuple[date, date]] = {}
    for m, s, e in months:
        label = f"{m.year}年第{(m.month - 1) // 3 + 1}季度"
        start, _ = quarters.get(label, (s, e))
        quarters[label] = (start, e)
    return [(label, s, e) for label, (s, e) in quarters.items()]


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _sum_months(counts: dict[str, tuple[int, int]], start: date, end: date) -> tuple[int, int]:
    """The grouped month counts that fall in [start, end) (whole months of the period)."""
    total = [0, 0]
    for month, (n, collective) in counts.items():
        first = date.fromisoformat(f"{month}-01")
        if start.replace(day=1) <= first < end:
            total[0] += n
            total[1] += collective
    return total[0], total[1]


async def _complaints_table(
    ctx: TenantContext,
    program: ProgramRow,
    period: Period,
    village_id: UUID | None,
    base: str,
    village: str,
) -> IndicatorTable:
    previous = period.previous_year()
    now = await _complaints(ctx, program.id, period.start, period.end, village_id, by_month=True)
    then = await _complaints(
        ctx, program.id, previous.start, previous.end, village_id, by_month=True
    )
    rows = []
    for label, start, end in _buckets(period):
        n, collective = _sum_months(now, start, end)
        n_before, collective_before = _sum_months(then, _year_back(start), _year_back(end))
        last = (end - timedelta(days=1)).isoformat()
        rows.append(
            [
                Cell(label),
                Cell(
                    n,
                    n_before,
                    _link(
                        base, "/complaints", **{"from": start.isoformat()}, to=last, village=village
                    ),
                    "件",
                ),
                Cell(
                    collective,
                    collective_before,
                    _link(
                        base,
                        "/complaints",
                        **{"from": start.isoformat()},
                        to=last,
                        collective=1,
                        village=village,
                    ),
                    "件",
                ),
            ]
        )
    total = (sum(v[0] for v in now.values()), sum(v[1] for v in now.values()))
    total_before = (sum(v[0] for v in then.values()), sum(v[1] for v in then.values()))
    span = {"from": period.start.isoformat(), "to": _last_day(period).isoformat()}
    rows.append(
        [
            Cell("合计"),
            Cell(
                total[0], total_before[0], _link(base, "/complaints", **span, village=village), "件"
            ),
            Cell(
                total[1],
                total_before[1],
                _link(base, "/complaints", **span, collective=1, village=village),
                "件",
            ),
        ]
    )
    return IndicatorTable(
        key="red_property.complaints",
        title=f"物业投诉趋势（{period.label}）",
        columns=["时间", "投诉", "群体投诉"],
        rows=rows,
        note="上年同期：同月（季度）一年前的投诉数。",
    )


async def _inspections_table(
    ctx: TenantContext,
    program: ProgramRow,
    period: Period,
    village_id: UUID | None,
    base: str,
    village: str,
) -> IndicatorTable:
    previous = period.previous_year()
    statement = _inspections_statement(village_id is not None)
    now = (
        await statement.fetch(ctx, program.id, *_village_args(village_id), period.start, period.end)
    )[0]
    then = (
        await statement.fetch(
            ctx, program.id, *_village_args(village_id), previous.start, previous.end
        )
    )[0]
    span = {"from": period.start.isoformat(), "to": _last_day(period).isoformat()}
    return IndicatorTable(
        key="red_property.inspections",
        title=f"督察评星（{period.label}）",
        columns=["指标", "数量"],
        rows=[
            [
                Cell("督察次数"),
                Cell(
                    int(now["n"]),
                    int(then["n"]),
                    _link(base, "/inspections", **span, village=village),
                    "次",
                ),
            ],
            [
                Cell("被督察小区"),
                Cell(
                    int(now["complexes"]),
                    int(then["complexes"]),
                    _link(base, "/inspections", **span, village=village),
                    "个",
                ),
            ],
            [
                Cell("评为无星（含一票否决）"),
                Cell(
                    int(now["starless"] or 0),
                    int(then["starless"] or 0),
                    _link(base, "/inspections", **span, stars=0, village=village),
                    "次",
                ),
            ],
        ],
    )


# ---- the tenant dashboard ----------------------------------------------------------------------


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    programs = [p for p in await programs_repo.list_program_rows(ctx) if p.kind == KIND]
    if not programs:
        return []
    today = _today()
    day = min(_last_day(period), today)
    ratings = await _ratings(ctx, None, day, village_id)
    counts = await _complex_counts(ctx, None, village_id)
    previous = period.previous_year()
    now = await _complaints(ctx, None, period.start, period.end, village_id, by_month=False)
    then = await _complaints(ctx, None, previous.start, previous.end, village_id, by_month=False)
    village = str(village_id) if village_id else ""
    span = {"from": period.start.isoformat(), "to": _last_day(period).isoformat()}
    star_rows, complaint_rows = [], []
    for program in programs:
        key = _key(program.id)
        base = f"/t/{ctx.tenant_slug}/programs/{program.id}"
        total = counts.get(key, 0)
        rated = sum(v for (p, _), v in ratings.items() if p == key)
        star_rows.append(
            [Cell(program.name, link=_link(base, "/complexes"))]
            + [
                Cell(
                    ratings.get((key, s), 0),
                    None,
                    _link(base, "/complexes", stars=s, village=village),
                    "个",
                )
                for s in STAR_ROWS
            ]
            + [
                Cell(
                    total - rated,
                    None,
                    _link(base, "/complexes", due="lapsed", village=village),
                    "个",
                )
            ]
        )
        n, collective = now.get(key, (0, 0))
        n_before, collective_before = then.get(key, (0, 0))
        complaint_rows.append(
            [
                Cell(program.name, link=_link(base, "/complexes")),
                Cell(total, None, _link(base, "/complexes", village=village), "个"),
                Cell(n, n_before, _link(base, "/complaints", **span, village=village), "件"),
                Cell(
                    collective,
                    collective_before,
                    _link(base, "/complaints", **span, collective=1, village=village),
                    "件",
                ),
                Cell(f"{n / total:.2f}" if total else "—"),
            ]
        )
    return [
        IndicatorTable(
            key="red_property.stars",
            title=f"红色物业星级分布（截至 {day.isoformat()}）",
            columns=["项目", "5星", "4星", "3星", "2星", "1星", "无星", "未评或过期"],
            rows=star_rows,
        ),
        IndicatorTable(
            key="red_property.complaints",
            title=f"红色物业投诉（{period.label}）",
            columns=["项目", "在册小区", "投诉", "群体投诉", "每小区投诉"],
            rows=complaint_rows,
        ),
    ]


# ---- the city overview -------------------------------------------------------------------------


@dataclass(frozen=True)
class StarCounts:
    """The tenant's active complexes (of every red-property program) by their rating on the
    period's last day (today for a running period) and on the same day a year earlier."""

    day: date
    stars: dict[int, tuple[int, int]]  # stars (5 … 0) → (complexes now, a year earlier)
    complexes: int  # active complexes today
    unrated: tuple[int, int]  # not rated, or their rating expired, on each day
    program_ids: tuple[UUID, ...]

    def link(self, ctx: TenantContext, **params: Any) -> str | None:
        """The complexes list of the one program, filtered; None when there are several."""
        if len(self.program_ids) != 1:
            return None
        return _link(f"/t/{ctx.tenant_slug}/programs/{self.program_ids[0]}", "/complexes", **params)


async def star_counts(ctx: TenantContext, period: Period) -> StarCounts | None:
    """None when the tenant has no red-property program."""
    programs = [p.id for p in await programs_repo.list_program_rows(ctx) if p.kind == KIND]
    if not programs:
        return None
    today = _today()
    day = min(_last_day(period), today)
    before = min(_last_day(period.previous_year()), today)
    now = await _ratings(ctx, None, day, None)
    then = await _ratings(ctx, None, before, None)
    complexes = sum((await _complex_counts(ctx, None, None)).values())

    def by_stars(ratings: dict[tuple[str, int], int], stars: int) -> int:
        return sum(n for (_, s), n in ratings.items() if s == stars)

    stars = {s: (by_stars(now, s), by_stars(then, s)) for s in STAR_ROWS}
    unrated = (
        complexes - sum(now.values()),
        max(complexes - sum(then.values()), 0),
    )
    return StarCounts(day, stars, complexes, unrated, tuple(programs))
