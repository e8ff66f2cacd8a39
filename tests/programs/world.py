"""The programs core in the walker's world: every member works county-wide and staffs one
running program of each type; a studio has an activity."""

from __future__ import annotations

from datetime import date

from tests.programs.factories import make_program, staff, work_in
from tests.walker import World, seeder


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
    studio = world.named[f"program:{ProgramKind.MEDIATION_STUDIO.value}"]
    world.add_target("programs", studio)
    async with in_tenant(world.tenant) as ctx:
        activity = await insert(
            ctx, Activity, program=studio, area=village, kind="consultation",
            occurred_on=date(2025, 3, 1), people=3,
        )  # fmt: skip
    world.add_target("program_activities", activity)
