"""Court-side test data: a court-referred case with parties (an ID number each), and an
effective agreement (the proceedings slice's rows, inserted directly). Each builder is one unit
of work, as the platform would run it."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count
from typing import Any
from uuid import UUID, uuid4

from tests.factories import in_tenant

ID_NUMBERS = ("11010519491231002X", "220322198803150012")
_serial = count(9001)  # clear of the numbers the case counter allocates


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
    title: str = "借款纠纷",
) -> Any:
    """A case referred by ``court`` on ``referral_date`` with its deadline counted from the
    tenant's periods, an applicant and a respondent with ID numbers."""
    from mediation import identity
    from mediation import repo as case_repo
    from mediation.config import PROCEDURE_DAYS
    from mediation.court.services import tenant_config
    from mediation.deadlines import period_end
    from wusong.core.clock import local_today

    referral_date = referral_date or local_today() - timedelta(days=2)
    async with in_tenant(tenant) as ctx:
        config = await tenant_config(ctx)
        days = getattr(config, PROCEDURE_DAYS[procedure]) if source == "court" else 30
        seq = next(_serial)
        case_id = await case_repo.insert_case(
            ctx,
            {
                "id": uuid4(),
                "case_no": f"（{referral_date.year}）梨调字第{seq:04d}号",
                "case_year": referral_date.year,
                "case_seq": seq,
                "category": category,
                "source": source,
                "area": area_id,
                "title": title,
                "facts": "申请人借给被申请人 5 万元，约定一年归还，至今未还。",
                "party_names": "张三 李四",
                "status": status,
                "accepted_on": referral_date,
                "due_on": period_end(referral_date, days).day,
                "referring_court": court if source == "court" else "",
                "court_ref_no": "（2026）吉0322民诉前调1234号" if source == "court" else "",
                "referral_date": referral_date if source == "court" else None,
                "procedure": procedure if source == "court" else "",
            },
        )
        for position, (role, name, number) in enumerate(
            (("applicant", "张三", ID_NUMBERS[0]), ("respondent", "李四", ID_NUMBERS[1]))
        ):
            await case_repo.insert_party(
                ctx,
                {
                    "id": uuid4(),
                    "case": case_id,
                    "role": role,
                    "name": name,
                    "id_cipher": identity.encrypt_id_number(tenant.id, number),
                    "id_hash": identity.id_number_hash(tenant.id, number),
                    "id_masked": identity.mask_id_number(number),
                    "mobile": f"1380000000{position}",
                    "address": "梨树县梨树镇",
                    "position": position,
                },
            )
        return await case_repo.get_case(ctx, case_id)


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
