"""A court-referred case in 梨树县 (tenant A) with two parties, its mediator (working county-wide)
with an API token, a mediator of another township, the administrator and a court reviewer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.factories import Member, in_tenant, make_area, make_member, make_token
from tests.mediation.factories import make_case
from tests.programs.factories import work_in


@dataclass
class Setting:
    tenant: Any
    case_id: UUID
    parties: list[UUID]  # applicant, respondent
    village: UUID
    tokens: dict[str, str] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)

    def api(self, path: str = "", case_id: UUID | None = None) -> str:
        return f"/api/v1/t/lishu/cases/{case_id or self.case_id}{path}"

    def page(self, path: str = "", case_id: UUID | None = None) -> str:
        return f"/t/lishu/cases/{case_id or self.case_id}{path}"

    def auth(self, who: str = "mediator", version: int | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return headers

    async def new_case(self, **kw: Any) -> UUID:
        case = await make_case(self.tenant, source="court", village_id=self.village, **kw)
        return UUID(str(case.id))


@pytest.fixture
async def proc(admin_a: Member) -> Setting:
    from mediation import repo

    tenant = admin_a.tenant
    town = await make_area(tenant, "township", "郭家店镇", "220322101000")
    village = await make_area(tenant, "village", "郭家店村", "220322101201", town.id)
    other_town = await make_area(tenant, "township", "梨树镇", "220322100000")
    case = await make_case(tenant, source="court", village_id=village.id)
    async with in_tenant(tenant, writes=False) as ctx:
        parties = [p.id for p in await repo.list_parties(ctx, case.id)]
    setting = Setting(tenant, UUID(str(case.id)), parties, village.id)
    mediator = await make_member(tenant, "mediator-guo", "mediator")
    await work_in(tenant, mediator, town.id)
    outsider = await make_member(tenant, "mediator-lishu", "mediator")
    await work_in(tenant, outsider, other_town.id)
    court = await make_member(tenant, "court-a", "court_reviewer")
    for name, member in (("admin", admin_a), ("mediator", mediator), ("outsider", outsider),
                         ("court", court)):  # fmt: skip
        setting.members[name] = member
        setting.tokens[name] = (await make_token(member))[1]
    return setting


async def counts(setting: Setting) -> dict[str, int]:
    """Rows of every proceedings table and audit events of the tenant."""
    from mediation.tables import (
        Agreement,
        AgreementTerm,
        FollowUp,
        MediationSession,
        Signature,
    )
    from tenants.tables import AuditEvent
    from wusong.core.scoped import scoped

    tables = {
        "sessions": MediationSession, "agreements": Agreement, "terms": AgreementTerm,
        "signatures": Signature, "followups": FollowUp, "audit": AuditEvent,
    }  # fmt: skip
    async with in_tenant(setting.tenant, writes=False) as ctx:
        return {name: int(await scoped(ctx, table).count()) for name, table in tables.items()}


async def case_row(setting: Setting, case_id: UUID | None = None) -> Any:
    from mediation import repo

    async with in_tenant(setting.tenant, writes=False) as ctx:
        return await repo.get_case(ctx, case_id or setting.case_id)


def complete_agreement(setting: Setting, **extra: Any) -> dict[str, Any]:
    """Agreement contents that may take effect: two terms, one performed at signing."""
    from wusong.core.clock import local_today

    today = str(local_today())
    return {
        "facts": "被申请人耕地越界，损毁申请人玉米青苗。",
        "issues": "青苗损失数额。",
        "responsibilities": "被申请人负全部责任。",
        "agreed_on": today,
        "terms": [
            {"obligor_id": str(setting.parties[1]), "obligation": "赔偿青苗损失",
             "amount": "3200.50", "way": "银行转账", "place": "郭家店镇", "deadline": today},
            {"obligation": "双方确认原地界", "amount": 0, "way": "当场履行"},
        ],
        **extra,
    }  # fmt: skip


async def sign_all(
    client: httpx.AsyncClient, setting: Setting, agreement_id: str, case_id: UUID | None = None,
    signed_on: str | None = None,
) -> httpx.Response:  # fmt: skip
    """Every party, the mediator and the seal sign; the last answer."""
    from mediation import repo

    async with in_tenant(setting.tenant, writes=False) as ctx:
        parties = await repo.list_parties(ctx, case_id or setting.case_id)
    url = setting.api(f"/agreements/{agreement_id}/signatures", case_id)
    day = {"signed_on": signed_on} if signed_on else {}
    response: httpx.Response | None = None
    bodies = [{"signer": "party", "party_id": str(p.id), "method": "fingerprint", **day}
              for p in parties]  # fmt: skip
    bodies += [{"signer": "mediator", **day}, {"signer": "seal", **day}]
    for body in bodies:
        response = await client.post(url, json=body, headers=setting.auth())
        assert response.status_code == 201, response.text
    assert response is not None
    return response
