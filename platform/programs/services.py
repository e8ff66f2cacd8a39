"""Programs use cases: create and configure programs, assign staff, log activities.

They run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import msgspec

from programs import repo
from programs.access import require_program_write
from programs.kinds import ACTIVITY_KINDS, KIND_LABELS, PROGRAM_STATUSES, KindSpec, decode_config
from programs.registry import KINDS
from programs.schemas import (
    ActivityCreate,
    ActivityRow,
    ConfigSave,
    ConfigVersion,
    ProgramAreasSet,
    ProgramCreate,
    ProgramDetail,
    ProgramListRow,
    ProgramRow,
    ProgramUpdate,
    StaffAdd,
    StaffRow,
    Transition,
)
from tenants import audit
from tenants import repo as tenants_repo
from tenants.rules import clean_text
from tenants.schemas import AreaRow
from tenants.services import work_scope
from tenants.tables import Area, Membership
from wusong.core.clock import local_today as today
from wusong.core.errors import (
    Conflict,
    FieldErrors,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from wusong.core.scoped import require_owned
from wusong.core.tenancy import TenantContext

MAX_PEOPLE = 10_000


def spec_of(kind: str) -> KindSpec:
    return KINDS[kind]  # type: ignore[index]


def _common(
    errors: FieldErrors, spec: KindSpec | None, data: ProgramCreate | ProgramUpdate
) -> dict[str, Any]:
    """The checked common fields of a program (name, host, period, description, targets)."""
    name = clean_text(errors, "name", "项目名称", data.name, 80)
    host_org = clean_text(errors, "host_org", "承办单位", data.host_org, 80, required=False)
    if len(data.description) > 2000:
        errors.add("description", "简介不能超过 2000 个字")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", "结束日期不能早于开始日期")
    targets: dict[str, int] = {}
    if spec is not None:
        for key, value in data.targets.items():
            if key not in spec.targets:
                errors.add(f"targets.{key}", f"{spec.label}没有目标“{key}”")
            elif value < 0:
                errors.add(f"targets.{key}", f"{spec.targets[key]}的目标不能为负数")
            elif value > 100_000_000:
                errors.add(f"targets.{key}", f"{spec.targets[key]}的目标过大")
            else:
                targets[key] = value
    return {
        "name": name,
        "host_org": host_org,
        "description": data.description.strip(),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "targets": targets,
    }


async def _owned_areas(ctx: TenantContext, area_ids: list[UUID]) -> list[UUID]:
    for area_id in area_ids:
        await require_owned(ctx, Area, area_id, field="area_ids", label="覆盖区域")
    return list(dict.fromkeys(area_ids))


async def create_program(ctx: TenantContext, data: ProgramCreate) -> ProgramRow:
    """A new program in draft, with its first configuration version."""
    errors = FieldErrors()
    spec = KINDS.get(data.kind)  # type: ignore[call-overload]
    if spec is None:
        errors.add("kind", "项目类型须为：" + "、".join(KIND_LABELS.values()))
    area_ids = await _owned_areas(ctx, list(data.area_ids))
    values = _common(errors, spec, data)
    config = decode_config(spec, data.config, errors) if spec is not None else None
    errors.raise_if_any()
    program_id = await repo.insert_program(ctx, {"id": uuid4(), "kind": data.kind, **values})
    config_data: dict[str, Any] = msgspec.to_builtins(config)
    await repo.insert_config(ctx, program_id, 1, config_data)
    await repo.set_areas(ctx, program_id, area_ids)
    await audit.record(
        ctx, "program.create", "program", program_id, {"kind": data.kind, "name": values["name"]}
    )
    return await repo.get_program(ctx, program_id)


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def update_program(
    ctx: TenantContext, program_id: UUID, data: ProgramUpdate, expected_version: int
) -> ProgramRow:
    """Change a program's common fields (optimistic: ``expected_version`` is what was read)."""
    program = await repo.get_program(ctx, program_id)
    errors = FieldErrors()
    values = _common(errors, spec_of(program.kind), data)
    errors.raise_if_any()
    if expected_version != program.version:
        raise PreconditionFailed
    changes = {k: v for k, v in values.items() if getattr(program, k) != v}
    if changes:
        await repo.update_program(ctx, program_id, changes, expected_version)
        before = {k: _shown(getattr(program, k)) for k in changes}
        await audit.record(
            ctx,
            "program.update",
            "program",
            program_id,
            {
                "name": program.name,
                "before": before,
                "after": {k: _shown(v) for k, v in changes.items()},
            },
        )
    return await repo.get_program(ctx, program_id)


