"""The no-litigation slice in the walker's world: the world's no-litigation program gets a
rubric, its village as a pilot with a count, and spare villages to add as pilots."""

from __future__ import annotations

from itertools import count
from typing import Any

from programs.no_litigation.schemas import CountCreate, PilotCreate, RubricIn
from tests.factories import in_tenant, make_area
from tests.walker import World, example, seeder

SPARE_VILLAGES = 16
_next: dict[Any, count[int]] = {}


def _serial(world: World, what: str) -> int:
    return next(_next.setdefault((world.tenant.id, what), count()))


@seeder
async def no_litigation_pilots(world: World) -> None:
    from programs.kinds import ProgramKind
    from programs.no_litigation import services
    from programs.no_litigation.schemas import CountCreate, PilotCreate

    program_id = world.named[f"program:{ProgramKind.NO_LITIGATION_VILLAGE.value}"]
    village = world.targets["areas"][None]
    async with in_tenant(world.tenant) as ctx:
        rubric = {"indicators": ["lawsuits", "rate"], "max_lawsuits": 0, "max_rate_per_10k": "1"}
        await services.save_rubric(ctx, program_id, rubric, 1)
        pilot = await services.add_pilot(ctx, program_id, PilotCreate(village, 1200, 400))
        counted = await services.record_count(ctx, program_id, CountCreate(village, "2022", 0))
    world.add_target("nolit_villages", pilot.id)
    world.add_target("nolit_counts", counted.id)
    for i in range(SPARE_VILLAGES):
        spare = await make_area(
            world.tenant,
            "village",
            f"{world.prefix}试点{i}",
            f"{world.county}101{400 + i:03d}",
            world.named["township"],
        )
        world.named[f"nolit:spare:{i}"] = spare.id


@example(PilotCreate)
def new_pilot(world: World) -> dict[str, Any]:
    """A spare village (not yet a pilot) each call."""
    spare = world.named[f"nolit:spare:{_serial(world, 'pilot') % SPARE_VILLAGES}"]
    return {"area_id": str(spare), "population": 900, "households": 300}


@example(CountCreate)
def new_count(world: World) -> dict[str, Any]:
    """The world's pilot village, in a year not counted yet each call."""
    year = 2021 - _serial(world, "count") % 21
    return {"village_id": str(world.targets["areas"][None]), "period": str(year), "lawsuits": 1}


@example(RubricIn)
def new_rubric(world: World) -> dict[str, Any]:
    return {"config": {"indicators": ["lawsuits"], "max_lawsuits": 0}}
