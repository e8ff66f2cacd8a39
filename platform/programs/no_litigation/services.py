"""No-litigation village use cases: the rubric, the pilot list, and counts per period.

They run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from programs import repo as programs_repo
from programs.access import require_program_write
from programs.kinds import ProgramKind, decode_config
from programs.no_litigation import repo
from programs.no_litigation.config import SPEC, Config
from programs.no_litigation.rules import (
    CountingPeriod,
    counting_period,
    custom_period,
    failed_indicators,
    latest_closed,
    parse_period,
)
from programs.no_litigation.schemas import (
    CountCreate,
    CountRow,
    CountUpdate,
    PilotCreate,
    PilotRow,
    PilotUpdate,
    RubricOut,
)
from programs.schemas import ProgramRow
from tenants import audit
from tenants import repo as tenants_repo
from tenants.rules import clean_text
from tenants.tables import Area
from wusong.core.clock import SHANGHAI
from wusong.core.errors import Conflict, FieldErrors, Invalid, NotFound, PreconditionFailed
from wusong.core.scoped import require_owned
from wusong.core.tenancy import TenantContext

KIND = ProgramKind.NO_LITIGATION_VILLAGE.value
MAX_PEOPLE = 10_000_000
MAX_COUNT = 1_000_000


async def no_litigation_program(ctx: TenantContext, program_id: UUID) -> ProgramRow:
    """The program, when it is this tenant's and of this type (else 404)."""
    program = await programs_repo.get_program(ctx, program_id)
    if program.kind != KIND:
        raise NotFound("未找到该项目")
    return program


async def rubric(ctx: TenantContext, program_id: UUID, version_no: int | None = None) -> RubricOut:
    """The rubric in force (or version ``version_no``) of the program."""
    found = await programs_repo.config_version(ctx, program_id, version_no)
    if found is None:
        raise NotFound("未找到该版本的评价标准")
    config = msgspec.convert(found.config, Config, strict=False)
    return RubricOut(found.version_no, config, found.created_at, found.created_by)


# ---- the rubric ------------------------------------------------------------------------------


async def save_rubric(
    ctx: TenantContext, program_id: UUID, data: dict[str, Any], expected_version: int
) -> RubricOut:
    """Save the rubric as a new version (never an update: evaluated periods keep theirs)."""
    program = await require_program_write(ctx, program_id, kind=KIND, require_active=False)
    if program.status == "closed":
        raise Conflict("项目已结束，不能修改评价标准")
    if expected_version != program.config_version:
        raise PreconditionFailed
    errors = FieldErrors()
    config = decode_config(SPEC, data, errors)
    errors.raise_if_any()
    stored: dict[str, Any] = msgspec.to_builtins(config)
    version_no = program.config_version + 1
    await programs_repo.insert_config(ctx, program_id, version_no, stored)
    await audit.record(
        ctx,
        "no_litigation.rubric",
        "program",
        program_id,
        {"program": program.name, "config_version": version_no, "after": stored},
    )
    return await rubric(ctx, program_id, version_no)


# ---- pilot villages --------------------------------------------------------------------------


def _check_people(errors: FieldErrors, population: int | None, households: int | None) -> None:
    if population is not None and not 1 <= population <= MAX_PEOPLE:
        errors.add("population", "常住人口须为大于 0 的整数")
    if households is not None and not 0 <= households <= MAX_PEOPLE:
        errors.add("households", "户数须为不小于 0 的整数")
    if population is not None and households is not None and households > population:
        errors.add("households", "户数不能多于常住人口")


async def add_pilot(ctx: TenantContext, program_id: UUID, data: PilotCreate) -> PilotRow:
    """A village joins the pilot list; the program then covers it, if it did not already."""
    program = await require_program_write(ctx, program_id, kind=KIND, require_active=False)
    if program.status == "closed":
        raise Conflict("项目已结束，不能调整试点村（社区）")
    area_id = await require_owned(ctx, Area, data.area_id, field="area_id", label="村（社区）")
    area = await tenants_repo.get_area(ctx, area_id)
    errors = FieldErrors()
    if area.kind != "village":
        errors.add("area_id", "试点须为村或社区，不能是乡镇/街道")
    elif not area.active:
        errors.add("area_id", f"{area.name}已停用")
    elif await repo.pilot_by_area(ctx, program_id, area_id) is not None:
        errors.add("area_id", f"{area.name}已在试点名单中")
    _check_people(errors, data.population, data.households)
    errors.raise_if_any()
    covered = [area_id] + ([area.parent_id] if area.parent_id else [])
    newly_covered = not await repo.program_covers(ctx, program_id, covered)
    if newly_covered:
        await repo.add_program_area(ctx, program_id, area_id)
    pilot_id = await repo.insert_pilot(
        ctx,
        {
            "id": uuid4(),
            "program": program_id,
            "area": area_id,
            "population": data.population,
            "households": data.households,
        },
    )
    diff: dict[str, Any] = {"program": program.name, "area": area.name}
    diff["population"] = data.population
    if newly_covered:
        diff["covered"] = True
    await audit.record(ctx, "no_litigation.pilot_add", "no_litigation_pilot", pilot_id, diff)
    return await repo.get_pilot(ctx, program_id, pilot_id)


