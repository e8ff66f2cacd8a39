"""Time as people see it: stored in UTC, shown and entered in Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """Today in Asia/Shanghai: what "not in the future" and "so far this year" mean to users."""
    return datetime.now(SHANGHAI).date()


def local_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """UTC in the database, Asia/Shanghai on the screen (a Jinja filter)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:  # not a time after all (an audit diff written by hand): as it is
            return value
    return str(value.astimezone(SHANGHAI).strftime(fmt))


def local_day(value: str) -> datetime | None:
    """A yyyy-mm-dd date typed by a person, as the start of that day in Asia/Shanghai."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def day_after(value: str) -> datetime | None:
    """The end of a typed day (exclusive), for "until" filters."""
    day = local_day(value)
    return day + timedelta(days=1) if day else None
