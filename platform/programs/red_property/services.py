"""Red property use cases: the complex registry, the rubric, inspections and complaints.

They run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

import calendar
import unicodedata
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import msgspec

from programs import repo as programs_repo
from programs.access import require_program_write
from programs.kinds import ProgramKind, decode_config
from programs.red_property import repo
from programs.red_property.config import SPEC, Config, decode, rate
from programs.red_property.schemas import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    ComplaintCreate,
    ComplaintRow,
    ComplaintUpdate,
    ComplexCreate,
    ComplexRow,
    ComplexUpdate,
    InspectionCreate,
    InspectionRow,
    RubricOut,
    RubricSave,
)
from programs.schemas import ProgramRow
from tenants import audit
from tenants import repo as tenants_repo
from tenants.rules import clean_text
from tenants.tables import Area
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
from wusong.core.tenancy import Role, TenantContext

KIND = ProgramKind.RED_PROPERTY.value


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def get_program(ctx: TenantContext, program_id: UUID) -> ProgramRow:
    """A red-property program of this tenant (a program of another type is a 404 here)."""
    program = await programs_repo.get_program(ctx, program_id)
    if program.kind != KIND:
        raise NotFound("未找到该项目")
    return program


async def current_rubric(ctx: TenantContext, program_id: UUID) -> tuple[int, Config]:
    """The rubric in force: its version number and configuration (version 0: none saved)."""
    found = await programs_repo.config_version(ctx, program_id)
    if found is None:
        return 0, Config()
    return found.version_no, decode(found.config)


async def rubric_out(ctx: TenantContext, program_id: UUID) -> RubricOut:
    await get_program(ctx, program_id)
    found = await programs_repo.config_version(ctx, program_id)
    config = decode(found.config) if found else Config()
    return RubricOut(
        version_no=found.version_no if found else 0,
        config=config,
        created_by=found.created_by if found else "",
        created_at=found.created_at if found else None,
        ready=config.configured and not SPEC.not_ready(config),
    )


async def _writable(
    ctx: TenantContext, program_id: UUID, area_id: UUID | None = None
) -> ProgramRow:
    """The program, when the acting member may write its records (the registry and rubric may
    be prepared before the program starts; nothing is written once it has ended)."""
    program = await require_program_write(
        ctx, program_id, area_id=area_id, kind=KIND, require_active=False
    )
    if program.status == "closed":
        raise Conflict("项目已结束，不能修改")
    return program


# ---- complexes -----------------------------------------------------------------------------


async def _village(ctx: TenantContext, errors: FieldErrors, area_id: UUID) -> UUID | None:
    owned = await require_owned(ctx, Area, area_id, field="area_id", label="所在村/社区")
    area = await tenants_repo.get_area(ctx, owned)
    if area.kind != "village":
        errors.add("area_id", "请选择村/社区（不能选择乡镇/街道）")
    elif not area.active:
        errors.add("area_id", f"{area.name}已停用")
    return owned


def _households(errors: FieldErrors, value: int) -> int:
    if not 0 <= value <= 100_000:
        errors.add("households", "户数须为 0 至 100000")
    return value


async def create_complex(ctx: TenantContext, program_id: UUID, data: ComplexCreate) -> ComplexRow:
    await get_program(ctx, program_id)
    errors = FieldErrors()
    name = clean_text(errors, "name", "小区名称", data.name, 80)
    area_id = await _village(ctx, errors, data.area_id)
    address = clean_text(errors, "address", "地址", data.address, 200, required=False)
    company = clean_text(errors, "company", "物业服务企业", data.company, 80, required=False)
    households = _households(errors, data.households)
    errors.raise_if_any()
    await _writable(ctx, program_id, area_id)
    if await repo.complex_name_taken(ctx, program_id, name):
        raise Invalid({"name": f"本项目已有小区“{name}”"})
    complex_id = await repo.insert_complex(
        ctx,
        {
            "id": uuid4(),
            "program": program_id,
            "area": area_id,
            "name": name,
            "address": address,
            "company": company,
            "households": households,
        },
    )
    await audit.record(
        ctx,
        "red_property.complex.create",
        "property_complex",
        complex_id,
        {"name": name, "households": households},
    )
    return await repo.get_complex(ctx, program_id, complex_id)


async def update_complex(
    ctx: TenantContext,
    program_id: UUID,
    complex_id: UUID,
    data: ComplexUpdate,
    expected_version: int,
) -> ComplexRow:
    """Edit a complex and/or (de)activate it; refused when someone else saved first (412)."""
    current = await repo.get_complex(ctx, program_id, complex_id)
    if not 0 < expected_version < 2**31:
        raise PreconditionFailed
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    if data.name is not None:
        name = clean_text(errors, "name", "小区名称", data.name, 80)
        if name != current.name:
            changes["name"] = name
    if data.area_id is not None and data.area_id != current.area_id:
        changes["area"] = await _village(ctx, errors, data.area_id)
    for field, label, limit in (("address", "地址", 200), ("company", "物业服务企业", 80)):
        value = getattr(data, field)
        if value is not None:
            text = clean_text(errors, field, label, value, limit, required=False)
            if text != getattr(current, field):
                changes[field] = text
    if data.households is not None and data.households != current.households:
        changes["households"] = _households(errors, data.households)
    if data.active is not None and data.active != current.active:
        changes["active"] = data.active
    errors.raise_if_any()
    await _writable(ctx, program_id, current.area_id)
    if "area" in changes:
        await _writable(ctx, program_id, changes["area"])
    if "name" in changes and await repo.complex_name_taken(
        ctx, program_id, changes["name"], complex_id
    ):
        raise Invalid({"name": f"本项目已有小区“{changes['name']}”"})
    if not changes:
        if expected_version != current.version:
            raise PreconditionFailed
        return current
    await repo.update_complex(ctx, program_id, complex_id, expected_version, changes)
    before = {k: str(getattr(current, "area_id" if k == "area" else k)) for k in changes}
    after = {k: str(v) for k, v in changes.items()}
    action = "red_property.complex.update"
    if set(changes) == {"active"}:
        action = (
            "red_property.complex.activate"
            if changes["active"]
            else "red_property.complex.deactivate"
        )
    await audit.record(
        ctx,
        action,
        "property_complex",
        complex_id,
        {"name": current.name, "before": before, "after": after},
    )
    return await repo.get_complex(ctx, program_id, complex_id)


# ---- the rubric ----------------------------------------------------------------------------


async def save_rubric(
    ctx: TenantContext, program_id: UUID, data: RubricSave, expected_version: int | None = None
) -> RubricOut:
    """A new rubric version; ratings already recorded keep the version they were scored under."""
    await get_program(ctx, program_id)
    if not ctx.is_admin and ctx.role is not None:
        raise Forbidden("只有管理员可以修改评星规则")
    program = await _writable(ctx, program_id)
    if expected_version is not None and expected_version != program.config_version:
        raise PreconditionFailed
    errors = FieldErrors()
    config = decode_config(SPEC, msgspec.to_builtins(data.config), errors)
    errors.raise_if_any()
    version_no = program.config_version + 1
    await programs_repo.insert_config(ctx, program_id, version_no, msgspec.to_builtins(config))
    await audit.record(
        ctx,
        "red_property.rubric.save",
        "program",
        program_id,
        {
            "version_no": version_no,
            "criteria": len(config.criteria),
            "vetoes": len(config.vetoes),
            "valid_months": config.valid_months,
        },
    )
    return await rubric_out(ctx, program_id)


# ---- inspections ---------------------------------------------------------------------------


def check_day(errors: FieldErrors, field: str, label: str, day: date) -> None:
    if day > today():
        errors.add(field, f"{label}不能晚于今天")
    elif day.year < 2000:
        errors.add(field, f"{label}须在 2000 年之后")


async def record_inspection(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: InspectionCreate
) -> InspectionRow:
    """An inspector's dated, scored inspection; the rating is computed and kept with it."""
    await get_program(ctx, program_id)
    if ctx.role is not None and ctx.role is not Role.INSPECTOR:
        raise Forbidden("只有物业督察员可以登记督察记录")
    target = await repo.get_complex(ctx, program_id, complex_id)
    await require_program_write(ctx, program_id, area_id=target.area_id, kind=KIND)
    if not target.active:
        raise Conflict("该小区已停用，不能登记督察记录")
    version_no, config = await current_rubric(ctx, program_id)
    if SPEC.not_ready(config):
        raise Conflict("评星规则尚未设置，请管理员先设置评星规则")
    if data.config_version is not None and data.config_version != version_no:
        raise Conflict(f"评星规则已更新为第 {version_no} 版，请按新规则重新评分")
    errors = FieldErrors()
    check_day(errors, "inspected_on", "督察日期", data.inspected_on)
    if len(data.scores) != len(config.criteria):
        errors.add("scores", f"须为全部 {len(config.criteria)} 个评分项打分")
    else:
        for i, (criterion, score) in enumerate(zip(config.criteria, data.scores, strict=True)):
            if not 0 <= score <= criterion.weight:
                errors.add(f"scores[{i}]", f"“{criterion.name}”的得分须为 0 至 {criterion.weight}")
    known = {v.name for v in config.vetoes}
    unknown = [v for v in data.vetoes if v not in known]
    if unknown:
        errors.add("vetoes", "评星规则中没有否决项：" + "、".join(unknown))
    notes = data.notes.replace("\r\n", "\n").strip()
    if len(notes) > 1000:
        errors.add("notes", "督察意见不能超过 1000 个字")
    errors.raise_if_any()
    vetoes = list(dict.fromkeys(data.vetoes))
    rating = rate(config, data.scores, bool(vetoes))
    valid_until = add_months(data.inspected_on, config.valid_months)
    inspection_id = await repo.insert_inspection(
        ctx,
        {
            "id": uuid4(),
            "program": program_id,
            "property_complex": complex_id,
            "inspected_on": data.inspected_on,
            "config_version": version_no,
            "scores": [
                {"name": c.name, "weight": c.weight, "score": s}
                for c, s in zip(config.criteria, data.scores, strict=True)
            ],
            "vetoes": vetoes,
            "score": rating.score,
            "stars": rating.stars,
            "fee_level": rating.fee_level,
            "fee_ceiling_fen": rating.fee_ceiling_fen,
            "valid_until": valid_until,
            "notes": notes,
            "inspector": ctx.user_id,
            "inspector_name": ctx.display_name or ctx.actor_name,
        },
    )
    await repo.refresh_rating(ctx, complex_id)
    await audit.record(
        ctx,
        "red_property.inspection.create",
        "inspection",
        inspection_id,
        {
            "complex": target.name,
            "inspected_on": data.inspected_on.isoformat(),
            "score": rating.score,
            "stars": rating.stars,
            "fee_level": rating.fee_level,
            "version_no": version_no,
        },
    )
    return await repo.get_inspection(ctx, program_id, inspection_id)