async def update_pilot(
    ctx: TenantContext, program_id: UUID, pilot_id: UUID, data: PilotUpdate, expected: int
) -> PilotRow:
    """Correct a pilot village's population (counts already saved keep theirs)."""
    program = await require_program_write(ctx, program_id, kind=KIND, require_active=False)
    current = await repo.get_pilot(ctx, program_id, pilot_id)
    if program.status == "closed":
        raise Conflict("项目已结束，不能调整试点村（社区）")
    if not 0 < expected < 2**31:
        raise PreconditionFailed
    errors = FieldErrors()
    population = data.population if data.population is not None else current.population
    households = data.households if data.households is not None else current.households
    _check_people(errors, population, households)
    errors.raise_if_any()
    changes: dict[str, Any] = {}
    if population != current.population:
        changes["population"] = population
    if households != current.households:
        changes["households"] = households
    if not changes:
        if expected != current.version:
            raise PreconditionFailed
        return current
    updated = await repo.update_pilot(ctx, program_id, pilot_id, expected, changes)
    before = {key: getattr(current, key) for key in changes}
    await audit.record(
        ctx,
        "no_litigation.pilot_update",
        "no_litigation_pilot",
        pilot_id,
        {"area": current.village_name, "before": before, "after": changes},
    )
    return updated


# ---- counts ----------------------------------------------------------------------------------


def _check_counts(errors: FieldErrors, data: CountUpdate | CountCreate, rubric: Config) -> None:
    if not 0 <= data.lawsuits <= MAX_COUNT:
        errors.add("lawsuits", "新增诉讼案件数须为不小于 0 的整数")
    received, settled = data.disputes_received, data.disputes_settled
    if received is not None and not 0 <= received <= MAX_COUNT:
        errors.add("disputes_received", "受理矛盾纠纷数须为不小于 0 的整数")
    if settled is not None and not 0 <= settled <= MAX_COUNT:
        errors.add("disputes_settled", "就地化解纠纷数须为不小于 0 的整数")
    if "settled" in rubric.indicators:
        if received is None:
            errors.add("disputes_received", "评价标准包含就地化解率：请填写受理矛盾纠纷数")
        if settled is None:
            errors.add("disputes_settled", "评价标准包含就地化解率：请填写就地化解纠纷数")
    if settled is not None and received is None and "disputes_received" not in errors:
        errors.add("disputes_received", "填写了就地化解纠纷数时，请同时填写受理矛盾纠纷数")
    if (
        received is not None
        and settled is not None
        and settled > received
        and "disputes_settled" not in errors
    ):
        errors.add("disputes_settled", "就地化解纠纷数不能多于受理矛盾纠纷数")
    if len(data.note) > 200:
        errors.add("note", "备注不能超过 200 个字")


def _evaluation(rubric: Config, data: CountUpdate | CountCreate, population: int) -> dict[str, Any]:
    failed = failed_indicators(
        rubric, data.lawsuits, population, data.disputes_received, data.disputes_settled
    )
    return {
        "status": "failed" if failed else "met",
        "failed_lawsuits": int("lawsuits" in failed),
        "failed_rate": int("rate" in failed),
        "failed_settled": int("settled" in failed),
    }


def _today() -> date:
    return datetime.now(SHANGHAI).date()


