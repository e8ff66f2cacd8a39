"""The court reviewer's use cases: decisions on confirmation applications and on referred cases
returned to the court, the review queue, and the audited reveal of a party's ID number.

They run inside their caller's unit of work; every write records one audit event on the case.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from mediation import identity
from mediation.access import readable_case
from mediation.court import repo
from mediation.court.schemas import (
    DECISIONS,
    OPEN_APPLICATION,
    REFUSAL_REASONS,
    ConfirmationRow,
    DecisionIn,
    DecisionRow,
    QueueItem,
)
from mediation.court.services import ACCEPT_DAYS, FILING_DAYS, RULING_DAYS, actor_name, bump, iso
from mediation.deadlines import days_left, period_end
from mediation.rules import check_day, clean_long_text
from mediation.schemas import CaseRow, IdReveal
from mediation.status import STATUSES, TRANSITIONS
from tenants import audit
from tenants.rules import clean_text
from wusong.core.clock import local_today
from wusong.core.errors import Conflict, FieldErrors, NotFound, PreconditionFailed
from wusong.core.tenancy import TenantContext

COURT_CASE_WORD = "调确字"
ID_REVEAL = "security.id_reveal"


# ---- the court's decisions -------------------------------------------------------------------


async def decide(ctx: TenantContext, case_id: UUID, data: DecisionIn, expected: int) -> DecisionRow:
    """Record a court reviewer's decision, in the legal order: an application is accepted
    (调确字 number) before it is confirmed or refused; it may be returned for correction while
    open; a closed application takes no more decisions. A referred case returned to the court
    is filed (立案) with the court's case number."""
    case = await readable_case(ctx, case_id)
    today = local_today()
    errors = FieldErrors()
    if data.decision not in DECISIONS:
        errors.add("decision", "请选择审查决定")
        errors.raise_if_any()
    labels = DecisionIn.labels
    number = clean_text(
        errors, "court_case_no", labels["court_case_no"], data.court_case_no, 60, required=False
    )
    note = clean_long_text(errors, "note", labels["note"], data.note, 2000)
    if data.decision == "filed":
        return await _file(ctx, case, data, number, note, errors, expected)
    application = await _open_application(ctx, case)
    if data.decision in {"confirmed", "refused"} and application.status != "accepted":
        raise Conflict("人民法院须先受理司法确认申请，才能裁定确认或驳回")
    if data.decision == "accepted" and application.status != "applied":
        raise Conflict("该司法确认申请已经受理")
    since = application.accepted_on or application.applied_on
    decided = check_day(
        errors, "decided_on", labels["decided_on"], data.decided_on or today, today=today,
        not_before=since, not_before_label="申请（受理）日期",
    )  # fmt: skip
    if data.decision == "accepted":
        if not number:
            errors.add("court_case_no", "受理司法确认申请须填写法院案号（含“调确字”）")
        elif COURT_CASE_WORD not in number:
            errors.add(
                "court_case_no", "司法确认案件的案号应含“调确字”，例如（2026）吉0322民调确字第15号"
            )
    if data.decision == "refused" and data.reason not in REFUSAL_REASONS:
        errors.add("reason", "请选择驳回理由")
    errors.raise_if_any()
    changes: dict[str, Any] = {"status": data.decision, "note": note}
    if data.decision == "accepted":
        changes |= {"court_case_no": number, "accepted_on": decided}
    else:
        changes["decided_on"] = decided
    if data.decision == "refused":
        changes["refusal_reason"] = data.reason
    await bump(ctx, case, expected, {})
    if not await repo.update_confirmation(ctx, application.id, application.version, changes):
        raise PreconditionFailed
    decision_id = await repo.insert_decision(
        ctx,
        {
            "id": uuid4(),
            "case": case.id,
            "confirmation": application.id,
            "decision": data.decision,
            "court_case_no": number if data.decision == "accepted" else application.court_case_no,
            "reason": data.reason if data.decision == "refused" else "",
            "note": note,
            "decided_on": decided,
            "decided_by": ctx.user_id,
            "decided_by_name": actor_name(ctx),
        },
    )
    diff: dict[str, Any] = {"decision": DECISIONS[data.decision], "decided_on": iso(decided)}
    if data.decision == "accepted":
        diff["court_case_no"] = number
    if data.decision == "refused":
        diff["reason"] = REFUSAL_REASONS.get(data.reason, data.reason)
    await audit.record(ctx, "court.decision", "case", case.id, diff)
    return await repo.get_decision(ctx, decision_id)