# ---- complaints ----------------------------------------------------------------------------

COMPLAINT_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR, Role.VILLAGE_OFFICER})


async def record_complaint(
    ctx: TenantContext, program_id: UUID, complex_id: UUID, data: ComplaintCreate
) -> ComplaintRow:
    await get_program(ctx, program_id)
    if ctx.role is not None and ctx.role not in COMPLAINT_ROLES:
        raise Forbidden("只有管理员、物业督察员或村务工作者可以登记投诉")
    target = await repo.get_complex(ctx, program_id, complex_id)
    await require_program_write(ctx, program_id, area_id=target.area_id, kind=KIND)
    errors = FieldErrors()
    check_day(errors, "received_on", "投诉日期", data.received_on)
    if data.category not in COMPLAINT_CATEGORIES:
        errors.add("category", "类别须为：" + "、".join(COMPLAINT_CATEGORIES.values()))
    summary = " ".join(unicodedata.normalize("NFC", data.summary).split())
    summary = clean_text(errors, "summary", "投诉内容", summary, 500)
    errors.raise_if_any()
    complaint_id = await repo.insert_complaint(
        ctx,
        {
            "id": uuid4(),
            "program": program_id,
            "property_complex": complex_id,
            "received_on": data.received_on,
            "category": data.category,
            "collective": data.collective,
            "summary": summary,
            "recorded_by_name": ctx.display_name or ctx.actor_name,
        },
    )
    await audit.record(
        ctx,
        "red_property.complaint.create",
        "complaint",
        complaint_id,
        {
            "complex": target.name,
            "received_on": data.received_on.isoformat(),
            "category": COMPLAINT_CATEGORIES[data.category],
            "collective": data.collective,
        },
    )
    return await repo.get_complaint(ctx, program_id, complaint_id)


