"""Indicators of mediation cases, for the programs that take cases (studios, shared courts,
help teams, no-litigation villages) and for the whole tenant on the dashboard.

What each figure counts (every one in the chosen period, and the same days a year earlier):

- accepted (受理): cases whose ``accepted_on`` falls in the period;
- closed (办结): cases whose ``closed_on`` falls in the period, whatever the outcome;
- settled (调解成功): of those, the ones closed as settled or partly settled;
- success rate: settled ÷ closed, both of the period;
- median days to close: ``closed_on - accepted_on`` over the cases closed in the period;
- amount agreed: ``amount_agreed`` (yuan, exact) summed over the settled cases;
- performance rate: of the cases settled in the period whose effective agreement's last
  performance deadline has passed (today), the share with a follow-up visit recording full
  performance;
- confirmations: applications filed (``applied_on``), confirmed and refused (``decided_on``);
- overdue: open cases past their mediation deadline today (a current state: no year-on-year).

Queries are grouped in the database, one statement for both periods (``earlier`` tells them
apart), on tenant-first indexes: ``cases_accepted_cover``, ``cases_closed_cover`` and
``cases_open_due`` (migration ``mediation_2026_11_29t12_00_00``) hold every column read, so no
table row is visited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from mediation import services as mediation_services
from mediation.categories import SOURCES
from mediation.services import CASE_PROGRAM_KINDS
from programs import repo as programs_repo
from programs.kinds import KIND_LABELS, ProgramKind
from programs.schemas import ProgramRow
from reports.indicators.activities import program_link
from reports.indicators.base import Cell, IndicatorTable, Period
from tenants import repo as tenants_repo
from wusong.core.clock import local_today
from wusong.core.db import is_postgres
from wusong.core.scoped import TenantStatement
from wusong.core.tenancy import TenantContext

AGREED_SQL = "('settled', 'partly_settled')"
# The case list's status filter for settled and partly settled cases together.
AGREED_FILTER = "agreed"
# What the figures are grouped by; the totals are the sums over ``source`` (never empty).
DIMENSIONS = ("category", "source", "area", "program")


def _dimensions(by_program: bool) -> tuple[str, ...]:
    """A program's own page needs no grouping by program."""
    return DIMENSIONS[:-1] if by_program else DIMENSIONS


CLOSED_NOTE = (
    "受理：受理日期在本期的案件；办结：结案日期在本期的案件（含调解成功、部分达成、调解不成、"
    "撤回、转入诉讼）；调解成功：本期办结且调解成功或部分达成的案件；成功率 = 调解成功 ÷ 办结；"
    "协议金额为调解成功案件的协议金额合计（元）；超期未结为今日仍在调解中且已过调解期限的案件，"
    "不随期间变化。"
)


@dataclass
class Figures:
    """The figures of one group (a category, a source, a village, a program, or all)."""

    accepted: int = 0
    closed: int = 0
    settled: int = 0
    partly: int = 0
    fen: int = 0  # amount agreed in fen (exact)
    overdue: int = 0

    @property
    def amount(self) -> Decimal:
        return Decimal(self.fen).scaleb(-2)

    @property
    def rate(self) -> float | None:
        return round(self.settled * 100 / self.closed, 1) if self.closed else None


def _dimension_sql(dimension: str) -> str:
    """The group's value as text. An expression, not the bare column: SQLite would otherwise
    group along an index on that column across all of the tenant's cases instead of reading
    the period's range of the covering index."""
    return f"CAST({dimension} AS TEXT)"


def _scope(by_program: bool, by_village: bool) -> str:
    return (" AND program = {}" if by_program else "") + (" AND area = {}" if by_village else "")


def _figures_sql(figure: str) -> tuple[str, str]:
    """What a branch counts, and over which dates."""
    if figure == "overdue":
        return "COUNT(*) AS overdue", " AND status = 'open' AND due_on < {}"
    if figure == "accepted":
        return "COUNT(*) AS accepted", " AND accepted_on >= {} AND accepted_on < {}"
    return (
        f"COUNT(*) AS closed, SUM(CASE WHEN status IN {AGREED_SQL} THEN 1 ELSE 0 END)"
        " AS settled, SUM(CASE WHEN status = 'partly_settled' THEN 1 ELSE 0 END)"
        f" AS partly, SUM(CASE WHEN status IN {AGREED_SQL} THEN"
        " CAST(ROUND(COALESCE(amount_agreed, 0) * 100) AS BIGINT) ELSE 0 END) AS fen",
        " AND closed_on >= {} AND closed_on < {}",
    )


