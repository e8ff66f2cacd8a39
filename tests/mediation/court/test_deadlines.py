"""Periods counted in days (民事诉讼法 art. 85) against the real 2026 official calendar."""

from __future__ import annotations

from datetime import date

from mediation.deadlines import days_left, period_end


def test_a_period_ending_in_the_national_day_holiday_ends_on_the_first_working_day() -> None:
    # 7 days after 2026-09-26 is 2026-10-03, inside the holiday of 10-01 to 10-07.
    assert period_end(date(2026, 9, 26), 7) == (date(2026, 10, 8), True)


def test_a_shifted_working_saturday_counts_as_a_working_day() -> None:
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休).
    assert period_end(date(2026, 10, 3), 7) == (date(2026, 10, 10), True)
    # and the Sunday 2026-09-20 likewise
    assert period_end(date(2026, 9, 13), 7) == (date(2026, 9, 20), True)


def test_an_ordinary_weekend_moves_the_end_to_monday() -> None:
    assert period_end(date(2026, 10, 17), 7) == (date(2026, 10, 26), True)


def test_the_mid_autumn_holiday_is_not_a_working_day() -> None:
    # 2026-09-25 (Friday) starts the Mid-autumn holiday; the period runs to Monday 09-28.
    assert period_end(date(2026, 9, 22), 3) == (date(2026, 9, 28), True)


def test_a_year_the_calendar_does_not_cover_falls_back_to_weekends() -> None:
    assert period_end(date(2026, 12, 30), 7) == (date(2027, 1, 6), False)
    assert period_end(date(2027, 1, 2), 7) == (date(2027, 1, 11), False)  # Saturday → Monday


def test_the_period_starts_the_day_after_the_event() -> None:
    assert period_end(date(2026, 11, 2), 1).day == date(2026, 11, 3)


def test_days_left_is_negative_once_the_deadline_passed() -> None:
    assert days_left(date(2026, 10, 8), date(2026, 10, 5)) == 3
    assert days_left(date(2026, 10, 8), date(2026, 10, 10)) == -2