async def _area_names(ctx: TenantContext) -> dict[UUID, AreaRow]:
    return {a.id: a for a in await tenants_repo.all_areas(ctx)}


async def set_program_areas(
    ctx: TenantContext, program_id: UUID, data: ProgramAreasSet
) -> list[UUID]:
    """Replace the townships and villages the program covers."""
    program = await repo.get_program(ctx, program_id)
    wanted = await _owned_areas(ctx, list(data.area_ids))
    if program.status == "active" and not wanted:
        raise Invalid({"area_ids": "运行中的项目至少覆盖一个乡镇或村"})
    before = await repo.program_area_ids(ctx, program_id)
    if set(before) != set(wanted):
        await repo.set_areas(ctx, program_id, wanted)
        areas = await _area_names(ctx)

        def label(ids: list[UUID]) -> str:
            return "、".join(areas[a].name for a in ids if a in areas) or "（无）"

        await audit.record(
            ctx,
            "program.areas",
            "program",
            program_id,
            {
                "name": program.name,
                "before": {"areas": label(before)},
                "after": {"areas": label(wanted)},
            },
        )
    return wanted


async def save_config(
    ctx: TenantContext, program_id: UUID, data: ConfigSave, expected: int | None = None
) -> ConfigVersion:
    """A new configuration version (never an update of a past one). ``expected``: the version
    in force when the editor loaded it (PreconditionFailed when another was saved since)."""
    program = await repo.get_program(ctx, program_id)
    spec = spec_of(program.kind)
    errors = FieldErrors()
    config = decode_config(spec, data.config, errors)
    errors.raise_if_any()
    if expected is not None and expected != program.config_version:
        raise PreconditionFailed
    version_no = program.config_version + 1
    await repo.insert_config(ctx, program_id, version_no, msgspec.to_builtins(config))
    await audit.record(
        ctx,
        "program.config",
        "program",
        program_id,
        {"name": program.name, "version_no": version_no},
    )
    saved = await repo.config_version(ctx, program_id, version_no)
    assert saved is not None
    return saved


async def current_config(ctx: TenantContext, program: ProgramRow) -> dict[str, Any]:
    found = await repo.config_version(ctx, program.id)
    return found.config if found else {}


async def program_detail(ctx: TenantContext, program_id: UUID) -> ProgramDetail:
    program = await repo.get_program(ctx, program_id)
    return ProgramDetail(
        program=program,
        area_ids=await repo.program_area_ids(ctx, program_id),
        config=await current_config(ctx, program),
    )


async def activation_problem(ctx: TenantContext, program: ProgramRow) -> str | None:
    """Why the draft program cannot be activated yet (None: it can)."""
    if not await repo.program_area_ids(ctx, program.id):
        return "请先设置项目覆盖的乡镇或村"
    if program.starts_on is None:
        return "请先设置开始日期"
    spec = spec_of(program.kind)
    config = await repo.config_version(ctx, program.id)
    if config is None:
        return "请先保存项目配置"
    errors = FieldErrors()
    decoded = decode_config(spec, config.config, errors)
    if errors.errors:
        return "项目配置有误：" + "；".join(errors.errors.values())
    return spec.not_ready(decoded)


async def _transition(
    ctx: TenantContext, program_id: UUID, data: Transition, source: str, target: str, action: str
) -> ProgramRow:
    program = await repo.get_program(ctx, program_id)
    if data.version is not None and data.version != program.version:
        raise PreconditionFailed
    if program.status != source:
        raise Conflict(
            f"项目{PROGRAM_STATUSES.get(program.status, program.status)}，"
            f"只有{PROGRAM_STATUSES[source]}的项目可以{'启动' if target == 'active' else '结束'}"
        )
    if target == "active" and (problem := await activation_problem(ctx, program)):
        raise Conflict(f"项目还不能启动：{problem}")
    await repo.update_program(ctx, program_id, {"status": target}, program.version)
    await audit.record(
        ctx,
        action,
        "program",
        program_id,
        {"name": program.name, "before": {"status": source}, "after": {"status": target}},
    )
    return await repo.get_program(ctx, program_id)


