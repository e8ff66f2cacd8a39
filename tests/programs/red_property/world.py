"""Red property in the walker's world: the world's red-property program gets a rubric, a
complex in the world's village with an inspection, and a complaint."""

from __future__ import annotations

from datetime import date
from typing import Any

from programs.red_property.schemas import (
    ComplaintCreate,
    ComplexCreate,
    InspectionCreate,
    RubricSave,
)
from tests.programs.red_property.rubric import RUBRIC
from tests.walker import World, example, seeder


@seeder
async def red_property_records(world: World) -> None:
    from programs.red_property import services
    from programs.red_property.config import decode
    from programs.red_property.schemas import RubricSave
    from tests.factories import in_tenant

    program_id = world.named["program:red_property"]
    village = world.targets["areas"][None]
    async with in_tenant(world.tenant) as ctx:
        await services.save_rubric(ctx, program_id, RubricSave(decode(RUBRIC)))
        complex_ = await services.create_complex(
            ctx, program_id, ComplexCreate(f"{world.prefix}幸福家园", village, households=320)
        )
        inspection = await services.record_inspection(
            ctx, program_id, complex_.id, InspectionCreate(date(2025, 5, 10), [18, 27, 25, 16])
        )
        complaint = await services.record_complaint(
            ctx,
            program_id,
            complex_.id,
            ComplaintCreate(date(2025, 6, 1), "service", "电梯长期停运"),
        )
    world.add_target("red_property_complexes", complex_.id)
    world.add_target("red_property_inspections", inspection.id)
    world.add_target("red_property_complaints", complaint.id)
    world.named["red_property_complex"] = complex_.id


@example(ComplexCreate)
def new_complex(world: World) -> dict[str, Any]:
    return {"name": f"新小区{world.serial()}", "area_id": str(world.targets["areas"][None]),
            "address": "英雄大路 1 号", "company": "铁西物业", "households": 120}  # fmt: skip


@example(InspectionCreate)
def new_inspection(world: World) -> dict[str, Any]:
    return {"inspected_on": "2025-07-01", "scores": [20, 28, 26, 18], "notes": "复评"}


@example(ComplaintCreate)
def new_complaint(world: World) -> dict[str, Any]:
    return {"received_on": "2025-07-02", "category": "fees", "summary": "收费不透明"}


@example(RubricSave)
def new_rubric(world: World) -> dict[str, Any]:
    return {"config": RUBRIC}
