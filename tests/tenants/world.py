"""The tenants domain's objects in the walker's world: an area tree, a member to act on, and a
spare API token per role (a member may revoke only their own)."""

from __future__ import annotations

from typing import Any

from tenants.schemas import AreaCreate
from tests.factories import make_area, make_member, make_token
from tests.walker import ROLES, World, example, seeder


@seeder
async def areas_members_tokens(world: World) -> None:
    town = await make_area(world.tenant, "township", f"{world.prefix}镇", f"{world.county}101000")
    village = await make_area(
        world.tenant, "village", f"{world.prefix}村", f"{world.county}101201", town.id
    )
    world.add_target("areas", village.id)
    world.named["township"] = town.id
    victim = await make_member(world.tenant, f"{world.prefix}-victim", "mediator")
    world.add_target("memberships", victim.membership_id)
    for role in ROLES:
        spare_id, _ = await make_token(world.members[role], "待吊销")
        world.add_target("api_tokens", spare_id, role)


@example(AreaCreate)
def new_village(world: World) -> dict[str, Any]:
    """A new village under the world's township, with a code no other call has used."""
    code = f"{world.county}101{300 + world.serial():03d}"
    return {"kind": "village", "name": f"新村{code[-3:]}", "division_code": code,
            "parent_id": str(world.named["township"])}  # fmt: skip