def _args(scope: Scope, spans: list[list[Any]], postgres: bool) -> list[Any]:
    """The statement's arguments: scope and dates of each period, once per dimension on
    SQLite (its branches are dimension by period; PostgreSQL's, period only)."""
    dimensions = 1 if postgres else len(_dimensions(scope.program_id is not None))
    return [a for _ in range(dimensions) for span in spans for a in (*scope.args, *span)]


@cache
def _statement(figure: str, by_program: bool, by_village: bool, postgres: bool) -> TenantStatement:
    return TenantStatement(_cases_sql(figure, by_program, by_village, postgres))


def _cases_sql(figure: str, by_program: bool, by_village: bool, postgres: bool) -> str:
    """Cases grouped by every dimension at once, for each period (``earlier`` 0 or 1).

    ``accepted``: counts by accepted_on; ``closed``: closed, settled, partly settled and the
    amount agreed by closed_on; ``overdue``: open cases past due today (one period). PostgreSQL
    reads each period's index range once (GROUPING SETS); SQLite, which has none, once per
    dimension (UNION ALL)."""
    figures, span = _figures_sql(figure)
    scope = "FROM cases WHERE tenant = {tenant}" + _scope(by_program, by_village) + span
    dimensions = _dimensions(by_program)
    periods = (0,) if figure == "overdue" else (0, 1)
    if postgres:
        dimension = (
            " ".join(f"WHEN GROUPING({d}) = 0 THEN '{d}'" for d in dimensions[:-1])
            + f" ELSE '{dimensions[-1]}'"
        )
        value = (
            " ".join(f"WHEN GROUPING({d}) = 0 THEN {_dimension_sql(d)}" for d in dimensions[:-1])
            + f" ELSE {_dimension_sql(dimensions[-1])}"
        )
        sets = ", ".join(f"({d})" for d in dimensions)
        return " UNION ALL ".join(
            f"SELECT CASE {dimension} END AS dimension, CASE {value} END AS value,"
            f" {earlier} AS earlier, {figures} {scope} GROUP BY GROUPING SETS ({sets})"
            for earlier in periods
        )
    return " UNION ALL ".join(
        f"SELECT '{d}' AS dimension, {_dimension_sql(d)} AS value, {earlier} AS earlier,"
        f" {figures} {scope} GROUP BY {_dimension_sql(d)}"
        for d in dimensions
        for earlier in periods
    )


@cache
def _days_statement(by_program: bool, by_village: bool, postgres: bool) -> TenantStatement:
    """How many cases closed in each period took how many days (the median is read from it)."""
    days = (
        "(closed_on - accepted_on)"
        if postgres
        else "CAST(julianday(closed_on) - julianday(accepted_on) AS INTEGER)"
    )
    return TenantStatement(
        " UNION ALL ".join(
            f"SELECT {earlier} AS earlier, {days} AS days, COUNT(*) AS cases FROM cases"
            " WHERE tenant = {tenant}" + _scope(by_program, by_village) + " AND closed_on >= {}"
            f" AND closed_on < {{}} GROUP BY {days}"
            for earlier in (0, 1)
        )
    )


@cache
def _performance_statement(by_program: bool, by_village: bool) -> TenantStatement:
    """Settled cases of each period whose last performance deadline has passed, and how many
    of them a follow-up visit found fully performed: the period's settled cases joined to their
    effective agreement's terms and full-performance visits, one row per case."""
    scope = _scope(by_program, by_village).replace(" AND ", " AND c.")
    return TenantStatement(
        " UNION ALL ".join(
            f"SELECT {earlier} AS earlier, COUNT(*) AS due, SUM(performed) AS performed FROM"
            " (SELECT MAX(t.deadline) AS last_deadline,"
            " MAX(CASE WHEN f.id IS NULL THEN 0 ELSE 1 END) AS performed FROM cases c"
            ' JOIN case_agreements a ON a.tenant = {tenant} AND a."case" = c.id'
            " AND a.status = 'effective'"
            " JOIN agreement_terms t ON t.tenant = {tenant} AND t.agreement = a.id"
            ' LEFT JOIN case_followups f ON f.tenant = {tenant} AND f."case" = c.id'
            " AND f.performance = 'full'"
            " WHERE c.tenant = {tenant}" + scope + f" AND c.status IN {AGREED_SQL}"
            " AND c.closed_on >= {} AND c.closed_on < {} GROUP BY c.id) settled"
            " WHERE last_deadline < {}"
            for earlier in (0, 1)
        )
    )


