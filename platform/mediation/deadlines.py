"""Periods counted in days (民事诉讼法 art. 85): a period starts the day after its event; when
its last day is not a working day it ends on the first working day after it. Working days come
from China's official holiday calendar with its shifted working days (调休, the
``chinese-calendar`` package); for a year the calendar does not know yet, Saturdays and Sundays
are the only days off and the result says so (``known=False``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

import chinese_calendar


class Deadline(NamedTuple):
    day: date
    known: bool  # False: a year the official calendar does not cover (weekends assumed)


def is_working_day(day: date) -> tuple[bool, bool]:
    """(is it a working day, does the official calendar know its year)."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def period_end(event: date, days: int) -> Deadline:
    """The last day of a period of ``days`` days after ``event``."""
    day = event + timedelta(days=days)
    known = True
    while True:
        working, in_calendar = is_working_day(day)
        known = known and in_calendar
        if working:
            return Deadline(day, known)
        day += timedelta(days=1)


def days_left(deadline: date, today: date) -> int:
    """Days from ``today`` to ``deadline`` (negative once it has passed)."""
    return (deadline - today).days
