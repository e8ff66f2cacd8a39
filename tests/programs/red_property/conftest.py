"""A county with a running red-property program: areas, staff of every role working county-wide,
and an inspector who works in one village only."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from tests.factories import TENANT_A, TENANT_B, Member, make_area, make_member, make_tenant
from tests.programs.factories import make_program, staff, work_in
from tests.programs.red_property.rubric import RUBRIC


@dataclass
class County:
    tenant: Any
    program_id: UUID
    village: UUID
    other_village: UUID
    members: dict[str, Member] = field(default_factory=dict)


async def build_county(spec: tuple[str, str, str], prefix: str) -> County:
    tenant = await make_tenant(spec)
    code = spec[2][:6]
    town = await make_area(tenant, "township", "英雄街道", f"{code}001000")
    village = await make_area(tenant, "village", "丰茂社区", f"{code}001001", town.id)
    other = await make_area(tenant, "village", "铁西社区", f"{code}001002", town.id)
    program = await make_program(
        tenant, "red_property", "红色物业评星", config=RUBRIC, area_ids=[town.id]
    )
    county = County(tenant, program.id, village.id, other.id)
    for role in ("admin", "inspector", "mediator", "village_officer", "viewer"):
        member = await make_member(tenant, f"{prefix}-{role}", role)
        await work_in(tenant, member)
        county.members[role] = member
    local = await make_member(tenant, f"{prefix}-local-inspector", "inspector")
    await work_in(tenant, local, other.id)
    county.members["local_inspector"] = local
    await staff(program, tenant, *county.members.values())
    return county


@pytest.fixture
async def county() -> County:
    return await build_county(TENANT_A, "a")


@pytest.fixture
async def other_county() -> County:
    return await build_county(TENANT_B, "b")


@contextlib.asynccontextmanager
async def acting(member: Member, *, writes: bool = True) -> AsyncIterator[Any]:
    """A member acting in their tenant, as a request of theirs would (one unit of work)."""
    from wusong.core.db import unit_of_work
    from wusong.core.tenancy import Role, TenantContext

    tenant = member.tenant
    async with unit_of_work(writes=writes, tenant_id=tenant.id):
        yield TenantContext(
            tenant_id=tenant.id,
            tenant_slug=tenant.slug,
            tenant_name=tenant.name,
            division_code=tenant.division_code,
            user_id=member.user_id,
            actor_name=member.username,
            role=Role(member.role),
            display_name=member.username,
        )


async def count_rows(tenant: Any, table: Any) -> int:
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False, tenant_id=tenant.id):
        return int(await table.count().where(table.tenant == tenant.id))


def shanghai_today() -> Any:
    """Today where inspections are dated (the test machine's clock may be a day behind)."""
    from programs.red_property.services import today

    return today()
