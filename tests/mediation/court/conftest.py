"""The court side in 梨树县 (tenant A): a village, a mediator working there, a court reviewer,
the admin, and their API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from tests.factories import Member, make_area, make_member, make_token
from tests.programs.factories import work_in


@dataclass
class Court:
    tenant: Any
    village: UUID
    members: dict[str, Member]
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, path: str) -> str:
        return f"/api/v1/t/lishu{path}"

    def auth(self, who: str = "mediator", version: int | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return headers


@pytest.fixture
async def court(admin_a: Member) -> Court:
    tenant = admin_a.tenant
    township = await make_area(tenant, "township", "梨树镇", "220322100000")
    village = await make_area(tenant, "village", "霍家店村", "220322100201", township.id)
    mediator = await make_member(tenant, "mediator-a", "mediator")
    await work_in(tenant, mediator, village.id)
    reviewer = await make_member(tenant, "court-a", "court_reviewer")
    members = {"admin": admin_a, "mediator": mediator, "court": reviewer}
    setting = Court(tenant, village.id, members)
    for who, member in members.items():
        setting.tokens[who] = (await make_token(member))[1]
    return setting


async def case_events(tenant: Any, case_id: UUID) -> list[dict[str, Any]]:
    """The court's audit events of a case (in its timeline), oldest first, diffs decoded."""
    import json

    from tenants.tables import AuditEvent
    from tests.factories import in_tenant
    from wusong.core.scoped import scoped

    async with in_tenant(tenant, writes=False) as ctx:
        rows = (
            await scoped(ctx, AuditEvent)
            .select(AuditEvent.action, AuditEvent.diff)
            .where((AuditEvent.object_type == "case") & (AuditEvent.object_id == str(case_id)))
            .order_by(AuditEvent.seq)
        )
    return [
        {
            "action": r["action"],
            "diff": json.loads(r["diff"]) if isinstance(r["diff"], str) else r["diff"],
        }
        for r in rows
        if r["action"].startswith(("court.", "security."))
    ]
