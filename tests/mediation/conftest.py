"""A county for case tests (梨树县, tenant A): two townships with a village each, a studio,
a mediator per township (one of them staffing the studio), a court reviewer, a viewer and the
administrator, each with an API token; and what counts as "something was written"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.factories import Member, in_tenant, make_area, make_member, make_token
from tests.programs.factories import make_program, staff, work_in


@dataclass
class County:
    tenant: Any
    members: dict[str, Member]
    villages: dict[str, UUID]  # 霍家店村 (梨树镇), 郭家店村 (郭家店镇)
    townships: dict[str, UUID]
    studio: UUID
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def case_body(self, **changes: Any) -> dict[str, Any]:
        from tests.mediation.factories import two_parties

        body = {
            "category": "neighbour", "source": "application", "facts": "两家因排水沟发生争执。",
            "village_id": str(self.villages["霍家店村"]), "parties": two_parties(),
        }  # fmt: skip
        return {**body, **changes}


@pytest.fixture
async def county(admin_a: Member) -> County:
    tenant = admin_a.tenant
    lishu = await make_area(tenant, "township", "梨树镇", "220322100000")
    guojia = await make_area(tenant, "township", "郭家店镇", "220322101000")
    villages = {
        "霍家店村": (await make_area(tenant, "village", "霍家店村", "220322100201", lishu.id)).id,
        "郭家店村": (await make_area(tenant, "village", "郭家店村", "220322101201", guojia.id)).id,
    }
    studio = await make_program(
        tenant, "mediation_studio", "金玉米调解工作室", area_ids=[guojia.id]
    )
    members = {"admin": admin_a}
    members["mediator"] = await make_member(tenant, "med-lishu", "mediator")
    await work_in(tenant, members["mediator"], lishu.id)
    members["mediator2"] = await make_member(tenant, "med-guojia", "mediator")
    await work_in(tenant, members["mediator2"], guojia.id)
    await staff(studio, tenant, members["mediator2"])
    members["court"] = await make_member(tenant, "court", "court_reviewer")
    members["viewer"] = await make_member(tenant, "viewer", "viewer")
    setting = County(tenant, members, villages, {"梨树镇": lishu.id, "郭家店镇": guojia.id},
                     studio.id)  # fmt: skip
    for who, member in members.items():
        setting.tokens[who] = (await make_token(member))[1]
    return setting


async def written(county: County) -> tuple[int, int, int]:
    """How many cases, parties and audit events the county holds."""
    from mediation.tables import CaseParty, MediationCase
    from tenants.tables import AuditEvent
    from wusong.core.scoped import scoped

    async with in_tenant(county.tenant, writes=False) as ctx:
        return (
            int(await scoped(ctx, MediationCase).count()),
            int(await scoped(ctx, CaseParty).count()),
            int(await scoped(ctx, AuditEvent).count()),
        )


async def create(client: httpx.AsyncClient, county: County, who: str = "mediator",
                 **changes: Any) -> httpx.Response:  # fmt: skip
    return await client.post(
        "/api/v1/t/lishu/cases", json=county.case_body(**changes), headers=county.auth(who)
    )
