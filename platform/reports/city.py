"""The city overview: the counties of a city a user may see, side by side, with a city total.

Who sees what: a user sees exactly the counties where they hold an active viewer or
administrator membership (in an active county), grouped by the counties' city
(``parent_city_code``); a user with counties in two cities gets a section per city.

How it is computed: each county's figures in that county's own unit of work — one read-only
transaction bound to that county (PostgreSQL row-level security sees only its rows), through
the same indicator functions as the county's dashboard. No query reads two counties: only the
list of the user's own memberships spans tenants (like the county switcher). The city total
sums the counties' counts; its rates are computed again from those sums, never averaged.

Aggregates only: counts and rates, no record and no personal data. ``city_overview`` is the one
function the page, the API and (later) the city report PDF use; it opens its own units of work,
so its caller holds none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from reports.indicators import cases, no_litigation, red_property
from reports.indicators.base import Cell, IndicatorTable, Period
from tenants.sessions import CityMembership, city_memberships
from wusong.core import db
from wusong.core.errors import NotFound
from wusong.core.tenancy import Role, TenantContext

# The roles whose members see a county's figures in the city overview.
CITY_ROLES: frozenset[Role] = frozenset({Role.VIEWER, Role.ADMIN})
STARS = red_property.STAR_ROWS


def sees_city(tenants: Any) -> bool:
    """Whether the county switcher's choices (each with the user's role) include a county whose
    figures the city overview shows: the navigation links to it then."""
    return any(choice.role in CITY_ROLES for choice in tenants)


@dataclass(frozen=True)
class CountyFigures:
    """One county's figures for the period; each Cell holds last year's value (the same days)
    and a link the user may follow. ``None``: the county runs no program of that type."""

    slug: str
    name: str
    division_code: str
    role: Role | None  # the user's role there (None for the city total)
    link: str | None  # the county's dashboard for the period
    accepted: Cell
    closed: Cell
    settled: Cell
    rate: Cell  # settled ÷ closed, in per cent
    applied: Cell  # judicial-confirmation applications filed
    confirmed: Cell  # applications the court confirmed
    pilots: Cell | None  # pilot villages of the no-litigation programs
    met: Cell | None  # of them, meeting the rubric
    met_share: Cell | None  # met ÷ pilots, in per cent
    stars: dict[int, Cell] | None  # red-property complexes by stars (5 … 0)
    unrated: Cell | None  # complexes not rated or whose rating expired
    complexes: int | None  # active complexes today
    tenant_id: UUID | None = None  # the county (None for the city total)


@dataclass(frozen=True)
class CitySection:
    code: str  # the city's division code
    name: str
    counties: list[CountyFigures]
    total: CountyFigures  # sums; rates computed again from the sums


@dataclass(frozen=True)
class CityOverview:
    period: Period
    cities: list[CitySection] = field(default_factory=list)


def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _dashboard(ctx: TenantContext, period: Period) -> str:
    return f"/t/{ctx.tenant_slug}/dashboard?{urlencode(period.query())}"


async def county_figures(ctx: TenantContext, period: Period) -> CountyFigures:
    """The county's figures, computed by the unit of work the caller opened for this county."""
    dashboard = _dashboard(ctx, period)
    found = await cases.totals(ctx, period)
    now, then = found.now, found.then
    # Administrators read the case list; viewers read aggregates only: their figures open the
    # county's dashboard, which shows them again with their breakdowns.
    lists = ctx.role is Role.ADMIN
    links = cases.Links(ctx, cases.Scope(None, None), period)
    agreed = links.closed(status=cases.AGREED_FILTER) if lists else dashboard
    pilots = met = met_share = None
    villages = await no_litigation.met_counts(ctx, period)
    if villages is not None:
        everyone = villages.status_link(ctx, period, None) or dashboard
        pilots = Cell(villages.pilots[0], villages.pilots[1], everyone, "个")
        met = Cell(
            villages.met[0],
            villages.met[1],
            villages.status_link(ctx, period, "met") or dashboard,
            "个",
        )
        met_share = Cell(
            _share(villages.met[0], villages.pilots[0]),
            _share(villages.met[1], villages.pilots[1]),
            unit="%",
        )
    stars = unrated = complexes = None
    rated = await red_property.star_counts(ctx, period)
    if rated is not None:
        stars = {
            s: Cell(n, before, rated.link(ctx, stars=s) or dashboard, "个")
            for s, (n, before) in rated.stars.items()
        }
        unrated = Cell(
            rated.unrated[0], rated.unrated[1], rated.link(ctx, due="lapsed") or dashboard, "个"
        )
        complexes = rated.complexes
    return CountyFigures(
        slug=ctx.tenant_slug,
        name=ctx.tenant_name,
        division_code=ctx.division_code,
        role=ctx.role,
        link=dashboard,
        accepted=Cell(now.accepted, then.accepted, links.accepted() if lists else dashboard, "件"),
        closed=Cell(now.closed, then.closed, links.closed() if lists else dashboard, "件"),
        settled=Cell(now.settled, then.settled, agreed, "件"),
        rate=Cell(now.rate, then.rate, unit="%"),
        applied=Cell(found.applied[0], found.applied[1], dashboard, "件"),
        confirmed=Cell(found.confirmed[0], found.confirmed[1], dashboard, "件"),
        pilots=pilots,
        met=met,
        met_share=met_share,
        stars=stars,
        unrated=unrated,
        complexes=complexes,
        tenant_id=ctx.tenant_id,
    )


