"""The only module that queries the programs core tables (programs, their configuration
versions, covered areas, staff and activities), always through ``wusong.core.scoped``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from programs.schemas import ActivityRow, ConfigVersion, ProgramRow
from programs.tables import Activity, Program, ProgramArea, ProgramConfig, ProgramMember
from wusong.core.db import as_row, as_rows, as_uuid, json_loaded
from wusong.core.errors import NotFound, PreconditionFailed
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


_CONFIG_COLUMNS = (
    ProgramConfig.id,
    ProgramConfig.version_no,
    ProgramConfig.config,
    ProgramConfig.created_at,
    ProgramConfig.created_by,
)


async def get_program(ctx: TenantContext, program_id: UUID) -> ProgramRow:
    row = (
        await scoped(ctx, Program).select(*_PROGRAM_COLUMNS).where(Program.id == program_id).first()
    )
    if row is None:
        raise NotFound("未找到该项目")
    return as_row(ProgramRow, json_loaded(row, "targets"))


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
        .select(*_CONFIG_COLUMNS)
        .where(ProgramConfig.program == program_id)
    )
    if version_no is None:
        query = query.order_by(ProgramConfig.version_no, ascending=False)
    else:
        query = query.where(ProgramConfig.version_no == version_no)
    row = await query.first()
    return as_row(ConfigVersion, json_loaded(row, "config")) if row else None


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
    return as_rows(ProgramRow, [json_loaded(r, "targets") for r in rows])


async def update_program(
    ctx: TenantContext, program_id: UUID, changes: dict[str, Any], expected_version: int
) -> None:
    """Apply changes if the program is still at ``expected_version`` (optimistic locking)."""
    values: dict[Any, Any] = {
        **changes,
        "updated_at": datetime.now(UTC),
        "version": expected_version + 1,
    }
    rows = (
        await scoped(ctx, Program)
        .update(values)
        .where((Program.id == program_id) & (Program.version == expected_version))
        .returning(Program.id)
    )
    if not rows:
        await get_program(ctx, program_id)  # 404 when it is not ours at all
        raise PreconditionFailed


async def program_area_ids(ctx: TenantContext, program_id: UUID) -> list[UUID]:
    rows = await (
        scoped(ctx, ProgramArea).select(ProgramArea.area).where(ProgramArea.program == program_id)
    )
    return [as_uuid(r["area"]) for r in rows]


async def all_program_areas(ctx: TenantContext) -> dict[UUID, list[UUID]]:
    """Every program's covered areas (program id → area ids)."""
    rows = await scoped(ctx, ProgramArea).select(ProgramArea.program, ProgramArea.area)
    found: dict[UUID, list[UUID]] = {}
    for r in rows:
        found.setdefault(as_uuid(r["program"]), []).append(as_uuid(r["area"]))
    return found


async def config_versions(ctx: TenantContext, program_id: UUID) -> list[ConfigVersion]:
    """Every saved configuration of the program, the newest first."""
    rows = await (
        scoped(ctx, ProgramConfig)
        .select(*_CONFIG_COLUMNS)
        .where(ProgramConfig.program == program_id)
        .order_by(ProgramConfig.version_no, ascending=False)
    )
    return as_rows(ConfigVersion, [json_loaded(r, "config") for r in rows])


async def staff_membership_ids(ctx: TenantContext, program_id: UUID) -> list[UUID]:
    rows = await (
        scoped(ctx, ProgramMember)
        .select(ProgramMember.membership)
        .where(ProgramMember.program == program_id)
    )
    return [as_uuid(r["membership"]) for r in rows]


async def remove_member(ctx: TenantContext, program_id: UUID, membership_id: UUID) -> bool:
    """Whether the member staffed the program (and no longer does)."""
    rows = await (
        scoped(ctx, ProgramMember)
        .delete()
        .where((ProgramMember.program == program_id) & (ProgramMember.membership == membership_id))
        .returning(ProgramMember.id)
    )
    return bool(rows)


_STAFFED = TenantStatement(
    """
    SELECT pm.program AS program FROM program_members pm
    JOIN memberships m ON m.id = pm.membership AND m.tenant = {tenant}
    WHERE pm.tenant = {tenant} AND m."user" = {} AND m.active = true
    """
)


async def staffed_programs(ctx: TenantContext, user_id: UUID) -> set[UUID]:
    """The programs the user staffs here."""
    return {as_uuid(r["program"]) for r in await _STAFFED.fetch(ctx, user_id)}


# ---- activities ------------------------------------------------------------------------------

_ACTIVITY_COLUMNS = (
    Activity.id,
    Activity.program.as_alias("program_id"),
    Activity.kind,
    Activity.occurred_on,
    Activity.people,
    Activity.area.as_alias("area_id"),
    Activity.note,
    Activity.recorded_by,
    Activity.recorded_by_name,
    Activity.created_at,
)


@dataclass(frozen=True)
class ActivityFilter:
    """Which activities of a program: of a kind, between two days (inclusive), in villages."""

    kind: str | None = None
    start: date | None = None
    end: date | None = None
    village: UUID | None = None
    areas: frozenset[UUID] | None = None  # within these areas (a member's work areas)


def _activity_where(program_id: UUID, f: ActivityFilter) -> Any:
    where: Any = Activity.program == program_id
    if f.kind:
        where &= Activity.kind == f.kind
    if f.start:
        where &= Activity.occurred_on >= f.start
    if f.end:
        where &= Activity.occurred_on <= f.end
    if f.village:
        where &= Activity.area == f.village
    if f.areas is not None:
        where &= Activity.area.is_in(list(f.areas) or [UUID(int=0)])
    return where


async def list_activities(
    ctx: TenantContext, program_id: UUID, f: ActivityFilter, *, offset: int, limit: int
) -> tuple[list[ActivityRow], int]:
    """A page of the program's activities, the newest first, and how many match in all."""
    where = _activity_where(program_id, f)
    rows = await (
        scoped(ctx, Activity)
        .select(*_ACTIVITY_COLUMNS)
        .where(where)
        .order_by(Activity.occurred_on, Activity.created_at, ascending=False)
        .offset(offset)
        .limit(limit)
    )
    total = await scoped(ctx, Activity).count().where(where)
    return as_rows(ActivityRow, [{**r, "area_name": ""} for r in rows]), int(total)


async def get_activity(ctx: TenantContext, program_id: UUID, activity_id: UUID) -> ActivityRow:
    row = await (
        scoped(ctx, Activity)
        .select(*_ACTIVITY_COLUMNS)
        .where((Activity.id == activity_id) & (Activity.program == program_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该活动记录")
    return as_row(ActivityRow, {**row, "area_name": ""})


async def insert_activity(ctx: TenantContext, program_id: UUID, values: dict[str, Any]) -> UUID:
    return await insert(ctx, Activity, program=program_id, **values)


async def insert_activities(ctx: TenantContext, rows: list[dict[str, Any]]) -> None:
    """Many activities at once (demo data): each a dict of Activity columns with ``program``."""
    for row in rows:
        await insert(ctx, Activity, **row)


async def delete_activity(ctx: TenantContext, activity_id: UUID) -> None:
    await scoped(ctx, Activity).delete().where(Activity.id == activity_id)