async def record_count(ctx: TenantContext, program_id: UUID, data: CountCreate) -> CountRow:
    """A pilot village's counts for a period, evaluated under the period's rubric version.

    A period is bound to the rubric in force when its first count was entered: a later rubric
    applies to later periods, never to one already being counted.
    """
    await no_litigation_program(ctx, program_id)
    area_id = await require_owned(
        ctx, Area, data.village_id, field="village_id", label="村（社区）"
    )
    pilot = await repo.pilot_by_area(ctx, program_id, area_id)
    if pilot is None:
        raise Invalid({"village_id": "该村（社区）不在本项目的试点名单中"})
    program = await require_program_write(ctx, program_id, area_id=area_id, kind=KIND)
    current = await rubric(ctx, program_id)
    errors = FieldErrors()
    period = parse_period(data.period, current.config.granularity, _today())
    if isinstance(period, str):
        errors.add("period", period)
    _check_counts(errors, data, current.config)
    note = clean_text(errors, "note", "备注", data.note, 200, required=False)
    errors.raise_if_any()
    assert isinstance(period, CountingPeriod)
    if not current.config.indicators:
        raise Conflict("评价标准尚未选择任何指标，请管理员先设置评价标准")
    if await repo.count_for(ctx, program_id, pilot.id, period.key) is not None:
        raise Conflict(f"{pilot.village_name}{period.label}的统计已录入，请修改已有记录")
    bound = await repo.period_version(ctx, program_id, period.key)
    used = (
        current
        if bound is None or bound == current.version_no
        else await rubric(ctx, program_id, bound)
    )
    count_id = await repo.insert_count(
        ctx,
        {
            "id": uuid4(),
            "program": program_id,
            "pilot": pilot.id,
            "area": area_id,
            "period_key": period.key,
            "period_start": period.start,
            "period_end": period.end,
            "lawsuits": data.lawsuits,
            "disputes_received": data.disputes_received,
            "disputes_settled": data.disputes_settled,
            "population": pilot.population,
            "config_version": used.version_no,
            "note": note,
            "recorded_by_name": ctx.display_name or ctx.actor_name,
            **_evaluation(used.config, data, pilot.population),
        },
    )
    row = await repo.get_count(ctx, program_id, count_id)
    await audit.record(
        ctx,
        "no_litigation.count_create",
        "no_litigation_count",
        count_id,
        {
            "program": program.name,
            "area": pilot.village_name,
            "period": period.key,
            "lawsuits": data.lawsuits,
            "status": row.status,
            "config_version": used.version_no,
        },
    )
    return row


async def correct_count(
    ctx: TenantContext, program_id: UUID, count_id: UUID, data: CountUpdate, expected: int
) -> CountRow:
    """Correct a count; it is evaluated again under the rubric version its period is bound to
    (with the population it was saved with), and the audit log keeps what it was."""
    await no_litigation_program(ctx, program_id)
    current = await repo.get_count(ctx, program_id, count_id)
    await require_program_write(ctx, program_id, area_id=current.village_id, kind=KIND)
    if not 0 < expected < 2**31:
        raise PreconditionFailed
    used = await rubric(ctx, program_id, current.config_version)
    errors = FieldErrors()
    _check_counts(errors, data, used.config)
    note = clean_text(errors, "note", "备注", data.note, 200, required=False)
    errors.raise_if_any()
    changes: dict[str, Any] = {
        "lawsuits": data.lawsuits,
        "disputes_received": data.disputes_received,
        "disputes_settled": data.disputes_settled,
        "note": note,
    }
    changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if not changes:
        if expected != current.version:
            raise PreconditionFailed
        return current
    evaluation = _evaluation(used.config, data, current.population)
    await repo.update_count(
        ctx,
        program_id,
        count_id,
        expected,
        {**changes, **evaluation, "recorded_by_name": ctx.display_name or ctx.actor_name},
    )
    row = await repo.get_count(ctx, program_id, count_id)
    before = {key: getattr(current, key) for key in changes}
    if row.status != current.status:
        before["status"], changes["status"] = current.status, row.status
    await audit.record(
        ctx,
        "no_litigation.count_update",
        "no_litigation_count",
        count_id,
        {
            "area": current.village_name,
            "period": current.period,
            "before": before,
            "after": changes,
        },
    )
    return row


async def choose_period(
    ctx: TenantContext,
    program_id: UUID,
    granularity: str,
    key: str = "",
    start: str = "",
    end: str = "",
) -> CountingPeriod:
    """The period a status page or list shows: the one asked for (``period``, or ``from``/``to``),
    else the latest period with counts, else the last period that has ended."""
    chosen = counting_period(key) if key and key != "custom" else None
    if chosen is None and (start or end):
        chosen = custom_period(start, end or start)
    if chosen is None:
        latest = await repo.latest_period(ctx, program_id)
        chosen = counting_period(latest) if latest else None
    return chosen or latest_closed(granularity, _today())
