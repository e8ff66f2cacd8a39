"""No-litigation village rules: counting periods, and a village's status under a rubric.

Pure functions: the use cases evaluate one record with the rubric version its period is bound
to and store the result; indicators then count stored results in the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from programs.no_litigation.config import Config

FIRST_YEAR = 2000
_PERIOD = re.compile(r"^(\d{4})(?:-?[Qq]([1-4]))?$", re.ASCII)


@dataclass(frozen=True)
class CountingPeriod:
    """A year (``2022``) or a quarter (``2022-Q3``): half-open days [start, end)."""

    key: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.key == "custom":
            return f"{self.start} 至 {self.end - timedelta(days=1)}"
        year, _, quarter = self.key.partition("-Q")
        return f"{year}年第{'一二三四'[int(quarter) - 1]}季度" if quarter else f"{year}年"


def counting_period(key: str) -> CountingPeriod | None:
    """The period a key names, whatever the granularity (None when it names none)."""
    match = _PERIOD.match(unicodedata.normalize("NFKC", key).strip())
    if not match:
        return None
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= 2100:
        return None
    if match.group(2) is None:
        return CountingPeriod(str(year), date(year, 1, 1), date(year + 1, 1, 1))
    quarter = int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return CountingPeriod(f"{year}-Q{quarter}", start, end)


def custom_period(start: str, end: str) -> CountingPeriod | None:
    """Chosen days ``from``–``to`` (inclusive, yyyy-mm-dd), as indicator links give them."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return None
    if not (FIRST_YEAR <= first.year <= 2100 and FIRST_YEAR <= last.year <= 2100) or last < first:
        return None
    return CountingPeriod("custom", first, last + timedelta(days=1))


def latest_closed(granularity: str, today: date) -> CountingPeriod:
    """The last period that has ended: last year, or last quarter."""
    if granularity == "quarter":
        quarter = (today.month - 1) // 3
        key = f"{today.year - 1}-Q4" if quarter == 0 else f"{today.year}-Q{quarter}"
    else:
        key = str(today.year - 1)
    found = counting_period(key)
    assert found is not None
    return found


def parse_period(key: str, granularity: str, today: date) -> CountingPeriod | str:
    """The period of a count record, or why it cannot be one (a Chinese message)."""
    period = counting_period(key)
    quarterly = granularity == "quarter"
    if period is None or ("-Q" in period.key) != quarterly:
        example = "2024-Q3" if quarterly else "2024"
        unit = "季度" if quarterly else "年度"
        return f"统计周期须为{unit}，例如 {example}（{FIRST_YEAR} 年以后）"
    if period.start > today:
        return "统计周期尚未开始，不能录入"
    return period


def rate_per_10k(lawsuits: int, population: int) -> Decimal | None:
    """Lawsuits per 10,000 residents (万人成讼率), two decimals; None without residents."""
    if population <= 0:
        return None
    return (Decimal(lawsuits) * 10000 / population).quantize(Decimal("0.01"), ROUND_HALF_UP)


def settled_percent(received: int | None, settled: int | None) -> Decimal | None:
    """Share of received disputes settled locally (就地化解率), in %, one decimal."""
    if not received or settled is None:
        return None
    return (Decimal(settled) * 100 / received).quantize(Decimal("0.1"), ROUND_HALF_UP)


def failed_indicators(
    rubric: Config, lawsuits: int, population: int, received: int | None, settled: int | None
) -> list[str]:
    """The rubric's indicators a village's counts fail (empty: 达标). Exact arithmetic."""
    failed = []
    if "lawsuits" in rubric.indicators and lawsuits > rubric.max_lawsuits:
        failed.append("lawsuits")
    if "rate" in rubric.indicators and Decimal(lawsuits) * 10000 > (
        rubric.max_rate_per_10k * population
    ):
        failed.append("rate")
    if (
        "settled" in rubric.indicators
        and received
        and Decimal(settled or 0) * 100 < Decimal(rubric.min_settled_percent) * received
    ):
        failed.append("settled")
    return failed
