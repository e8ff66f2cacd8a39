"""Mediation test data: valid resident ID numbers and cases opened through the use case (with
their number, parties and audit event), as the platform would open them."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from tests.factories import in_tenant


def valid_id(first17: str = "22032219800101001") -> str:
    """A resident ID number with the right GB 11643 check character."""
    from mediation.identity import check_character

    return first17 + check_character(first17)


def two_parties(**respondent: Any) -> list[dict[str, Any]]:
    return [
        {"role": "applicant", "name": "张三", "id_number": valid_id(), "mobile": "13800138000",
         "address": "梨树县郭家店镇"},
        {"role": "respondent", "name": "李四", "id_number": valid_id("22032219751231002"),
         "mobile": "+86 139-0013-9000", **respondent},
    ]  # fmt: skip


async def make_case(
    tenant: Any,
    *,
    category: str = "neighbour",
    source: str = "application",
    village_id: UUID | None = None,
    program_id: UUID | None = None,
    mediator_id: UUID | None = None,
    parties: list[dict[str, Any]] | None = None,
    referral: dict[str, Any] | None = None,
    accepted_on: date | None = None,
    facts: str = "两家因宅基地边界发生争执。",
) -> Any:
    """A case opened by the platform in ``tenant`` (a court case gets a default referral)."""
    import msgspec

    from mediation import services
    from mediation.schemas import CaseCreate

    if source == "court" and referral is None:
        referral = {"referring_court": "梨树县人民法院", "court_ref_no": "（2026）吉0322民诉前1号",
                    "procedure": "classic"}  # fmt: skip
    data = msgspec.convert(
        {
            "category": category, "source": source, "facts": facts,
            "village_id": village_id, "program_id": program_id, "mediator_id": mediator_id,
            "parties": parties if parties is not None else two_parties(),
            "referral": referral, "accepted_on": accepted_on,
        },
        CaseCreate,
    )  # fmt: skip
    async with in_tenant(tenant) as ctx:
        return await services.create_case(ctx, data)
