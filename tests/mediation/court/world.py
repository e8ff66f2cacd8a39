"""The court side in the walker's world: an open court-referred case in the world's village
(parties with ID numbers: the reveal routes' targets), a settled referred case whose effective
agreement has a confirmation application the court accepted, and a referred case returned to
the court, so the queue has both kinds; examples of every court input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mediation.court.schemas import (
    CaseReturn,
    CaseReturnForm,
    ConfirmationApply,
    ConfirmationForm,
    DecisionForm,
    DecisionIn,
    Extension,
    ExtensionForm,
)
from tests.walker import World, example, seeder


def _today() -> Any:
    from wusong.core.clock import local_today

    return local_today()


@seeder
async def court_cases(world: World) -> None:
    from mediation.court import review, services
    from mediation.court.schemas import ConfirmationApply, DecisionIn
    from tests.factories import in_tenant
    from tests.mediation.court.factories import (
        make_court_case,
        make_effective_agreement,
        parties_of,
    )

    village = world.targets["areas"][None]
    referred = await make_court_case(world.tenant, area_id=village, procedure="simplified")
    world.add_target("cases:court", referred.id)
    world.add_target("case_parties:court", (await parties_of(world.tenant, referred.id))[0].id)
    settled = await make_court_case(world.tenant, area_id=village, category="contract")
    await make_effective_agreement(world.tenant, settled.id, _today() - timedelta(days=2))
    returned = await make_court_case(world.tenant, area_id=village)
    async with in_tenant(world.tenant) as ctx:
        await services.apply_for_confirmation(
            ctx, settled.id, ConfirmationApply("梨树县人民法院"), settled.version
        )
        await review.decide(
            ctx,
            settled.id,
            DecisionIn("accepted", court_case_no="（2026）吉0322民调确字第1号"),
            settled.version + 1,
        )
        await services.return_to_court(
            ctx, returned.id, CaseReturn(failure_reason="no_agreement"), returned.version
        )
    world.named["court:settled"] = settled.id
    world.named["court:returned"] = returned.id


@example(Extension)
def extension(world: World) -> dict[str, Any]:
    return {"consented_on": _today().isoformat(), "note": "双方在调解笔录上签字同意延长"}


@example(ExtensionForm)
def extension_form(world: World) -> dict[str, Any]:
    return {**extension(world), "version": 1}


@example(CaseReturn)
def case_return(world: World) -> dict[str, Any]:
    return {
        "undisputed_facts": "双方确认借款 5 万元已交付。",
        "parties_consented": True,
        "failure_reason": "no_agreement",
    }


@example(CaseReturnForm)
def case_return_form(world: World) -> dict[str, Any]:
    return {**case_return(world), "version": 1}


@example(ConfirmationApply)
def confirmation_apply(world: World) -> dict[str, Any]:
    return {"court": "梨树县人民法院", "applied_on": _today().isoformat()}


@example(ConfirmationForm)
def confirmation_form(world: World) -> dict[str, Any]:
    return {**confirmation_apply(world), "version": 1}


@example(DecisionIn)
def decision(world: World) -> dict[str, Any]:
    return {"decision": "filed", "court_case_no": "（2026）吉0322民初88号"}


@example(DecisionForm)
def decision_form(world: World) -> dict[str, Any]:
    return {**decision(world), "version": 1}