async def activate_program(ctx: TenantContext, program_id: UUID, data: Transition) -> ProgramRow:
    """Draft → active: only with covered areas, a start date and a ready configuration."""
    return await _transition(ctx, program_id, data, "draft", "active", "program.activate")


async def close_program(ctx: TenantContext, program_id: UUID, data: Transition) -> ProgramRow:
    """Active → closed: its records stay, no new ones are written."""
    return await _transition(ctx, program_id, data, "active", "closed", "program.close")


# ---- lists -------------------------------------------------------------------------------------


def covers(program_areas: list[UUID], area_id: UUID, areas: dict[UUID, AreaRow]) -> bool:
    """Whether a program covering ``program_areas`` covers the area (a township its villages)."""
    area = areas.get(area_id)
    return area_id in program_areas or (area is not None and area.parent_id in program_areas)


async def list_programs(
    ctx: TenantContext, *, kind: str | None = None, status: str | None = None, mine: bool = False
) -> list[ProgramListRow]:
    """The tenant's programs (of a kind, in a status); ``mine``: only those the member staffs
    or that cover one of their work areas."""
    programs = await repo.list_program_rows(ctx)
    program_areas = await repo.all_program_areas(ctx)
    areas = await _area_names(ctx)
    scope = await work_scope(ctx)
    staffed = await repo.staffed_programs(ctx, ctx.user_id) if ctx.user_id else set()
    rows = []
    for p in programs:
        if (kind and p.kind != kind) or (status and p.status != status):
            continue
        covered = program_areas.get(p.id, [])
        is_mine = (
            scope.county
            or p.id in staffed
            or any(covers(covered, a, areas) for a in scope.area_ids)
        )
        if mine and not is_mine:
            continue
        rows.append(
            ProgramListRow(
                id=p.id,
                kind=p.kind,
                name=p.name,
                host_org=p.host_org,
                status=p.status,
                starts_on=p.starts_on,
                ends_on=p.ends_on,
                area_ids=covered,
                areas="、".join(areas[a].name for a in covered if a in areas),
                mine=is_mine,
            )
        )
    return rows


# ---- staff -------------------------------------------------------------------------------------


async def list_staff(ctx: TenantContext, program_id: UUID) -> list[StaffRow]:
    await repo.get_program(ctx, program_id)
    ids = set(await repo.staff_membership_ids(ctx, program_id))
    return [
        StaffRow(
            membership_id=m.id,
            username=m.username,
            display_name=m.display_name,
            role=m.role.value,
            active=m.active,
        )
        for m in await tenants_repo.list_members(ctx)
        if m.id in ids
    ]


async def add_staff(ctx: TenantContext, program_id: UUID, data: StaffAdd) -> StaffRow:
    """Assign a member of this tenant to the program (assigning twice changes nothing)."""
    program = await repo.get_program(ctx, program_id)
    await require_owned(
        ctx, Membership, data.membership_id, field="membership_id", label="工作人员"
    )
    member = await tenants_repo.get_member(ctx, data.membership_id)
    if not member.active:
        raise Invalid({"membership_id": "该用户已停用，不能分配到项目"})
    if member.id not in await repo.staff_membership_ids(ctx, program_id):
        await repo.add_member(ctx, program_id, member.id)
        await audit.record(
            ctx,
            "program.staff_add",
            "program",
            program_id,
            {"name": program.name, "username": member.username},
        )
    return StaffRow(
        membership_id=member.id,
        username=member.username,
        display_name=member.display_name,
        role=member.role.value,
        active=member.active,
    )


async def remove_staff(ctx: TenantContext, program_id: UUID, membership_id: UUID) -> bool:
    """Take a member off the program; whether they were on it."""
    program = await repo.get_program(ctx, program_id)
    member = await tenants_repo.get_member(ctx, membership_id)
    removed = await repo.remove_member(ctx, program_id, membership_id)
    if removed:
        await audit.record(
            ctx,
            "program.staff_remove",
            "program",
            program_id,
            {"name": program.name, "username": member.username},
        )
    return removed