async def _open_application(ctx: TenantContext, case: CaseRow) -> ConfirmationRow:
    for application in await repo.list_confirmations(ctx, case.id):
        if application.status in OPEN_APPLICATION:
            return application
    raise Conflict("该案件没有待审查的司法确认申请：已审结的申请不能再作决定")


async def _file(
    ctx: TenantContext, case: CaseRow, data: DecisionIn, number: str, note: str,
    errors: FieldErrors, expected: int,
) -> DecisionRow:  # fmt: skip
    if case.source != "court" or case.returned_on is None:
        raise Conflict("只有退回法院的委派调解案件才能登记立案")
    if await repo.filing(ctx, case.id) is not None:
        raise Conflict("该案件已登记立案")
    today = local_today()
    decided = check_day(
        errors, "decided_on", DecisionIn.labels["decided_on"], data.decided_on or today,
        today=today, not_before=case.returned_on, not_before_label="退回日期",
    )  # fmt: skip
    if not number:
        errors.add("court_case_no", "立案须填写法院案号")
    errors.raise_if_any()
    changes: dict[str, Any] = {}
    # A withdrawn case is filed all the same (filing is never blocked); its status stays.
    if "litigation" in TRANSITIONS.get(case.status, frozenset()):
        changes["status"] = "litigation"
    await bump(ctx, case, expected, changes)
    decision_id = await repo.insert_decision(
        ctx,
        {
            "id": uuid4(),
            "case": case.id,
            "decision": "filed",
            "court_case_no": number,
            "note": note,
            "decided_on": decided,
            "decided_by": ctx.user_id,
            "decided_by_name": actor_name(ctx),
        },
    )
    diff: dict[str, Any] = {"decision": DECISIONS["filed"], "court_case_no": number,
                            "decided_on": iso(decided)}  # fmt: skip
    if changes:
        diff["status"] = STATUSES["litigation"]
    await audit.record(ctx, "court.decision", "case", case.id, diff)
    return await repo.get_decision(ctx, decision_id)


# ---- the queue -------------------------------------------------------------------------------


async def court_queue(ctx: TenantContext, limit: int, offset: int) -> tuple[list[QueueItem], int]:
    """Referred cases returned for filing and open confirmation applications, oldest first,
    each with the court's next deadline."""
    rows, total = await repo.queue(ctx, limit, offset)
    today = local_today()
    items = []
    for row in rows:
        if row["kind"] == "referral":
            due, label = period_end(row["since"], FILING_DAYS).day, "立案审查期限"
        elif row["status"] == "accepted" and row["accepted_on"] is not None:
            due, label = period_end(row["accepted_on"], RULING_DAYS).day, "裁定期限"
        else:
            due, label = period_end(row["since"], ACCEPT_DAYS).day, "受理期限"
        left = days_left(due, today)
        items.append(
            QueueItem(
                kind=row["kind"],
                case_id=row["case_id"],
                case_no=row["case_no"],
                title=row["title"],
                court=row["court"],
                since=row["since"],
                status=row["status"],
                confirmation_id=row["confirmation_id"],
                court_case_no=row["court_case_no"] or "",
                due_on=due,
                due_label=label,
                days_left=left,
                overdue=left < 0,
            )
        )
    return items, total


# ---- the one full view of an ID number -------------------------------------------------------


async def reveal_id_number(ctx: TenantContext, case_id: UUID, party_id: UUID) -> IdReveal:
    """A party's full ID number for the court reviewer (routes let no other role in), logged
    as a security event on the case with the masked number only."""
    case = await readable_case(ctx, case_id)
    # One query for the name and the cipher: reveals queue behind SQLite's one writer.
    name, cipher = await repo.party_identity(ctx, case.id, party_id)
    if not cipher:
        raise NotFound("该当事人未登记身份证号码")
    number = identity.decrypt_id_number(ctx.tenant_id, cipher)
    await audit.record(
        ctx, ID_REVEAL, "case", case.id,
        {"party": identity.mask_name(name), "id_masked": identity.mask_id_number(number)},
    )  # fmt: skip
    return IdReveal(party_id=party_id, id_number=number)
