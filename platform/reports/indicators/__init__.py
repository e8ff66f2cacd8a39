"""Indicators of every program type, by kind: each module computes its tables for a program
(``program_tables``) and its share of the tenant dashboard (``tenant_tables``).

The contract every indicator module keeps (``activities``, ``cases``, ``no_litigation``,
``red_property``, ``village_rules``):

    async def program_tables(ctx, program: ProgramRow, period: Period,
                             village_id: UUID | None = None) -> list[IndicatorTable]
    async def tenant_tables(ctx, period: Period,
                            village_id: UUID | None = None) -> list[IndicatorTable]

- grouped queries in the database (``TenantStatement`` or ``scoped``), tenant-first, never
  rows loaded into Python to be counted; ``village_id`` (already checked to be this tenant's
  area) narrows every figure to that village, None means the whole county;
- ``Cell.previous`` is the same figure for ``period.previous_year()`` (None when it has no
  meaning), ``Cell.link`` the list of exactly the records the figure counts;
- table keys are unique across modules: prefix them with the module (``red_property.stars``);
- return [] when there is nothing to show (no program of the type): no empty placeholders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import ModuleType
from uuid import UUID

from programs.kinds import ProgramKind
from programs.schemas import ProgramRow
from reports.indicators import activities, cases, no_litigation, red_property, village_rules
from reports.indicators.base import IndicatorTable, Period
from reports.indicators.cache import cached
from reports.indicators.overview import programs_table
from wusong.core.tenancy import TenantContext

ProgramTables = Callable[
    [TenantContext, ProgramRow, Period, UUID | None], Awaitable[list[IndicatorTable]]
]

# Program type → the modules computing its tables, in the order the page shows them.
MODULES: dict[ProgramKind, tuple[ModuleType, ...]] = {
    ProgramKind.MEDIATION_STUDIO: (cases, activities),
    ProgramKind.SHARED_COURT: (cases, activities),
    ProgramKind.HELP_TEAM: (cases, activities),
    ProgramKind.NO_LITIGATION_VILLAGE: (no_litigation, cases),
    ProgramKind.RED_PROPERTY: (red_property,),
    ProgramKind.VILLAGE_RULES: (village_rules,),
}
assert set(MODULES) == set(ProgramKind), "every program type has its indicator module"

# The dashboard's sections, in the order they are shown.
DASHBOARD_MODULES: tuple[ModuleType, ...] = (
    activities,
    cases,
    no_litigation,
    red_property,
    village_rules,
)


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """Every indicator table of the program's type, for the period (and village)."""
    modules = MODULES[ProgramKind(program.kind)]

    async def compute() -> list[IndicatorTable]:
        tables: list[IndicatorTable] = []
        for module in modules:
            tables += await module.program_tables(ctx, program, period, village_id)
        return _unique(tables)

    key = ("program", program.id, program.version, program.config_version, period, village_id)
    return await cached(ctx, key, compute)


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    """The tenant dashboard: programs by type and status, then each module's tables."""

    async def compute() -> list[IndicatorTable]:
        tables = [await programs_table(ctx)]
        for module in DASHBOARD_MODULES:
            tables += await module.tenant_tables(ctx, period, village_id)
        return _unique(tables)

    return await cached(ctx, ("dashboard", period, village_id), compute)


def _unique(tables: list[IndicatorTable]) -> list[IndicatorTable]:
    keys = [table.key for table in tables]
    duplicated = {key for key in keys if keys.count(key) > 1}
    assert not duplicated, f"indicator table keys must be unique on a page: {duplicated}"
    return tables