@cache
def _confirmations_statement(by_program: bool, by_village: bool) -> TenantStatement:
    """Applications filed, and applications confirmed or refused, in each period."""
    return TenantStatement(_confirmations_sql(by_program, by_village))


def _confirmations_sql(by_program: bool, by_village: bool) -> str:
    join = ""
    scope = ""
    if by_program or by_village:
        join = ' JOIN cases c ON c.tenant = {tenant} AND c.id = k."case"'
        scope = _scope(by_program, by_village).replace(" AND ", " AND c.")
    parts = []
    for earlier in (0, 1):
        base = f"FROM case_confirmations k{join} WHERE k.tenant = {{tenant}}{scope}"
        parts.append(
            f"SELECT 'applied' AS figure, {earlier} AS earlier, COUNT(*) AS n {base}"
            " AND k.applied_on >= {} AND k.applied_on < {}"
        )
        parts.append(
            f"SELECT k.status AS figure, {earlier} AS earlier, COUNT(*) AS n {base}"
            " AND k.status IN ('confirmed', 'refused') AND k.decided_on >= {}"
            " AND k.decided_on < {} GROUP BY k.status"
        )
    return " UNION ALL ".join(parts)


@dataclass
class Scope:
    """Whose cases: a program's (or every case of the tenant), in a village (or everywhere)."""

    program_id: UUID | None
    village_id: UUID | None

    @property
    def args(self) -> list[Any]:
        return [v for v in (self.program_id, self.village_id) if v is not None]

    @property
    def flags(self) -> tuple[bool, bool]:
        return self.program_id is not None, self.village_id is not None


async def _grouped(
    ctx: TenantContext, scope: Scope, period: Period
) -> dict[tuple[str, str], tuple[Figures, Figures]]:
    """(dimension, value) → the figures of the period and of the same days a year earlier."""
    before = period.previous_year()
    found: dict[tuple[str, str], tuple[Figures, Figures]] = {}
    postgres = is_postgres()
    for figure in ("accepted", "closed"):
        args = _args(scope, [[period.start, period.end], [before.start, before.end]], postgres)
        for row in await _statement(figure, *scope.flags, postgres).fetch(ctx, *args):
            key = (str(row["dimension"]), "" if row["value"] is None else str(row["value"]))
            pair = found.setdefault(key, (Figures(), Figures()))
            target = pair[int(row["earlier"])]
            for name in ("accepted", "closed", "settled", "partly", "fen"):
                if name in row:
                    setattr(target, name, int(row[name] or 0))
    today = local_today()
    args = _args(scope, [[today]], postgres)
    for row in await _statement("overdue", *scope.flags, postgres).fetch(ctx, *args):
        key = (str(row["dimension"]), "" if row["value"] is None else str(row["value"]))
        found.setdefault(key, (Figures(), Figures()))[0].overdue = int(row["overdue"] or 0)
    found[("all", "")] = _total([pair for (d, _), pair in found.items() if d == "source"])
    return found


def _total(pairs: list[tuple[Figures, Figures]]) -> tuple[Figures, Figures]:
    names = list(Figures.__dataclass_fields__)
    return (
        Figures(*(sum(getattr(now, n) for now, _ in pairs) for n in names)),
        Figures(*(sum(getattr(then, n) for _, then in pairs) for n in names)),
    )