def _counts(cells: list[Cell | None]) -> Cell | None:
    """The sum of the counties' cells (None when no county has the figure)."""
    present = [c for c in cells if c is not None]
    if not present:
        return None
    return Cell(
        sum(int(c.value or 0) for c in present),
        sum(int(c.previous or 0) for c in present),
        unit=present[0].unit,
    )


def _int(cell: Cell | None, previous: bool = False) -> int:
    if cell is None:
        return 0
    return int((cell.previous if previous else cell.value) or 0)


def city_total(code: str, name: str, counties: list[CountyFigures]) -> CountyFigures:
    """The city's row: the counties' counts summed, rates from the sums (never averaged)."""

    def total(attribute: str) -> Cell | None:
        return _counts([getattr(county, attribute) for county in counties])

    closed, settled = total("closed"), total("settled")
    pilots, met = total("pilots"), total("met")
    with_stars = [c.stars for c in counties if c.stars is not None]
    stars = None
    if with_stars:
        stars = {s: _counts([found[s] for found in with_stars]) or Cell(0, 0) for s in STARS}
    complexes = [c.complexes for c in counties if c.complexes is not None]
    return CountyFigures(
        slug="",
        name=f"{name}合计" if name else "合计",
        division_code=code,
        role=None,
        link=None,
        accepted=total("accepted") or Cell(0, 0),
        closed=closed or Cell(0, 0),
        settled=settled or Cell(0, 0),
        rate=Cell(
            _share(_int(settled), _int(closed)),
            _share(_int(settled, True), _int(closed, True)),
            unit="%",
        ),
        applied=total("applied") or Cell(0, 0),
        confirmed=total("confirmed") or Cell(0, 0),
        pilots=pilots,
        met=met,
        met_share=None
        if pilots is None
        else Cell(
            _share(_int(met), _int(pilots)), _share(_int(met, True), _int(pilots, True)), unit="%"
        ),
        stars=stars,
        unrated=total("unrated"),
        complexes=sum(complexes) if complexes else None,
    )


def county_context(user_id: UUID, county: CountyFigures) -> TenantContext:
    """The user in a county of the overview (to read what they keep there: their city reports)."""
    if county.tenant_id is None or county.role is None:
        raise NotFound
    return _context(user_id, county.tenant_id, county)


