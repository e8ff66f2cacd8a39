"""What the reports pages read besides indicators: the areas a program covers, with names."""

from __future__ import annotations

from uuid import UUID

import msgspec

from wusong.core.db import as_rows
from wusong.core.scoped import TenantStatement
from wusong.core.tenancy import TenantContext


class CoveredArea(msgspec.Struct):
    id: UUID
    name: str
    kind: str
    parent_id: UUID | None


_COVERED = TenantStatement(
    """
    SELECT a.id, a.name, a.kind, a.parent AS parent_id
    FROM program_areas pa JOIN areas a ON a.id = pa.area AND a.tenant = {tenant}
    WHERE pa.tenant = {tenant} AND pa.program = {}
    ORDER BY a.division_code
    """
)


async def covered_areas(ctx: TenantContext, program_id: UUID) -> list[CoveredArea]:
    """The townships and villages the program covers, in division-code order."""
    return as_rows(CoveredArea, await _COVERED.fetch(ctx, program_id))
