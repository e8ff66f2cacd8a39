"""Programs test data: a program of a type (active by default), staffed by members, and where
members work. Each builder is one unit of work, as the platform would run it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.factories import Member, in_tenant


async def make_program(
    tenant: Any,
    kind: str,
    name: str = "测试项目",
    *,
    config: dict[str, Any] | None = None,
    area_ids: list[UUID] | None = None,
    status: str = "active",
    host_org: str = "",
) -> Any:
    from programs import services
    from programs.schemas import ProgramCreate
    from programs.tables import Program
    from wusong.core.scoped import scoped

    async with in_tenant(tenant) as ctx:
        data = ProgramCreate(
            kind=kind, name=name, host_org=host_org, area_ids=area_ids or [], config=config or {}
        )
        program = await services.create_program(ctx, data)
        if status != "draft":
            await (
                scoped(ctx, Program)
                .update({Program.status: status})
                .where(Program.id == program.id)
            )
        return program


async def staff(program: Any, tenant: Any, *members: Member) -> None:
    """Assign members to the program."""
    from programs import repo

    async with in_tenant(tenant) as ctx:
        for member in members:
            await repo.add_member(ctx, program.id, member.membership_id)


async def work_in(tenant: Any, member: Member, *area_ids: UUID | None) -> None:
    """Where the member works: these areas, or the whole county for ``None``."""
    from tenants.tables import MemberArea
    from wusong.core.scoped import insert

    async with in_tenant(tenant) as ctx:
        for area_id in area_ids or (None,):
            await insert(ctx, MemberArea, membership=member.membership_id, area=area_id)
