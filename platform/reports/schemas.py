"""Reports DTOs: indicator tables as the JSON API returns them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from reports.indicators.base import Cell, IndicatorTable, Period

if TYPE_CHECKING:
    from reports.city import CityOverview, CountyFigures


class CellOut(msgspec.Struct):
    """One figure: its value, last year's (same days), the change in per cent, its records.
    An amount of money (unit 元) is an exact decimal string, e.g. "12000.50"."""

    value: int | float | str | None
    previous: int | float | str | None = None
    change: float | None = None
    link: str | None = None  # the page listing the records behind the figure
    unit: str = ""


class TableOut(msgspec.Struct):
    key: str
    title: str
    columns: list[str]
    rows: list[list[CellOut]]
    note: str = ""


class PeriodOut(msgspec.Struct):
    """The chosen period; ``to`` and ``previous_to`` are inclusive."""

    key: str
    label: str
    from_: date = msgspec.field(name="from")
    to: date
    previous_from: date
    previous_to: date


class ProgramIndicators(msgspec.Struct):
    program_id: UUID
    program_name: str
    kind: str
    period: PeriodOut
    village_id: UUID | None
    tables: list[TableOut]


class Dashboard(msgspec.Struct):
    period: PeriodOut
    village_id: UUID | None
    tables: list[TableOut]


def _exact(value: int | float | Decimal | str | None) -> int | float | str | None:
    return str(value) if isinstance(value, Decimal) else value


def cell_out(cell: Cell) -> CellOut:
    change = cell.change
    return CellOut(
        _exact(cell.value),
        _exact(cell.previous),
        None if change is None else round(change, 1),
        cell.link,
        cell.unit,
    )


def table_out(table: IndicatorTable) -> TableOut:
    rows = [[cell_out(cell) for cell in row] for row in table.rows]
    return TableOut(table.key, table.title, table.columns, rows, table.note)


def period_out(period: Period) -> PeriodOut:
    before = period.previous_year()
    return PeriodOut(
        period.key, period.label, period.start, period.last_day, before.start, before.last_day
    )


# ---- the city overview -------------------------------------------------------------------------


class StarsOut(msgspec.Struct):
    """Red-property complexes rated ``stars`` (0: no star, vetoes included)."""

    stars: int
    complexes: CellOut


class NoLitigationOut(msgspec.Struct):
    """Pilot villages of the county's no-litigation programs and those meeting the rubric."""

    pilots: CellOut
    met: CellOut
    met_share: CellOut


class RedPropertyOut(msgspec.Struct):
    """Active complexes by rating on the period's last day (today for a running period)."""

    complexes: int | None
    stars: list[StarsOut]
    unrated: CellOut


class CountyOut(msgspec.Struct):
    """One county's figures (the city total has no slug, role or link). ``no_litigation`` and
    ``red_property`` are null when the county runs no program of that type."""

    slug: str | None
    name: str
    division_code: str
    role: str | None
    link: str | None
    accepted: CellOut
    closed: CellOut
    settled: CellOut
    success_rate: CellOut
    confirmations_applied: CellOut
    confirmations_confirmed: CellOut
    no_litigation: NoLitigationOut | None
    red_property: RedPropertyOut | None


class CityOut(msgspec.Struct):
    code: str
    name: str
    counties: list[CountyOut]
    total: CountyOut


class CityOverviewOut(msgspec.Struct):
    period: PeriodOut
    cities: list[CityOut]


def county_out(county: CountyFigures) -> CountyOut:
    """A county's figures as the API returns it."""
    villages = None
    if county.pilots is not None:
        villages = NoLitigationOut(
            cell_out(county.pilots),
            cell_out(county.met or Cell(None)),
            cell_out(county.met_share or Cell(None)),
        )
    rated = None
    if county.stars is not None:
        rated = RedPropertyOut(
            county.complexes,
            [StarsOut(stars, cell_out(cell)) for stars, cell in county.stars.items()],
            cell_out(county.unrated or Cell(None)),
        )
    return CountyOut(
        slug=county.slug or None,
        name=county.name,
        division_code=county.division_code,
        role=county.role.value if county.role else None,
        link=county.link,
        accepted=cell_out(county.accepted),
        closed=cell_out(county.closed),
        settled=cell_out(county.settled),
        success_rate=cell_out(county.rate),
        confirmations_applied=cell_out(county.applied),
        confirmations_confirmed=cell_out(county.confirmed),
        no_litigation=villages,
        red_property=rated,
    )


def city_overview_out(overview: CityOverview) -> CityOverviewOut:
    """The city overview as the API returns it."""
    return CityOverviewOut(
        period_out(overview.period),
        [
            CityOut(
                city.code, city.name, [county_out(c) for c in city.counties], county_out(city.total)
            )
            for city in overview.cities
        ],
    )
