"""What an indicator page, export or API call is asked for: a period and, optionally, a village.

The API refuses a bad parameter (422 naming it); a page says what was wrong and shows the
default instead, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode
from uuid import UUID

from reports.indicators.base import Period
from reports.periods import parse_period, today, year
from tenants.tables import Area
from wusong.core.errors import Invalid
from wusong.core.scoped import require_owned
from wusong.core.tenancy import TenantContext


@dataclass
class Selection:
    period: Period
    village_id: UUID | None = None
    problems: dict[str, str] = field(default_factory=dict)  # parameter → why it was ignored

    def query(self, **extra: str) -> str:
        values = {**self.period.query()}
        if self.village_id is not None:
            values["village"] = str(self.village_id)
        values.update(extra)
        return urlencode(values)


async def select(
    ctx: TenantContext,
    period: str | None,
    start: str | None,
    end: str | None,
    village: str | None,
) -> Selection:
    """The API's reading: Invalid (422) naming every bad parameter."""
    chosen = await select_leniently(ctx, period, start, end, village)
    if chosen.problems:
        raise Invalid(chosen.problems)
    return chosen


def period_leniently(
    period: str | None, start: str | None, end: str | None
) -> tuple[Period, dict[str, str]]:
    """A page's reading of the period alone: the current year when it cannot be used, and why."""
    try:
        return parse_period(period, start, end), {}
    except Invalid as error:
        return year(today().year), dict(error.errors)


async def select_leniently(
    ctx: TenantContext,
    period: str | None,
    start: str | None,
    end: str | None,
    village: str | None,
) -> Selection:
    """A page's reading: what cannot be used is named in ``problems`` and left at its default."""
    chosen, problems = period_leniently(period, start, end)
    village_id = None
    if village:
        try:
            village_id = await require_owned(ctx, Area, village, field="village", label="村/社区")
        except Invalid as error:
            problems.update(error.errors)
    return Selection(chosen, village_id, problems)
