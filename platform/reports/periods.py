"""The ``period`` query parameter of indicator pages, exports and the API.

``2025`` (a year), ``2025-Q1`` (a quarter), ``2025-03`` (a month), or ``period=custom`` (or no
``period``) with ``from`` and ``to`` dates, both days included. Without any of them: the current
year in Asia/Shanghai. Anything else is an Invalid naming the parameter (422).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from reports.indicators.base import Period
from wusong.core.clock import local_today as today
from wusong.core.errors import Invalid

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
FIRST_YEAR, LAST_YEAR = 2000, 2100
_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
PERIOD_HELP = "期间（period）应为年份（2025）、季度（2025-Q1）、月份（2025-03）或 custom"


def year(value: int) -> Period:
    return Period(date(value, 1, 1), date(value + 1, 1, 1), f"{value}年", str(value))


def quarter(value: int, number: int) -> Period:
    start = date(value, 3 * number - 2, 1)
    end = date(value + 1, 1, 1) if number == 4 else date(value, 3 * number + 1, 1)
    return Period(start, end, f"{value}年{QUARTERS[number - 1]}", f"{value}-Q{number}")


def month(value: int, number: int) -> Period:
    end = date(value + 1, 1, 1) if number == 12 else date(value, number + 1, 1)
    return Period(date(value, number, 1), end, f"{value}年{number}月", f"{value}-{number:02d}")


def custom(start: date, last_day: date) -> Period:
    end = date.fromordinal(last_day.toordinal() + 1)
    return Period(start, end, f"{start.isoformat()} 至 {last_day.isoformat()}", "custom")


def of_days(start: date, last_day: date) -> Period:
    """The period of these days (both included), named as the picker names it when it is a
    whole year, quarter or month (2025年, 2025年第一季度, 2025年3月), else custom dates."""
    found = custom(start, last_day)
    if start.day == 1:
        candidates = [year(start.year), month(start.year, start.month)]
        if start.month % 3 == 1:
            candidates.append(quarter(start.year, start.month // 3 + 1))
        for candidate in candidates:
            if candidate.end == found.end:
                return candidate
    return found


def _in_range(value: int) -> bool:
    return FIRST_YEAR <= value <= LAST_YEAR


def _day(raw: str, field: str, label: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Invalid({field: f"{label}（{field}）应为日期，格式 2025-03-01"}) from None
    if not _in_range(day.year):
        raise Invalid({field: f"{label}（{field}）应在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间"})
    return day


def parse_period(period: str | None, start: str | None = None, end: str | None = None) -> Period:
    """The period the parameters choose (see the module's docstring); Invalid names the bad one."""
    text = unicodedata.normalize("NFKC", period or "").strip()
    first = unicodedata.normalize("NFKC", start or "").strip()
    last = unicodedata.normalize("NFKC", end or "").strip()
    if text == "custom" or (not text and (first or last)):
        errors: dict[str, str] = {}
        days: list[date] = []
        for name, label, value in (("from", "起始日期", first), ("to", "截止日期", last)):
            if not value:
                errors[name] = f"{label}（{name}）不能为空"
                continue
            try:
                days.append(_day(value, name, label))
            except Invalid as error:
                errors.update(error.errors)
        if errors:
            raise Invalid(errors)
        start_day, last_day = days
        if last_day < start_day:
            raise Invalid({"to": "截止日期（to）不能早于起始日期（from）"})
        return custom(start_day, last_day)
    if not text:
        return year(today().year)
    if match := _YEAR.fullmatch(text):
        number = int(match.group(1))
        if _in_range(number):
            return year(number)
    elif match := _QUARTER.fullmatch(text):
        number = int(match.group(1))
        if _in_range(number):
            return quarter(number, int(match.group(2)))
    elif (match := _MONTH.fullmatch(text)) and 1 <= int(match.group(2)) <= 12:
        number = int(match.group(1))
        if _in_range(number):
            return month(number, int(match.group(2)))
    raise Invalid({"period": PERIOD_HELP})


def choices(around: date | None = None) -> dict[str, list[tuple[str, str]]]:
    """What the period picker offers: recent years, quarters and months (value, label)."""
    now = around or today()
    years = [year(y) for y in range(now.year, now.year - 5, -1)]
    quarters = [
        quarter(y, q) for y in (now.year, now.year - 1) for q in (4, 3, 2, 1)
        if date(y, 3 * q - 2, 1) <= now
    ]  # fmt: skip
    months = []
    y, m = now.year, now.month
    for _ in range(24):
        months.append(month(y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return {
        "年度": [(p.key, p.label) for p in years],
        "季度": [(p.key, p.label) for p in quarters],
        "月份": [(p.key, p.label) for p in months],
    }
