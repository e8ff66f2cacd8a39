"""How a demo case goes after intake, through the use cases of the mediator and the court:
sessions, the agreement with its terms and every signature, the outcome, follow-up visits,
the joint application for judicial confirmation and the court's decisions, or a return to the
referring court. Dates follow the case (a session within days of intake, the agreement the
day of the last session, visits after the performance deadline), never after today."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from mediation import repo as case_repo
from mediation.categories import STANDARD_CATEGORIES
from mediation.court import review
from mediation.court import services as court
from mediation.court.schemas import CaseReturn, ConfirmationApply, DecisionIn
from mediation.proceedings import agreements
from mediation.proceedings import services as proceedings
from mediation.proceedings.schemas import (
    ON_SIGNING,
    AgreementIn,
    FollowUpCreate,
    OutcomeSet,
    SessionCreate,
    SignatureIn,
    TermIn,
)
from mediation.schemas import CaseCreate, CaseRow
from wusong.core.tenancy import TenantContext
from wusong.demos.mediation.texts import FAILED_RECORDS, FOLLOWUP_NOTES, SESSION_RECORDS

NOT_CONFIRMABLE = {c.code for c in STANDARD_CATEGORIES if not c.confirmable}
OUTCOMES = ("settled", "partly_settled", "failed", "withdrawn")
OUTCOME_WEIGHTS = (74, 6, 14, 6)
COURT_WEIGHTS = (58, 6, 32, 4)  # referred cases: more go back to the court


@dataclass(frozen=True)
class Intake:
    """A demo case as taken in, and what its mediation will need."""

    data: CaseCreate
    village: str
    place: str  # county, township and village, for the session and the terms
    amount: int | None  # what the applicant claims, when the claim is money
    courts: tuple[str, ...]


async def proceed(
    mediator: TenantContext,
    court_ctx: TenantContext,
    rng: random.Random,
    case: CaseRow,
    intake: Intake,
    today: date,
) -> None:
    """Take the case as far as its age allows: young cases stay open (a session held), a few
    older ones too (past their deadline), the rest close with an outcome."""
    age = (today - case.accepted_on).days
    if age < 12 or (age < 80 and rng.random() < 0.3):
        if age >= 2:
            await _session(mediator, rng, case, intake, case.accepted_on + timedelta(days=1))
        return
    weights = COURT_WEIGHTS if case.source == "court" else OUTCOME_WEIGHTS
    outcome = rng.choices(OUTCOMES, weights)[0]
    closed_on = case.accepted_on + timedelta(days=rng.randint(2, min(28, age - 1)))
    await _session(
        mediator, rng, case, intake, closed_on, failed=outcome in ("failed", "withdrawn")
    )
    if outcome in ("settled", "partly_settled"):
        await _settle(mediator, court_ctx, rng, case, intake, outcome, closed_on, today)
    elif outcome == "failed" and case.source == "court":
        current = await case_repo.get_case(mediator, case.id)
        facts = f"双方对{intake.data.title}的基本事实无异议，争议在于责任承担和具体数额。"
        data = CaseReturn(returned_on=closed_on, undisputed_facts=facts,
                          parties_consented=True, failure_reason="no_agreement")  # fmt: skip
        await court.return_to_court(mediator, case.id, data, current.version)
        await _filed(court_ctx, rng, case, closed_on + timedelta(days=rng.randint(1, 5)), today)
    else:
        reason = rng.choice(("no_agreement", "no_agreement", "unreachable", "party_withdrew"))
        data_out = OutcomeSet(
            outcome=outcome, closed_on=closed_on,
            reason=reason if outcome == "failed" else "",
            note="申请人撤回调解申请。" if outcome == "withdrawn" else "",
        )  # fmt: skip
        current = await case_repo.get_case(mediator, case.id)
        await proceedings.set_outcome(mediator, case.id, data_out, current.version)


async def _filed(
    court_ctx: TenantContext, rng: random.Random, case: CaseRow, filed_on: date, today: date
) -> None:
    """The referring court files the returned case (立案), when the day has come."""
    if filed_on > today:
        return
    number = f"（{filed_on.year}）吉{court_ctx.division_code[2:6]}民初{rng.randint(100, 3999)}号"
    filing = DecisionIn(decision="filed", court_case_no=number, decided_on=filed_on)
    current = await case_repo.get_case(court_ctx, case.id)
    await review.decide(court_ctx, case.id, filing, current.version)


async def _session(
    mediator: TenantContext,
    rng: random.Random,
    case: CaseRow,
    intake: Intake,
    held_on: date,
    *,
    failed: bool = False,
) -> None:
    parties = "、".join(p.name for p in intake.data.parties)
    words = {"v": intake.village, "title": case.title, "a": intake.data.parties[0].name,
             "b": intake.data.parties[1].name}  # fmt: skip
    record = rng.choice(FAILED_RECORDS if failed else SESSION_RECORDS).format(**words)
    mode = rng.choices(("on_site", "phone", "online"), (8, 1, 1))[0]
    data = SessionCreate(
        held_on=held_on, record=record, attendees=f"{parties}、调解员{mediator.display_name}",
        mode=mode, place=f"{intake.place}调解室" if mode == "on_site" else "",
    )  # fmt: skip
    await proceedings.record_session(mediator, case.id, data)


def _terms(
    rng: random.Random, intake: Intake, obligor: UUID, agreed_on: date, partly: bool
) -> list[TermIn]:
    applicant, respondent = (p.name for p in intake.data.parties)
    if intake.amount is not None:
        share = Decimal(rng.choice((50, 60, 70, 80, 100))) / 100 / (2 if partly else 1)
        amount = (Decimal(intake.amount) * share).quantize(Decimal("1"))
        if rng.random() < 0.25:
            return [TermIn(obligation=f"{respondent}当场向{applicant}支付{amount}元",
                           obligor_id=obligor, amount=amount, way=ON_SIGNING)]  # fmt: skip
        committee = "村民委员会" if intake.village.endswith("村") else "居民委员会"
        return [TermIn(
            obligation=f"{respondent}向{applicant}支付{amount}元", obligor_id=obligor,
            amount=amount, way=rng.choice(("银行转账", "微信转账", "现金")),
            place=intake.village + committee,
            deadline=agreed_on + timedelta(days=rng.randint(5, 60)),
        )]  # fmt: skip
    claim = intake.data.claims.removeprefix("请求").rstrip("。")
    return [TermIn(
        obligation=claim if claim.startswith(respondent) else f"{respondent}{claim}",
        obligor_id=obligor, way="自行履行", place=f"{intake.place}",
        deadline=agreed_on + timedelta(days=rng.randint(3, 30)),
    )]  # fmt: skip


async def _settle(
    mediator: TenantContext,
    court_ctx: TenantContext,
    rng: random.Random,
    case: CaseRow,
    intake: Intake,
    outcome: str,
    agreed_on: date,
    today: date,
) -> None:
    """An agreement signed by every party, the mediator and the seal; the outcome; visits; and
    for some (all court-referred ones that can be) judicial confirmation."""
    parties = await case_repo.list_parties(mediator, case.id)
    respondent = next(p for p in parties if p.role == "respondent")
    terms = _terms(rng, intake, respondent.id, agreed_on, outcome == "partly_settled")
    draft = await agreements.create_draft(mediator, case.id, AgreementIn(
        issues=f"{intake.data.claims}", agreed_on=agreed_on, terms=terms,
        responsibilities="双方本着互谅互让的原则自愿达成协议。",
    ))  # fmt: skip
    signatures = [SignatureIn(signer="party", party_id=p.id, signed_on=agreed_on,
                              method=rng.choice(("sign", "sign", "fingerprint")))
                  for p in parties]  # fmt: skip
    signatures += [SignatureIn(signer="mediator", signed_on=agreed_on),
                   SignatureIn(signer="seal", method="seal", signed_on=agreed_on)]  # fmt: skip
    for signature in signatures:
        await agreements.sign_agreement(mediator, case.id, draft.id, signature)
    current = await case_repo.get_case(mediator, case.id)
    closing = OutcomeSet(outcome=outcome, closed_on=agreed_on)
    await proceedings.set_outcome(mediator, case.id, closing, current.version)
    due = max((t.deadline or agreed_on for t in terms), default=agreed_on)
    visited_on = due + timedelta(days=rng.randint(1, 20))
    if visited_on <= today:
        immediate = all(t.way == ON_SIGNING for t in terms)
        performance = (
            "full" if immediate else rng.choices(("full", "partial", "none"), (82, 11, 7))[0]
        )
        words = {"a": parties[0].name, "b": respondent.name}
        note = FOLLOWUP_NOTES[performance].format(**words)
        await proceedings.record_followup(
            mediator, case.id, FollowUpCreate(visited_on, performance, note)
        )
    confirmable = case.category not in NOT_CONFIRMABLE
    if confirmable and (case.source == "court" or rng.random() < 0.2):
        await _confirm(mediator, court_ctx, rng, case, intake, agreed_on, today)


async def _confirm(
    mediator: TenantContext,
    court_ctx: TenantContext,
    rng: random.Random,
    case: CaseRow,
    intake: Intake,
    effective_on: date,
    today: date,
) -> None:
    """The joint application, then — as far as the dates allow — the court's acceptance (调确字
    number) and its ruling: confirmed, or now and then refused."""
    applied_on = effective_on + timedelta(days=rng.randint(1, 12))
    if applied_on > today:
        return
    court_name = case.referring_court or intake.courts[0]
    current = await case_repo.get_case(mediator, case.id)
    await court.apply_for_confirmation(
        mediator, case.id, ConfirmationApply(court=court_name, applied_on=applied_on),
        current.version,
    )  # fmt: skip
    accepted_on = applied_on + timedelta(days=rng.randint(1, 3))
    if accepted_on > today:
        return
    county = court_ctx.division_code[2:6]
    number = f"（{accepted_on.year}）吉{county}民调确字第{rng.randint(10, 480)}号"
    current = await case_repo.get_case(court_ctx, case.id)
    accepted = DecisionIn(decision="accepted", court_case_no=number, decided_on=accepted_on)
    await review.decide(court_ctx, case.id, accepted, current.version)
    ruled_on = accepted_on + timedelta(days=rng.randint(4, 15))
    if ruled_on > today:
        return
    refused = rng.random() < 0.1
    ruling = DecisionIn(
        decision="refused" if refused else "confirmed", decided_on=ruled_on,
        reason="unclear" if refused else "",
        note="协议履行期限约定不明确，建议当事人补正后重新申请。" if refused else "",
    )  # fmt: skip
    current = await case_repo.get_case(court_ctx, case.id)
    await review.decide(court_ctx, case.id, ruling, current.version)