def _median(histogram: dict[int, int]) -> float | None:
    """The median of values given as value → how many times."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    values: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        values += [value for index in middle if seen <= index < seen + count]
        seen += count
    return sum(values) / 2


async def _medians(
    ctx: TenantContext, scope: Scope, period: Period
) -> tuple[float | None, float | None]:
    before = period.previous_year()
    args = [*scope.args, period.start, period.end, *scope.args, before.start, before.end]
    histograms: tuple[dict[int, int], dict[int, int]] = ({}, {})
    for row in await _days_statement(*scope.flags, is_postgres()).fetch(ctx, *args):
        histograms[int(row["earlier"])][int(row["days"])] = int(row["cases"])
    return _median(histograms[0]), _median(histograms[1])


async def _performance(ctx: TenantContext, scope: Scope, period: Period) -> list[tuple[int, int]]:
    """(settled cases due, performed fully) for the period and a year earlier."""
    before = period.previous_year()
    today = local_today()
    args = [*scope.args, period.start, period.end, today]
    args += [*scope.args, before.start, before.end, today]
    found = [(0, 0), (0, 0)]
    for row in await _performance_statement(*scope.flags).fetch(ctx, *args):
        found[int(row["earlier"])] = (int(row["due"] or 0), int(row["performed"] or 0))
    return found


async def _confirmations(ctx: TenantContext, scope: Scope, period: Period) -> dict[str, list[int]]:
    before = period.previous_year()
    args: list[Any] = []
    for span in (period, before):
        args += [*scope.args, span.start, span.end] * 2
    found = {"applied": [0, 0], "confirmed": [0, 0], "refused": [0, 0]}
    for row in await _confirmations_statement(*scope.flags).fetch(ctx, *args):
        found[str(row["figure"])][int(row["earlier"])] += int(row["n"] or 0)
    return found


# ---- links to the case list --------------------------------------------------------------------


class Links:
    """Links to the core case list, filtered to exactly the cases a figure counts."""

    def __init__(self, ctx: TenantContext, scope: Scope, period: Period) -> None:
        self.base = f"/t/{ctx.tenant_slug}/cases"
        self.scope = scope
        self.period = period

    def _link(self, **query: str | UUID | None) -> str:
        full = {"program_id": self.scope.program_id, "village_id": self.scope.village_id, **query}
        return f"{self.base}?{urlencode({k: str(v) for k, v in full.items() if v})}"

    def accepted(self, **filters: str | UUID | None) -> str:
        span = {"accepted_from": self.period.start.isoformat()}
        span["accepted_to"] = self.period.last_day.isoformat()
        return self._link(**filters, **span)

    def closed(self, **filters: str | UUID | None) -> str:
        """Cases closed in the period (``status=``: with that outcome only)."""
        span = {"closed_from": self.period.start.isoformat()}
        span["closed_to"] = self.period.last_day.isoformat()
        return self._link(**filters, **span)

    def overdue(self, **filters: str | UUID | None) -> str:
        return self._link(overdue="1", **filters)


def _row_cells(
    now: Figures, then: Figures, links: Links, **filters: str | UUID | None
) -> list[Cell]:
    """Accepted, closed, settled, success rate, amount agreed and overdue of one group."""
    settled = links.closed(status=AGREED_FILTER, **filters)
    return [
        Cell(now.accepted, then.accepted, links.accepted(**filters), "件"),
        Cell(now.closed, then.closed, links.closed(**filters), "件"),
        Cell(now.settled, then.settled, settled, "件"),
        Cell(now.rate, then.rate, unit="%"),
        Cell(now.amount, then.amount, settled, "元"),
        Cell(now.overdue, link=links.overdue(**filters), unit="件"),
    ]


COLUMNS = ["受理", "办结", "调解成功", "成功率", "协议金额（元）", "超期未结"]


async def _tables(
    ctx: TenantContext, scope: Scope, period: Period, *, with_programs: bool
) -> list[IndicatorTable]:
    links = Links(ctx, scope, period)
    grouped = await _grouped(ctx, scope, period)
    now, then = grouped[("all", "")]
    median = await _medians(ctx, scope, period)
    (due, performed), (due_before, performed_before) = await _performance(ctx, scope, period)
    confirmations = await _confirmations(ctx, scope, period)

    def share(part: int, whole: int) -> float | None:
        return round(part * 100 / whole, 1) if whole else None

    settled_link = links.closed(status=AGREED_FILTER)
    summary = IndicatorTable(
        "cases.summary",
        "调解案件",
        ["指标", period.label],
        note=CLOSED_NOTE
        + "履行率 = 本期调解成功、协议最后履行期限已届满的案件中，回访记录为全部履行的比例；"
        "司法确认按申请日期（申请）或法院决定日期（确认有效、不予确认）统计。",
    )
    summary.rows = [
        [Cell("受理案件"), Cell(now.accepted, then.accepted, links.accepted(), "件")],
        [Cell("办结案件"), Cell(now.closed, then.closed, links.closed(), "件")],
        [Cell("调解成功"), Cell(now.settled, then.settled, settled_link, "件")],
        [
            Cell("其中部分达成"),
            Cell(now.partly, then.partly, links.closed(status="partly_settled"), "件"),
        ],
        [Cell("调解成功率"), Cell(now.rate, then.rate, unit="%")],
        [Cell("办结用时（中位数）"), Cell(median[0], median[1], links.closed(), "天")],
        [Cell("协议金额"), Cell(now.amount, then.amount, settled_link, "元")],
        [Cell("履行期限届满的协议案件"), Cell(due, due_before, unit="件")],
        [Cell("其中全部履行"), Cell(performed, performed_before, unit="件")],
        [
            Cell("履行率"),
            Cell(share(performed, due), share(performed_before, due_before), unit="%"),
        ],
        *(
            [Cell(label), Cell(confirmations[key][0], confirmations[key][1], unit="件")]
            for key, label in (
                ("applied", "申请司法确认"),
                ("confirmed", "司法确认有效"),
                ("refused", "不予确认"),
            )
        ),
        [Cell("超期未结（当前）"), Cell(now.overdue, link=links.overdue(), unit="件")],
    ]
    tables = [summary]
    if with_programs:
        tables.append(await _by_program(ctx, grouped, links, period, scope))
    tables.append(await _by_category(ctx, grouped, links))
    tables.append(_by_source(grouped, links))
    tables.append(await _by_village(ctx, grouped, links))
    return tables


def _values(grouped: dict[tuple[str, str], tuple[Figures, Figures]], dimension: str) -> list[Any]:
    """The groups of a dimension, most cases accepted first."""
    found = [(value, pair) for (d, value), pair in grouped.items() if d == dimension and value]
    return sorted(found, key=lambda item: (-item[1][0].accepted, -item[1][0].closed, item[0]))


async def _by_category(
    ctx: TenantContext, grouped: dict[tuple[str, str], tuple[Figures, Figures]], links: Links
) -> IndicatorTable:
    names = await mediation_services.category_names(ctx)
    table = IndicatorTable(
        "cases.by_category",
        "按纠纷类型统计",
        ["纠纷类型", *COLUMNS],
        note="只列出本期、上年同期或当前有案件的纠纷类型。",
    )
    for code, (now, then) in _values(grouped, "category"):
        table.rows.append(
            [Cell(names.get(code, code)), *_row_cells(now, then, links, category=code)]
        )
    return table


def _by_source(
    grouped: dict[tuple[str, str], tuple[Figures, Figures]], links: Links
) -> IndicatorTable:
    table = IndicatorTable("cases.by_source", "按案件来源统计", ["案件来源", *COLUMNS])
    for code, label in SOURCES.items():
        now, then = grouped.get(("source", code), (Figures(), Figures()))
        table.rows.append([Cell(label), *_row_cells(now, then, links, source=code)])
    return table


async def _by_village(
    ctx: TenantContext, grouped: dict[tuple[str, str], tuple[Figures, Figures]], links: Links
) -> IndicatorTable:
    names = {str(area.id): area.name for area in await tenants_repo.all_areas(ctx)}
    table = IndicatorTable(
        "cases.by_village",
        "按村/社区统计",
        ["村/社区", *COLUMNS],
        note="只列出有案件的村/社区；未指定村/社区的案件不在此表。",
    )
    for area, (now, then) in _values(grouped, "area"):
        cells = _row_cells(now, then, links, village_id=area)
        table.rows.append([Cell(names.get(area, "（已删除）")), *cells])
    return table


async def _by_program(
    ctx: TenantContext,
    grouped: dict[tuple[str, str], tuple[Figures, Figures]],
    links: Links,
    period: Period,
    scope: Scope,
) -> IndicatorTable:
    programs = {str(p.id): p for p in await programs_repo.list_program_rows(ctx)}
    table = IndicatorTable(
        "cases.by_program",
        "各项目调解案件",
        ["项目", *COLUMNS],
        note="只列出有案件的项目；不属于任何项目的案件不在此表。",
    )
    for program_id, (now, then) in _values(grouped, "program"):
        program = programs.get(program_id)
        if program is None:
            continue
        name = f"{program.name}（{KIND_LABELS[ProgramKind(program.kind)]}）"
        link = program_link(ctx, program.id, period, scope.village_id)
        cells = _row_cells(now, then, links, program_id=program_id)
        table.rows.append([Cell(name, link=link), *cells])
    return table


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """The program's cases: summary, by category, by source, by village."""
    if program.kind not in CASE_PROGRAM_KINDS:
        return []
    return await _tables(ctx, Scope(program.id, village_id), period, with_programs=False)