async def update_complaint(
    ctx: TenantContext, program_id: UUID, complaint_id: UUID, data: ComplaintUpdate
) -> ComplaintRow:
    """Mark a complaint handled (or open again)."""
    await get_program(ctx, program_id)
    if ctx.role is not None and ctx.role not in COMPLAINT_ROLES:
        raise Forbidden("只有管理员、物业督察员或村务工作者可以处理投诉")
    current = await repo.get_complaint(ctx, program_id, complaint_id)
    target = await repo.get_complex(ctx, program_id, current.complex_id)
    await require_program_write(ctx, program_id, area_id=target.area_id, kind=KIND)
    if data.status not in COMPLAINT_STATUSES:
        raise Invalid({"status": "处理状态须为：" + "、".join(COMPLAINT_STATUSES.values())})
    version = current.version if data.version is None else data.version
    if data.status == current.status:
        if version != current.version:
            raise PreconditionFailed
        return current
    await repo.set_complaint_status(ctx, complaint_id, data.status, version)
    await audit.record(
        ctx,
        "red_property.complaint.update",
        "complaint",
        complaint_id,
        {
            "complex": target.name,
            "before": {"status": COMPLAINT_STATUSES[current.status]},
            "after": {"status": COMPLAINT_STATUSES[data.status]},
        },
    )
    return await repo.get_complaint(ctx, program_id, complaint_id)