# ---- activities --------------------------------------------------------------------------------


async def activity_program(ctx: TenantContext, program_id: UUID) -> ProgramRow:
    """The program, when its type logs activities (a 404 otherwise, as if no such page)."""
    program = await repo.get_program(ctx, program_id)
    if not spec_of(program.kind).activities:
        raise NotFound("该类型的项目没有活动记录")
    return program


async def offered_activities(ctx: TenantContext, program: ProgramRow) -> dict[str, str]:
    """The activity kinds the program's configuration offers (key → label)."""
    config = await current_config(ctx, program)
    offered = config.get("activity_kinds") or list(ACTIVITY_KINDS)
    return {k: v for k, v in ACTIVITY_KINDS.items() if k in offered}


async def covered_villages(ctx: TenantContext, program_id: UUID) -> list[AreaRow]:
    """The villages the program covers (a covered township: each of its villages)."""
    covered = await repo.program_area_ids(ctx, program_id)
    areas = await _area_names(ctx)
    return [a for a in areas.values() if a.kind == "village" and covers(covered, a.id, areas)]


async def log_activity(ctx: TenantContext, program_id: UUID, data: ActivityCreate) -> ActivityRow:
    """Record one activity of a studio, shared court or help team."""
    program = await activity_program(ctx, program_id)
    errors = FieldErrors()
    offered = await offered_activities(ctx, program)
    if data.kind not in offered:
        errors.add("kind", "活动类型须为：" + "、".join(offered.values()))
    if data.occurred_on > today():
        errors.add("occurred_on", "日期不能晚于今天")
    elif program.starts_on and data.occurred_on < program.starts_on:
        errors.add("occurred_on", f"日期不能早于项目开始日期 {program.starts_on.isoformat()}")
    elif program.ends_on and data.occurred_on > program.ends_on:
        errors.add("occurred_on", f"日期不能晚于项目结束日期 {program.ends_on.isoformat()}")
    if not 1 <= data.people <= MAX_PEOPLE:
        errors.add("people", f"人数须在 1 到 {MAX_PEOPLE} 之间")
    note = clean_text(errors, "note", "备注", data.note, 200, required=False)
    if data.area_id is None:
        errors.add("area_id", "请选择村/社区")
    else:
        await require_owned(ctx, Area, data.area_id, field="area_id", label="村/社区")
        if data.area_id not in {v.id for v in await covered_villages(ctx, program_id)}:
            errors.add("area_id", "该村/社区不在项目覆盖范围内")
    errors.raise_if_any()
    await require_program_write(ctx, program_id, area_id=data.area_id)
    activity_id = await repo.insert_activity(
        ctx,
        program_id,
        {
            "area": data.area_id,
            "kind": data.kind,
            "occurred_on": data.occurred_on,
            "people": data.people,
            "note": note,
            "recorded_by": ctx.user_id,
            "recorded_by_name": (ctx.display_name or ctx.actor_name)[:40],
        },
    )
    await audit.record(
        ctx,
        "activity.create",
        "program_activity",
        activity_id,
        {
            "name": program.name,
            "kind": data.kind,
            "occurred_on": data.occurred_on.isoformat(),
            "people": data.people,
        },
    )
    return await repo.get_activity(ctx, program_id, activity_id)


async def delete_activity(ctx: TenantContext, program_id: UUID, activity_id: UUID) -> None:
    """Remove a mistaken entry: its recorder (still allowed to write there) or an admin."""
    program = await activity_program(ctx, program_id)
    activity = await repo.get_activity(ctx, program_id, activity_id)
    if not ctx.is_admin and activity.recorded_by != ctx.user_id:
        raise Forbidden("只能删除自己登记的活动记录")
    await require_program_write(ctx, program_id, area_id=activity.area_id)
    await repo.delete_activity(ctx, activity_id)
    await audit.record(
        ctx,
        "activity.delete",
        "program_activity",
        activity_id,
        {
            "name": program.name,
            "kind": activity.kind,
            "occurred_on": activity.occurred_on.isoformat(),
            "people": activity.people,
        },
    )
