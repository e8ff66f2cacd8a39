"""Indicators of activities programs, computed by grouped queries in the database."""

from __future__ import annotations

from uuid import UUID

from programs.schemas import ProgramRow
from reports.indicators.base import IndicatorTable, Period
from wusong.core.tenancy import TenantContext


async def program_tables(
    ctx: TenantContext, program: ProgramRow, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    return []


async def tenant_tables(
    ctx: TenantContext, period: Period, village_id: UUID | None = None
) -> list[IndicatorTable]:
    return []
