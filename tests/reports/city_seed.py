"""A world of five counties in two cities for the city-overview tests and journey: one user
(``city-viewer``) with known roles in each, and known figures.

The world (period 2025, and the same days of 2024):

    四平市  梨树县 lishu   viewer   the case seed (accepted 7/4, closed 6/3, settled 4/2,
                                   confirmations applied 3/2, confirmed 2/1); a no-litigation
                                   program with 3 pilot villages: 2025 one met, one failed, one
                                   not entered; 2024 two met
           铁西区 tiexi    admin    the case seed and 2 more cases accepted and settled in July
                                   2025 (accepted 9/4, closed 8/3, settled 6/2); a red-property
                                   program with 4 complexes: on 2025-12-31 one 5★, one 3★, two
                                   unrated or lapsed; on 2024-12-31 one 4★, one 0★, two unrated
           双辽市 shuangliao  —     the case seed and more: not a member, never counted
           伊通县 yitong    mediator  not a viewer or administrator: never shown
    长春市  朝阳区 chaoyang  viewer   one case accepted in 2025: a section of its own
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from tests.factories import Member, in_tenant, make_area, make_member, make_tenant
from tests.programs.factories import make_program
from tests.reports.case_seed import add_case, seed_cases

USER = "city-viewer"
LISHU = ("lishu", "梨树县", "220322000000")
TIEXI = ("tiexi", "铁西区", "220302000000")
SHUANGLIAO = ("shuangliao", "双辽市", "220382000000")
YITONG = ("yitong", "伊通县", "220323000000")


@dataclass
class World:
    lishu: Any
    tiexi: Any
    shuangliao: Any
    yitong: Any
    chaoyang: Any
    members: dict[str, Member]
    nolit: UUID
    red: UUID


async def _join(tenant: Any, role: str) -> Member:
    """The one user ``USER`` gets a role in ``tenant`` (created with the first)."""
    from tenants import repo, services

    async with in_tenant(tenant, writes=False):
        exists = await repo.user_by_username(USER) is not None
    if not exists:
        return await make_member(tenant, USER, role)
    async with in_tenant(tenant) as ctx:
        membership_id = await services.add_existing_user(ctx, USER, role)
        member = await repo.get_member(ctx, membership_id)
    return Member(tenant, USER, role, member.user_id, membership_id)


async def _no_litigation(tenant: Any) -> UUID:
    from programs.no_litigation.tables import LawsuitCount, PilotVillage
    from wusong.core.scoped import insert

    town = await make_area(tenant, "township", "梨树镇", "220322100000")
    villages = [
        (await make_area(tenant, "village", name, f"22032210020{n}", town.id)).id
        for n, name in enumerate(("霍家店村", "八里庙村", "十家堡村"), start=1)
    ]
    program = await make_program(
        tenant, "no_litigation_village", "梨树县无讼村创建", area_ids=[town.id]
    )
    async with in_tenant(tenant) as ctx:
        pilots = [
            await insert(ctx, PilotVillage, program=program.id, area=v, population=2000)
            for v in villages
        ]
        for pilot, village, year, status in (
            (0, 0, 2025, "met"), (1, 1, 2025, "failed"), (0, 0, 2024, "met"), (1, 1, 2024, "met"),
        ):  # fmt: skip
            await insert(
                ctx, LawsuitCount, program=program.id, pilot=pilots[pilot], area=villages[village],
                period_key=str(year), period_start=date(year, 1, 1),
                period_end=date(year + 1, 1, 1), lawsuits=0 if status == "met" else 3,
                population=2000, config_version=1, status=status,
                failed_lawsuits=int(status == "failed"),
            )  # fmt: skip
    return program.id


async def _red_property(tenant: Any) -> UUID:
    from programs.red_property.tables import Inspection, PropertyComplex
    from tests.programs.red_property.rubric import RUBRIC
    from wusong.core.scoped import insert

    town = await make_area(tenant, "township", "英雄街道", "220302001000")
    village = await make_area(tenant, "village", "丰茂社区", "220302001001", town.id)
    program = await make_program(
        tenant, "red_property", "红色物业评星", config=RUBRIC, area_ids=[town.id]
    )
    async with in_tenant(tenant) as ctx:
        complexes = [
            await insert(ctx, PropertyComplex, program=program.id, area=village.id, name=name)
            for name in ("幸福家园", "丰茂小区", "铁西花园", "英雄新村")
        ]
        for complex_, day, stars, until in (
            (0, date(2024, 2, 1), 4, date(2025, 2, 1)),
            (0, date(2025, 3, 1), 5, date(2026, 3, 1)),
            (1, date(2025, 6, 1), 3, date(2026, 6, 1)),
            (2, date(2024, 6, 1), 0, date(2025, 6, 1)),
        ):
            await insert(
                ctx, Inspection, program=program.id, property_complex=complexes[complex_],
                inspected_on=day, config_version=1, score=20 * stars, stars=stars,
                valid_until=until,
            )  # fmt: skip
    return program.id


async def _settled_cases(tenant: Any, first: int, count: int) -> None:
    async with in_tenant(tenant) as ctx:
        for seq in range(first, first + count):
            await add_case(
                ctx, seq, "neighbour", "application", date(2025, 7, 1), area=None, program=None,
                status="settled", closed_on=date(2025, 7, 2), amount="100",
            )  # fmt: skip


async def build_world() -> World:
    from tenants import services
    from tenants.schemas import TenantCreate
    from wusong.core.db import unit_of_work

    lishu, tiexi = await make_tenant(LISHU), await make_tenant(TIEXI)
    shuangliao, yitong = await make_tenant(SHUANGLIAO), await make_tenant(YITONG)
    async with unit_of_work(writes=True):
        chaoyang = await services.create_tenant(
            TenantCreate("chaoyang", "朝阳区", "220104000000", "长春市", "220100000000")
        )
    await seed_cases(lishu)
    await seed_cases(tiexi, "220302")
    await _settled_cases(tiexi, 30, 2)
    await seed_cases(shuangliao, "220382")
    await _settled_cases(shuangliao, 30, 5)
    async with in_tenant(chaoyang) as ctx:
        await add_case(
            ctx, 1, "neighbour", "application", date(2025, 4, 1), area=None, program=None
        )
    members = {
        "lishu": await _join(lishu, "viewer"),
        "tiexi": await _join(tiexi, "admin"),
        "yitong": await _join(yitong, "mediator"),
        "chaoyang": await _join(chaoyang, "viewer"),
    }
    nolit = await _no_litigation(lishu)
    red = await _red_property(tiexi)
    return World(lishu, tiexi, shuangliao, yitong, chaoyang, members, nolit, red)
