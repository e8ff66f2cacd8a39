"""The only module that queries the programs core tables (programs, their configuration
versions, covered areas, staff and activities), always through ``wusong.core.scoped``."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from programs.schemas import ConfigVersion, ProgramRow
from programs.tables import Program, ProgramArea, ProgramConfig, ProgramMember
from wusong.core.db import as_row, as_rows
from wusong.core.errors import NotFound
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.tenancy import TenantContext

_PROGRAM_COLUMNS = (
    Program.id,
    Program.kind,
    Program.name,
    Program.host_org,
    Program.description,
    Program.starts_on,
    Program.ends_on,
    Program.status,
    Program.targets,
    Program.config_version,
    Program.version,
    Program.updated_at,
)


def _loaded(row: dict[str, Any], *names: str) -> dict[str, Any]:
    """JSON columns come back as text on some engines: decode them."""
    for name in names:
        if isinstance(row.get(name), str):
            row[name] = json.loads(row[name])
    return row


async def get_program(ctx: TenantContext, program_id: UUID) -> ProgramRow:
    row = (
        await scoped(ctx, Program).select(*_PROGRAM_COLUMNS).where(Program.id == program_id).first()
    )
    if row is None:
        raise NotFound("未找到该项目")
    return as_row(ProgramRow, _loaded(row, "targets"))


async def insert_program(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, Program, **values)


async def insert_config(
    ctx: TenantContext, program_id: UUID, version_no: int, config: dict[str, Any]
) -> UUID:
    """A new configuration version (never an update: past results keep their version)."""
    config_id = await insert(
        ctx,
        ProgramConfig,
        program=program_id,
        version_no=version_no,
        config=config,
        created_by=ctx.display_name or ctx.actor_name,
    )
    await (
        scoped(ctx, Program)
        .update({Program.config_version: version_no})
        .where(Program.id == program_id)
    )
    return config_id


async def config_version(
    ctx: TenantContext, program_id: UUID, version_no: int | None = None
) -> ConfigVersion | None:
    """A configuration version of the program (the one in force when ``version_no`` is None)."""
    query = (
        scoped(ctx, ProgramConfig)
        .select(
            ProgramConfig.id,
            ProgramConfig.version_no,
            ProgramConfig.config,
            ProgramConfig.created_at,
            ProgramConfig.created_by,
        )
        .where(ProgramConfig.program == program_id)
    )
    if version_no is None:
        query = query.order_by(ProgramConfig.version_no, ascending=False)
    else:
        query = query.where(ProgramConfig.version_no == version_no)
    row = await query.first()
    return as_row(ConfigVersion, _loaded(row, "config")) if row else None


async def set_areas(ctx: TenantContext, program_id: UUID, area_ids: list[UUID]) -> None:
    await scoped(ctx, ProgramArea).delete().where(ProgramArea.program == program_id)
    for area_id in dict.fromkeys(area_ids):
        await insert(ctx, ProgramArea, program=program_id, area=area_id)


async def add_member(ctx: TenantContext, program_id: UUID, membership_id: UUID) -> None:
    if (
        not await scoped(ctx, ProgramMember)
        .exists()
        .where((ProgramMember.program == program_id) & (ProgramMember.membership == membership_id))
    ):
        await insert(ctx, ProgramMember, program=program_id, membership=membership_id)


_STAFFS = TenantStatement(
    """
    SELECT 1 AS staffs FROM program_members pm
    JOIN memberships m ON m.id = pm.membership AND m.tenant = {tenant}
    WHERE pm.tenant = {tenant} AND pm.program = {} AND m."user" = {} AND m.active = true
    """
)


async def staffs_program(ctx: TenantContext, program_id: UUID, user_id: UUID) -> bool:
    """Whether the user is (actively) assigned to the program."""
    return bool(await _STAFFS.fetch(ctx, program_id, user_id))


async def list_program_rows(ctx: TenantContext) -> list[ProgramRow]:
    rows = await scoped(ctx, Program).select(*_PROGRAM_COLUMNS).order_by(Program.created_at)
    return as_rows(ProgramRow, [_loaded(r, "targets") for r in rows])
