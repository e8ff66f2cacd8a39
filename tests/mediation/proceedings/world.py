"""The proceedings in the walker's world: an open court-referred case with a session (sessions
and outcome routes), and a settled one whose agreement took effect, with a follow-up visit and
a correction draft (agreement and follow-up routes); examples of every input."""

from __future__ import annotations

from typing import Any

from mediation.proceedings.schemas import (
    AgreementForm,
    AgreementIn,
    CorrectionStart,
    DraftStart,
    FollowUpCreate,
    OutcomeForm,
    OutcomeSet,
    SessionCreate,
    SignatureIn,
)
from tests.walker import World, example, seeder


def _today() -> str:
    from wusong.core.clock import local_today

    return str(local_today())


def _contents() -> dict[str, Any]:
    return {
        "facts": "两家因宅基地边界发生争执。",
        "issues": "院墙的位置。",
        "responsibilities": "双方均有责任。",
        "agreed_on": _today(),
        "terms": [{"obligation": "按原界桩重砌院墙", "amount": "800", "way": "自行施工",
                   "place": "争议地块", "deadline": _today()}],
    }  # fmt: skip


@seeder
async def proceedings(world: World) -> None:
    import msgspec

    from mediation import repo as case_repo
    from mediation.proceedings import agreements, services
    from tests.factories import in_tenant
    from tests.mediation.factories import make_case

    village = world.targets["areas"][None]
    open_case = await make_case(world.tenant, source="court", village_id=village)
    agreed = await make_case(world.tenant, source="court", village_id=village)
    async with in_tenant(world.tenant) as ctx:
        await services.record_session(
            ctx, open_case.id, msgspec.convert(session_example(world), SessionCreate)
        )
        draft = await agreements.create_draft(
            ctx, agreed.id, msgspec.convert(_contents(), AgreementIn)
        )
        parties = await case_repo.list_parties(ctx, agreed.id)
        signers = [SignatureIn("party", p.id) for p in parties]
        for signature in [*signers, SignatureIn("mediator"), SignatureIn("seal")]:
            effective = await agreements.sign_agreement(ctx, agreed.id, draft.id, signature)
        case = await case_repo.get_case(ctx, agreed.id)
        await services.set_outcome(ctx, agreed.id, OutcomeSet("settled"), case.version)
        await services.record_followup(
            ctx, agreed.id, msgspec.convert(followup_example(world), FollowUpCreate)
        )
        correction = await agreements.correct_agreement(ctx, agreed.id, effective.id)
    world.add_target("cases:open", open_case.id)
    world.add_target("cases:agreed", agreed.id)
    world.add_target("case_agreements:effective", effective.id)
    world.add_target("case_agreements:draft", correction.id)
    world.named["party:agreed"] = parties[0].id


@example(SessionCreate)
def session_example(world: World) -> dict[str, Any]:
    return {"held_on": _today(), "mode": "phone", "attendees": "申请人、被申请人",
            "record": "电话联系双方，约定现场调解时间。"}  # fmt: skip


@example(OutcomeSet)
def outcome_example(world: World) -> dict[str, Any]:
    return {"outcome": "settled", "note": "双方达成一致"}


@example(OutcomeForm)
def outcome_form_example(world: World) -> dict[str, Any]:
    return {"outcome": "settled", "note": "双方达成一致", "version": 1}


@example(AgreementIn)
def agreement_example(world: World) -> dict[str, Any]:
    return _contents()


@example(AgreementForm)
def agreement_form_example(world: World) -> dict[str, Any]:
    return {"facts": "两家因宅基地边界发生争执。", "issues": "院墙的位置。", "agreed_on": _today(),
            "t1_obligation": "按原界桩重砌院墙", "t1_way": "当场履行", "version": 1}  # fmt: skip


@example(SignatureIn)
def signature_example(world: World) -> dict[str, Any]:
    return {"signer": "party", "party_id": str(world.named["party:agreed"]), "method": "sign",
            "signed_on": _today()}  # fmt: skip


@example(FollowUpCreate)
def followup_example(world: World) -> dict[str, Any]:
    return {"visited_on": _today(), "performance": "full", "note": "已按约重砌院墙"}


@example(DraftStart)
def draft_start_example(world: World) -> dict[str, Any]:
    return {}


@example(CorrectionStart)
def correction_example(world: World) -> dict[str, Any]:
    return {}
