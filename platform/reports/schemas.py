"""Reports DTOs: indicator tables as the JSON API returns them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from reports.indicators.base import Cell, IndicatorTable, Period


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
