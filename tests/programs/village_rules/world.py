"""Village rules in the walker's world: the world's village has a published rule set with a
300-yuan cap and a new draft on top of it, a declaration, and a second covered village without
rules (for the rule-set example)."""

from __future__ import annotations

from datetime import date
from typing import Any

from programs.village_rules.schemas import (
    DeclarationCreate,
    FilingRecord,
    PublishRecord,
    ReviewRecord,
    RevisionCreate,
    RuleSetCreate,
    VoteRecord,
)
from tests.factories import in_tenant
from tests.programs.village_rules.rules import published_rules
from tests.walker import World, example, seeder

SPARE_VILLAGES = 40


@seeder
async def village_rules(world: World) -> None:
    from programs.tables import ProgramArea
    from programs.village_rules import services
    from tenants import services as tenant_services
    from tenants.schemas import AreaCreate
    from wusong.core.scoped import insert

    program = world.named["program:village_rules"]
    village = world.targets["areas"][None]
    async with in_tenant(world.tenant) as ctx:
        # villages without rules, one per call of the rule-set example
        for n in range(SPARE_VILLAGES):
            code = f"{world.county}101{600 + n:03d}"
            spare = await tenant_services.create_area(
                ctx, AreaCreate("village", f"{world.prefix}{n}组村", code, world.named["township"])
            )
            await insert(ctx, ProgramArea, program=program, area=spare.id)
            world.named[f"rules_village_free:{n}"] = spare.id
        published = await published_rules(ctx, program, village)
        world.add_target("village_rule_sets", published.rule_set_id)
        draft = await services.revise(ctx, program, published.rule_set_id, RevisionCreate())
        world.add_target("village_rule_versions", draft.id)
        declared = await services.declare_banquet(
            ctx,
            program,
            DeclarationCreate(village, "张三华", "婚嫁", date(2025, 5, 1), 12, "350"),
        )
        world.add_target("village_banquet_declarations", declared.id)


@example(RuleSetCreate)
def new_rule_set(world: World) -> dict[str, Any]:
    # A village of its own per call (a village has one rule set): its own counter, since other
    # examples draw on world.serial() too.
    n = getattr(world, "rules_free_used", 0)
    setattr(world, "rules_free_used", n + 1)  # noqa: B010 - World has no field for it
    return {"village_id": str(world.named[f"rules_village_free:{n % SPARE_VILLAGES}"]), "title": ""}


@example(RevisionCreate)
def revision(world: World) -> dict[str, Any]:
    return {}


@example(ReviewRecord)
def review(world: World) -> dict[str, Any]:
    return {"reviewed_on": date.today().isoformat(), "approved": True}


@example(VoteRecord)
def vote(world: World) -> dict[str, Any]:
    return {"voted_on": date.today().isoformat(), "attendees": 40, "votes_for": 30}


@example(FilingRecord)
def filing(world: World) -> dict[str, Any]:
    return {"filed_on": date.today().isoformat(), "authority": "镇人民政府", "filing_no": "备1"}


@example(PublishRecord)
def publishing(world: World) -> dict[str, Any]:
    return {"published_on": date.today().isoformat()}


@example(DeclarationCreate)
def new_declaration(world: World) -> dict[str, Any]:
    return {
        "village_id": str(world.targets["areas"][None]),
        "household_head": "李四",
        "occasion": "升学",
        "banquet_on": "2025-08-01",
        "tables": 8,
        "yuan_per_table": "280",
        "venue": "村食堂",
    }
