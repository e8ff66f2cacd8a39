"""A no-litigation program in 梨树县 (tenant A): two townships, three pilot villages and a
village outside the program, a staffed court reviewer of each township."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.factories import Member, in_tenant, make_area, make_member, make_token
from tests.programs.factories import make_program, staff, work_in

RUBRIC = {"indicators": ["lawsuits", "rate"], "max_lawsuits": 0, "max_rate_per_10k": "5"}


@dataclass
class Setting:
    tenant: Any
    admin: Member
    program_id: UUID
    villages: dict[str, UUID]  # name → area id (pilots: 霍家店村 八里庙村 郭家店村)
    outside: UUID  # 二龙湖村: a village of the tenant that is not a pilot
    township: dict[str, UUID]
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, path: str = "") -> str:
        return f"/api/v1/t/lishu/programs/{self.program_id}/no-litigation{path}"

    def page(self, path: str = "") -> str:
        return f"/t/lishu/programs/{self.program_id}/no-litigation{path}"

    def auth(self, who: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
async def nolit(admin_a: Member) -> Setting:
    from programs.no_litigation import services
    from programs.no_litigation.schemas import PilotCreate

    tenant = admin_a.tenant
    lishu = await make_area(tenant, "township", "梨树镇", "220322100000")
    guojia = await make_area(tenant, "township", "郭家店镇", "220322101000")
    villages = {
        "霍家店村": (await make_area(tenant, "village", "霍家店村", "220322100201", lishu.id)).id,
        "八里庙村": (await make_area(tenant, "village", "八里庙村", "220322100202", lishu.id)).id,
        "郭家店村": (await make_area(tenant, "village", "郭家店村", "220322101201", guojia.id)).id,
    }
    outside = (await make_area(tenant, "village", "二龙湖村", "220322101202", guojia.id)).id
    program = await make_program(
        tenant, "no_litigation_village", "梨树县无讼村创建", area_ids=[lishu.id, guojia.id]
    )
    async with in_tenant(tenant) as ctx:
        await services.save_rubric(ctx, program.id, RUBRIC, 1)
        for name, population in (("霍家店村", 2000), ("八里庙村", 1500), ("郭家店村", 4000)):
            await services.add_pilot(ctx, program.id, PilotCreate(villages[name], population))
    setting = Setting(
        tenant, admin_a, program.id, villages, outside, {"梨树镇": lishu.id, "郭家店镇": guojia.id}
    )
    setting.tokens["admin"] = (await make_token(admin_a))[1]
    # A court reviewer of 梨树镇 who staffs the program, and one who does not.
    court = await make_member(tenant, "court-lishu", "court_reviewer")
    await work_in(tenant, court, lishu.id)
    await staff(program, tenant, court)
    setting.tokens["court"] = (await make_token(court))[1]
    outsider = await make_member(tenant, "court-unstaffed", "court_reviewer")
    await work_in(tenant, outsider)
    setting.tokens["unstaffed"] = (await make_token(outsider))[1]
    return setting


async def post_count(
    client: httpx.AsyncClient, nolit: Setting, village: str, period: str, lawsuits: int,
    who: str = "admin", **extra: Any,
) -> httpx.Response:  # fmt: skip
    body = {"village_id": str(nolit.villages[village]), "period": period, "lawsuits": lawsuits}
    return await client.post(nolit.api("/counts"), json={**body, **extra}, headers=nolit.auth(who))


async def count_rows(nolit: Setting) -> int:
    from programs.no_litigation.tables import LawsuitCount
    from wusong.core.scoped import scoped

    async with in_tenant(nolit.tenant, writes=False) as ctx:
        return int(await scoped(ctx, LawsuitCount).count())
