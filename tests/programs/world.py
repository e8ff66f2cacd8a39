"""The programs core in the walker's world: every member works county-wide and staffs one
running program of each type; a studio has an activity per role (each recorded by that role's
member, who may delete it), and examples of every input."""

from __future__ import annotations

from datetime import date
from typing import Any

from programs.schemas import (
    ActivityCreate,
    ActivityDelete,
    ConfigSave,
    ProgramAreasSet,
    ProgramCreate,
    ProgramForm,
    ProgramUpdate,
    StaffAdd,
)
from tenants.schemas import MemberAreasSet
from tests.programs.factories import make_program, staff, work_in
from tests.walker import ROLES, World, example, seeder


@seeder
async def programs_and_staff(world: World) -> None:
    from programs.kinds import ProgramKind
    from programs.tables import Activity
    from tests.factories import in_tenant
    from wusong.core.scoped import insert

    for member in world.members.values():
        await work_in(world.tenant, member)
    village = world.targets["areas"][None]
    for kind in ProgramKind:
        program = await make_program(
            world.tenant, kind.value, f"{world.prefix}{kind.value}", area_ids=[village]
        )
        await staff(program, world.tenant, *world.members.values())
        world.named[f"program:{kind.value}"] = program.id
        # routes of one type (``ref(Program, kind)``) are walked with that type's program
        world.add_target(f"programs:{kind.value}", program.id)
    studio = world.named[f"program:{ProgramKind.MEDIATION_STUDIO.value}"]
    world.add_target("programs", studio)
    async with in_tenant(world.tenant) as ctx:
        activity = await insert(
            ctx, Activity, program=studio, area=village, kind="consultation",
            occurred_on=date(2025, 3, 1), people=3,
        )  # fmt: skip
        world.add_target("program_activities", activity)
        for role in ROLES:
            mine = await insert(
                ctx, Activity, program=studio, area=village, kind="guidance",
                occurred_on=date(2025, 3, 2), people=2, recorded_by=world.members[role].user_id,
            )  # fmt: skip
            world.add_target("program_activities", mine, role)


def _new_program(world: World) -> dict[str, Any]:
    return {"kind": "mediation_studio", "name": f"新工作室{world.serial()}",
            "area_ids": [str(world.targets["areas"][None])]}  # fmt: skip


@example(ProgramCreate)
def new_program(world: World) -> dict[str, Any]:
    return {**_new_program(world), "config": {"host_tribunal": "测试法庭"}}


@example(ProgramForm)
def new_program_form(world: World) -> dict[str, Any]:
    """The page posts one ``area_ids`` value per checkbox: here one."""
    return {**_new_program(world), "area_ids": str(world.targets["areas"][None])}


@example(ProgramAreasSet)
def program_areas(world: World) -> dict[str, Any]:
    return {"area_ids": [str(world.targets["areas"][None]), str(world.named["township"])]}


@example(MemberAreasSet)
def member_areas(world: World) -> dict[str, Any]:
    return {"county": False, "area_ids": [str(world.named["township"])]}


@example(StaffAdd)
def new_staff(world: World) -> dict[str, Any]:
    return {"membership_id": str(world.targets["memberships"][None])}


@example(ActivityCreate)
def new_activity(world: World) -> dict[str, Any]:
    return {"kind": "consultation", "occurred_on": "2025-04-01", "people": 4,
            "area_id": str(world.targets["areas"][None]), "note": "咨询土地承包"}  # fmt: skip


@example(ActivityDelete)
def activity_to_delete(world: World) -> dict[str, Any]:
    """The admin's own entry (the isolation walk deletes as admin)."""
    return {"activity_id": str(world.targets["program_activities"]["admin"])}


@example(ProgramUpdate)
def program_update(world: World) -> dict[str, Any]:
    return {"name": f"{world.prefix}改名项目", "host_org": "测试法庭", "starts_on": "2025-01-01",
            "targets": {"consultation": 500}}  # fmt: skip


@example(ConfigSave)
def config_save(world: World) -> dict[str, Any]:
    return {"config": {"host_tribunal": "郭家店法庭", "activity_kinds": ["consultation"]}}