_ANY_CASE = TenantStatement("SELECT 1 AS found FROM cases WHERE tenant = {tenant} LIMIT 1")


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """Every case of the tenant: summary, by program, category, source and village."""
    if not await _ANY_CASE.fetch(ctx):
        return []
    return await _tables(ctx, Scope(None, village_id), period, with_programs=True)


@dataclass(frozen=True)
class Totals:
    """The whole tenant's case figures of a period and of the same days a year earlier (the
    city overview): the summary's figures, without the tables."""

    now: Figures
    then: Figures
    applied: tuple[int, int]  # judicial-confirmation applications filed (now, a year earlier)
    confirmed: tuple[int, int]  # applications the court confirmed


async def totals(ctx: TenantContext, period: Period) -> Totals:
    scope = Scope(None, None)
    now, then = (await _grouped(ctx, scope, period))[("all", "")]
    confirmations = await _confirmations(ctx, scope, period)
    applied, confirmed = confirmations["applied"], confirmations["confirmed"]
    return Totals(now, then, (applied[0], applied[1]), (confirmed[0], confirmed[1]))


@cache
def _monthly_statement(by_program: bool, postgres: bool) -> TenantStatement:
    """Cases accepted, closed and settled in each month of a period (``earlier`` 0) and of the
    same days a year earlier (1), on the covering indexes of accepted_on and closed_on."""

    def month(column: str) -> str:
        return f"to_char({column}, 'YYYY-MM')" if postgres else f"substr({column}, 1, 7)"

    scope = _scope(by_program, False)
    parts = []
    for earlier in (0, 1):
        parts.append(
            f"SELECT 'accepted' AS figure, {earlier} AS earlier, {month('accepted_on')} AS month,"
            " COUNT(*) AS n, 0 AS settled FROM cases WHERE tenant = {tenant}" + scope
            + " AND accepted_on >= {} AND accepted_on < {}"
            f" GROUP BY {month('accepted_on')}"
        )  # fmt: skip
        parts.append(
            f"SELECT 'closed' AS figure, {earlier} AS earlier, {month('closed_on')} AS month,"
            f" COUNT(*) AS n, SUM(CASE WHEN status IN {AGREED_SQL} THEN 1 ELSE 0 END) AS settled"
            " FROM cases WHERE tenant = {tenant}" + scope
            + " AND closed_on >= {} AND closed_on < {}"
            f" GROUP BY {month('closed_on')}"
        )  # fmt: skip
    return TenantStatement(" UNION ALL ".join(parts))


