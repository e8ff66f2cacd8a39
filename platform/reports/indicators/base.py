"""What every indicator is made of: a period, cells that know their year-on-year value and the
records behind them, and tables that pages render and exports serialise.

Indicators are computed by the database (grouped queries through ``wusong.core.scoped``), never by
loading records into Python. Every figure links to the filtered list of the records it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Period:
    """A half-open range of days [start, end): a year, a quarter, a month or chosen dates."""

    start: date
    end: date
    label: str  # 2025年, 2025年第一季度, 2025年3月, 2025-01-05 至 2025-02-01
    key: str  # what the ``period`` query parameter says: 2025, 2025-Q1, 2025-03, custom

    def previous_year(self) -> Period:
        """The same days a year earlier (29 February becomes 28 February): year-on-year."""

        def back(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        return Period(back(self.start), back(self.end), f"上年同期（{self.label}）", "previous")


@dataclass(frozen=True)
class Cell:
    """One figure; ``previous`` is the same figure a year earlier; ``link`` the records."""

    value: int | float | str | None
    previous: int | float | None = None
    link: str | None = None
    unit: str = ""


@dataclass
class IndicatorTable:
    """A titled table of figures; ``key`` names it in export URLs (``…/export/<key>.csv``)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