def _context(
    user_id: UUID, tenant_id: UUID, county: CityMembership | CountyFigures
) -> TenantContext:
    return TenantContext(
        tenant_id=tenant_id,
        tenant_slug=county.slug,
        tenant_name=county.name,
        division_code=county.division_code,
        user_id=user_id,
        actor_name="",
        role=county.role,
    )


async def city_overview(
    user_id: UUID, period: Period, *, city_of: UUID | None = None
) -> CityOverview:
    """The cities of the user's viewer/administrator counties, each county computed in its own
    unit of work; with ``city_of`` (a county's id), only that county's city. Opens its units:
    call it outside one.

    Raises NotFound when the user may see no county (or is no viewer/administrator of
    ``city_of``): the page and the API answer 404 then, confirming nothing.
    """
    async with db.unit_of_work(writes=False):
        memberships = await city_memberships(user_id, CITY_ROLES)
    if city_of is not None:
        codes = {m.parent_city_code for m in memberships if m.tenant_id == city_of}
        memberships = [m for m in memberships if m.parent_city_code in codes]
    if not memberships:
        raise NotFound
    cities: dict[str, tuple[str, list[CountyFigures]]] = {}
    for county in memberships:
        ctx = _context(user_id, county.tenant_id, county)
        # One read-only transaction bound to this county: row-level security sees only it.
        async with db.unit_of_work(writes=False, tenant_id=county.tenant_id):
            figures = await county_figures(ctx, period)
        name = county.parent_city or county.parent_city_code
        cities.setdefault(county.parent_city_code, (name, []))[1].append(figures)
    return CityOverview(
        period,
        [
            CitySection(code, name, counties, city_total(code, name, counties))
            for code, (name, counties) in cities.items()
        ],
    )


# ---- as tables: the page (and the report) show the counties side by side ------------------------


def _star_label(stars: int) -> str:
    return f"{stars}星" if stars else "无星"


def tables(section: CitySection) -> list[IndicatorTable]:
    """The section as indicator tables: a row per figure, a column per county, then the total."""
    columns = ["指标", *(c.name for c in section.counties), section.total.name]
    every = [*section.counties, section.total]

    def row(label: str, cells: list[Cell | None]) -> list[Cell]:
        return [Cell(label), *(cell or Cell(None) for cell in cells)]

    def figure(label: str, attribute: str) -> list[Cell]:
        return row(label, [getattr(county, attribute) for county in every])

    found = [
        IndicatorTable(
            "city.cases",
            "调解案件",
            columns,
            [
                figure("受理案件", "accepted"),
                figure("办结案件", "closed"),
                figure("调解成功", "settled"),
                figure("调解成功率", "rate"),
            ],
            note="调解成功含部分达成；成功率 = 调解成功 ÷ 办结，合计的成功率按合计数重新计算。",
        ),
        IndicatorTable(
            "city.confirmations",
            "司法确认",
            columns,
            [figure("申请司法确认", "applied"), figure("司法确认有效", "confirmed")],
            note="按申请日期（申请）或法院决定日期（确认有效）统计。",
        ),
    ]
    if any(county.pilots is not None for county in section.counties):
        found.append(
            IndicatorTable(
                "city.no_litigation",
                "无讼村（社区）",
                columns,
                [
                    figure("试点村（社区）", "pilots"),
                    figure("达标村（社区）", "met"),
                    figure("达标比例", "met_share"),
                ],
                note="按各区县无讼村创建项目的评价标准评定；“—”表示该区县没有此类项目。",
            )
        )
    if any(county.stars is not None for county in section.counties):
        star_rows = [
            row(
                _star_label(s),
                [county.stars[s] if county.stars is not None else None for county in every],
            )
            for s in STARS
        ]
        found.append(
            IndicatorTable(
                "city.red_property",
                "红色物业星级分布",
                columns,
                [*star_rows, figure("未评星或已过期", "unrated")],
                note="每个在册小区按期末（进行中的期间为今日）最近一次仍在有效期内的评定计；"
                "上年同期为一年前同日的分布；“—”表示该区县没有此类项目。",
            )
        )
    return found
