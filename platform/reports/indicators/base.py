"""What every indicator is made of: a period, cells that know their year-on-year value and the
records behind them, and tables that pages render and exports serialise.

Indicators are computed by the database (grouped queries through ``wusong.core.scoped``), never by
loading records into Python. Every figure links to the filtered list of the records it counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from wusong.core.clock import local_today


@dataclass(frozen=True)
class Period:
    """A half-open range of days [start, end): a year, a quarter, a month or chosen dates."""

    start: date
    end: date
    label: str  # 2025年, 2025年第一季度, 2025年3月, 2025-01-05 至 2025-02-01
    key: str  # what the ``period`` query parameter says: 2025, 2025-Q1, 2025-03, custom

    @property
    def last_day(self) -> date:
        """The period's last day (inclusive): what a ``to`` filter of a list says."""
        return self.end - timedelta(days=1)

    def query(self) -> dict[str, str]:
        """The query parameters that choose this period again (pages, exports, the API)."""
        if self.key == "custom":
            return {
                "period": "custom",
                "from": self.start.isoformat(),
                "to": self.last_day.isoformat(),
            }
        return {"period": self.key}

    def previous_year(self) -> Period:
        """The same days a year earlier (29 February becomes 28 February): year-on-year.

        A period still running (this year, this quarter) is compared with the same days so far
        a year earlier — 1 January to 26 November against 1 January to 26 November — not with
        the whole of last year's period, which would show every figure falling.
        """

        def back(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:
                return day.replace(year=day.year - 1, day=28)

        today = local_today()
        end = today + timedelta(days=1) if self.start <= today < self.end else self.end
        return Period(back(self.start), back(end), f"上年同期（{self.label}）", "previous")

    def months(self) -> list[Period]:
        """The calendar months this period touches, each cut to the period."""
        found = []
        first = self.start.replace(day=1)
        while first < self.end:
            following = (first + timedelta(days=32)).replace(day=1)
            start, end = max(first, self.start), min(following, self.end)
            found.append(Period(start, end, f"{first.year}年{first.month}月", f"{first:%Y-%m}"))
            first = following
        return found


@dataclass(frozen=True)
class Cell:
    """One figure; ``previous`` is the same figure a year earlier; ``link`` the records.
    Amounts of money are Decimal (yuan, exact), never float."""

    value: int | float | Decimal | str | None
    previous: int | float | Decimal | None = None
    link: str | None = None
    unit: str = ""

    @property
    def change(self) -> float | None:
        """Year-on-year change in per cent; None when last year is missing or zero."""
        if not isinstance(self.value, int | float | Decimal) or not self.previous:
            return None
        return (float(self.value) - float(self.previous)) * 100 / float(self.previous)


@dataclass
class IndicatorTable:
    """A titled table of figures; ``key`` names it in export URLs (``…/export.csv?table=<key>``)
    and must be unique on a page (a slice prefixes its keys: ``red_property.stars``)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
