"""The ``period`` parameter: years, quarters, months, chosen dates, and what is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.indicators.base import Cell
from reports.periods import choices, parse_period, today
from wusong.core.errors import Invalid


def test_year_quarter_month_and_custom() -> None:
    year = parse_period("2025")
    assert (year.start, year.end, year.label, year.key) == (
        date(2025, 1, 1), date(2026, 1, 1), "2025年", "2025"
    )  # fmt: skip
    q4 = parse_period("2024-Q4")
    assert (q4.start, q4.end, q4.label) == (date(2024, 10, 1), date(2025, 1, 1), "2024年第四季度")
    assert parse_period("2025-q1").key == "2025-Q1"
    march = parse_period("2025-03")
    assert (march.start, march.end, march.label) == (
        date(2025, 3, 1),
        date(2025, 4, 1),
        "2025年3月",
    )
    december = parse_period("2025-12")
    assert december.end == date(2026, 1, 1)
    chosen = parse_period("custom", "2025-01-05", "2025-02-01")
    assert (chosen.start, chosen.end, chosen.last_day) == (
        date(2025, 1, 5), date(2025, 2, 2), date(2025, 2, 1)
    )  # fmt: skip
    assert chosen.label == "2025-01-05 至 2025-02-01"
    assert parse_period(None, "2025-01-05", "2025-01-05").end == date(2025, 1, 6)  # one day
    assert parse_period("２０２５－０３").key == "2025-03"  # full-width, as a phone types it


def test_default_is_the_current_year_in_shanghai() -> None:
    assert parse_period(None) == parse_period(str(today().year))
    assert parse_period("") == parse_period(None, "", "")


@pytest.mark.parametrize(
    ("period", "start", "end", "field"),
    [
        ("2025-13", None, None, "period"),
        ("2025-00", None, None, "period"),
        ("2025-Q5", None, None, "period"),
        ("25", None, None, "period"),
        ("1999", None, None, "period"),
        ("2025-03-01", None, None, "period"),
        ("last year", None, None, "period"),
        ("2025\x00", None, None, "period"),
        ("custom", None, "2025-02-01", "from"),
        ("custom", "2025-02-01", None, "to"),
        ("custom", "2025-02-30", "2025-03-01", "from"),
        ("custom", "2025-02-01", "tomorrow", "to"),
        ("custom", "2025-03-01", "2025-02-01", "to"),
        ("custom", "1900-01-01", "2025-02-01", "from"),
        (None, "2025-01-01", None, "to"),
    ],
)
def test_malformed_periods_name_the_parameter(
    period: str | None, start: str | None, end: str | None, field: str
) -> None:
    with pytest.raises(Invalid) as raised:
        parse_period(period, start, end)
    assert field in raised.value.errors
    assert raised.value.errors[field]  # a Chinese message


def test_previous_year_and_months() -> None:
    leap = parse_period("custom", "2024-02-29", "2024-03-01")
    before = leap.previous_year()
    assert (before.start, before.end) == (date(2023, 2, 28), date(2023, 3, 2))
    q1 = parse_period("2025-Q1")
    assert [m.key for m in q1.months()] == ["2025-01", "2025-02", "2025-03"]
    cut = parse_period("custom", "2025-01-20", "2025-02-10").months()
    assert [(m.start, m.end) for m in cut] == [
        (date(2025, 1, 20), date(2025, 2, 1)), (date(2025, 2, 1), date(2025, 2, 11))
    ]  # fmt: skip


def test_a_running_period_is_compared_with_the_same_days_so_far_last_year() -> None:
    """This year (still running) against last year up to the same day, not all of last year;
    a finished period against the whole period a year earlier."""
    from reports.indicators.base import Period
    from wusong.core.clock import local_today

    today = local_today()
    this_year = Period(date(today.year, 1, 1), date(today.year + 1, 1, 1), "今年", "year")
    before = this_year.previous_year()
    tomorrow = today + timedelta(days=1)
    assert (before.start, before.end) == (
        date(today.year - 1, 1, 1),
        tomorrow.replace(year=tomorrow.year - 1) if (tomorrow.month, tomorrow.day) != (2, 29)
        else date(tomorrow.year - 1, 2, 28),
    )  # fmt: skip
    finished = parse_period(str(today.year - 1)).previous_year()
    assert (finished.start, finished.end) == (
        date(today.year - 2, 1, 1),
        date(today.year - 1, 1, 1),
    )


def test_year_on_year_change() -> None:
    assert Cell(12, 10).change == pytest.approx(20.0)
    assert Cell(5, 10).change == pytest.approx(-50.0)
    assert Cell(5, 0).change is None  # shown as "—"
    assert Cell(5, None).change is None
    assert Cell("宝山村").change is None


def test_the_picker_offers_recent_periods() -> None:
    offered = choices(date(2025, 5, 10))
    assert offered["年度"][0] == ("2025", "2025年")
    assert ("2025-Q2", "2025年第二季度") in offered["季度"]
    assert ("2025-Q3", "2025年第三季度") not in offered["季度"]  # not begun yet
    assert offered["月份"][0] == ("2025-05", "2025年5月")
    assert len(offered["月份"]) == 24
