"""Court-side test data: a court-referred case with parties (an ID number each), and an
effective agreement (the proceedings slice's rows, inserted directly until its use cases land).
Each builder is one unit of work, as the platform would run it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

from tests.factories import in_tenant
from tests.mediation.factories import make_case, valid_id

ID_NUMBERS = ("11010519491231002X", valid_id("22032219880315001"))


async def make_court_case(
    tenant: Any,
    *,
    area_id: UUID | None = None,
    procedure: str = "classic",
    referral_date: date | None = None,
    status: str = "open",
    category: str = "contract",
    source: str = "court",
    court: str = "梨树县人民法院",
) -> Any:
    """A case referred by ``court`` on ``referral_date`` (default: two days ago), opened through
    the core use case (its deadline from the tenant's periods), with an applicant and a
    respondent with ID numbers; ``status`` set afterwards as an outcome would."""
    from mediation import repo as case_repo
    from mediation.tables import MediationCase
    from wusong.core.clock import local_today
    from wusong.core.scoped import scoped

    referral_date = referral_date or local_today() - timedelta(days=2)
    parties = [
        {"role": "applicant", "name": "张三", "id_number": ID_NUMBERS[0],
         "mobile": "13800000000", "address": "梨树县梨树镇"},
        {"role": "respondent", "name": "李四", "id_number": ID_NUMBERS[1],
         "mobile": "13800000001"},
    ]  # fmt: skip
    referral = {"referring_court": court, "court_ref_no": "（2026）吉0322民诉前调1234号",
                "referral_date": referral_date, "procedure": procedure}  # fmt: skip
    case = await make_case(
        tenant,
        category=category,
        source=source,
        village_id=area_id,
        parties=parties,
        referral=referral if source == "court" else None,
        accepted_on=referral_date,
        facts="申请人借给被申请人 5 万元，约定一年归还，至今未还。",
    )
    if status == "open":
        return case
    async with in_tenant(tenant) as ctx:
        await (
            scoped(ctx, MediationCase)
            .update({MediationCase.status: status, MediationCase.closed_on: local_today()})
            .where(MediationCase.id == case.id)
        )
        return await case_repo.get_case(ctx, case.id)


async def make_effective_agreement(
    tenant: Any, case_id: UUID, effective_on: date, *, version_no: int = 1
) -> UUID:
    """The case settles with an agreement in force since ``effective_on``."""
    from mediation.tables import Agreement, MediationCase
    from wusong.core.scoped import insert, scoped

    async with in_tenant(tenant) as ctx:
        agreement_id = await insert(
            ctx,
            Agreement,
            id=uuid4(),
            case=case_id,
            version_no=version_no,
            status="effective",
            facts="借款 5 万元未还",
            signed_on=effective_on,
            effective_on=effective_on,
        )
        await (
            scoped(ctx, MediationCase)
            .update({MediationCase.status: "settled", MediationCase.closed_on: effective_on})
            .where(MediationCase.id == case_id)
        )
        return agreement_id


async def parties_of(tenant: Any, case_id: UUID) -> list[Any]:
    from mediation import repo as case_repo

    async with in_tenant(tenant, writes=False) as ctx:
        return await case_repo.list_parties(ctx, case_id)