def tuple3(values: list[int]) -> tuple[int, int, int]:
    return values[0], values[1], values[2]


@dataclass(frozen=True)
class Month:
    """One calendar month of a period: cases accepted, closed and settled in it (``now``) and
    in the same days a year earlier (``then``)."""

    label: str  # 2025年3月
    key: str  # 2025-03
    now: tuple[int, int, int]
    then: tuple[int, int, int]


async def monthly(
    ctx: TenantContext, period: Period, program_id: UUID | None = None
) -> list[Month]:
    """The period's months (``Period.months``) with the cases accepted, closed and settled in
    each, against the same days a year earlier; a program's cases, or every case."""
    before = period.previous_year()
    scope = [program_id] if program_id is not None else []
    args: list[Any] = []
    for span in (period, before):
        args += [*scope, span.start, span.end] * 2
    found: dict[tuple[int, str], list[int]] = {}
    statement = _monthly_statement(program_id is not None, is_postgres())
    for row in await statement.fetch(ctx, *args):
        earlier = int(row["earlier"])
        key = str(row["month"])[:7]
        if earlier:  # last year's month stands beside this year's
            key = f"{int(key[:4]) + 1:04d}{key[4:]}"
        counts = found.setdefault((earlier, key), [0, 0, 0])
        if row["figure"] == "accepted":
            counts[0] += int(row["n"] or 0)
        else:
            counts[1] += int(row["n"] or 0)
            counts[2] += int(row["settled"] or 0)
    months = []
    for month in period.months():
        now = found.get((0, month.key), [0, 0, 0])
        then = found.get((1, month.key), [0, 0, 0])
        months.append(
            Month(month.label, month.key, (now[0], now[1], now[2]), (then[0], then[1], then[2]))
        )
    return months
