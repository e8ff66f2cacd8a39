"""Court-side use cases of a mediation case's mediator: the referral's period and extension, the
return of a failed referral to the court with its undisputed facts, and the joint application
for judicial confirmation (the court reviewer's use cases are in ``mediation.court.review``).

They run inside their caller's unit of work and never open a transaction of their own. Every
write records one audit event on the case (object type ``case``), so the case timeline shows it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from mediation import repo as case_repo
from mediation import services as case_services
from mediation.access import readable_case, writable_case
from mediation.categories import NOT_CONFIRMABLE_REASON
from mediation.config import PROCEDURE_DAYS, PROCEDURES, MediationConfig
from mediation.court import repo
from mediation.court.schemas import (
    BLOCKING_APPLICATION,
    CONFIRMATION_STATUSES,
    CaseReturn,
    ConfirmationApply,
    ConfirmationRow,
    ConfirmationsView,
    ConfirmationWindow,
    Extension,
    ReferralView,
)
from mediation.deadlines import days_left, is_working_day, period_end
from mediation.rules import check_day, clean_long_text
from mediation.schemas import CaseRow
from mediation.status import AGREED, FAILURE_REASONS, OPEN, STATUSES
from tenants import audit
from tenants.rules import clean_text
from wusong.core.clock import local_today
from wusong.core.errors import Conflict, FieldErrors, NotFound
from wusong.core.tenancy import TenantContext

CLOSING_DAYS = 5  # the confirmation window is "closing" with this many days or fewer left
ACCEPT_DAYS = 3  # the court decides within 3 days whether to accept an application
RULING_DAYS = 15  # and rules within 15 days of accepting it (extendable by 10)
FILING_DAYS = 7  # a complaint is filed or refused within 7 days (民事诉讼法 art. 126)


async def tenant_config(ctx: TenantContext) -> MediationConfig:
    """The tenant's mediation settings (defaults until an administrator saves them)."""
    return (await case_services.settings(ctx)).config


def iso(day: date | None) -> str | None:
    """A day as audit diffs carry it."""
    return day.isoformat() if day is not None else None


def actor_name(ctx: TenantContext) -> str:
    """Who acts, as court records name them."""
    return (ctx.display_name or ctx.actor_name)[:40]


async def bump(ctx: TenantContext, case: CaseRow, expected: int, changes: dict[str, Any]) -> int:
    """Change the case, or only its version (a court record of it changed), if it is still at
    version ``expected``: a lost race is a 412 (API) or the form again (pages)."""
    return await case_repo.update_case(ctx, case.id, expected, changes)


# ---- the referral ----------------------------------------------------------------------------


def _require_court_case(case: CaseRow) -> None:
    if case.source != "court":
        raise Conflict("该案件不是法院委派的案件，没有委派调解期限")


async def referral(ctx: TenantContext, case_id: UUID) -> ReferralView:
    """The referral of a court-referred case and where its period stands (404: not referred)."""
    case = await readable_case(ctx, case_id)
    if case.source != "court":
        raise NotFound("该案件不是法院委派的案件")
    return await referral_of(ctx, case)


async def referral_of(ctx: TenantContext, case: CaseRow) -> ReferralView:
    config = await tenant_config(ctx)
    today = local_today()
    period = getattr(config, PROCEDURE_DAYS.get(case.procedure, "classic_days"))
    # Counted by the official calendar, or (a year it does not cover yet) by weekends only.
    known = case.due_on is None or is_working_day(case.due_on)[1]
    filed = await repo.filing(ctx, case.id)
    filing_due = None
    if case.returned_on is not None and filed is None:
        filing_due = period_end(case.returned_on, FILING_DAYS).day
    is_open = case.status == OPEN and case.returned_on is None
    left = days_left(case.due_on, today) if case.due_on is not None and is_open else None
    return ReferralView(
        case_id=case.id,
        case_no=case.case_no,
        status=case.status,
        referring_court=case.referring_court,
        court_ref_no=case.court_ref_no,
        referral_date=case.referral_date,
        procedure=case.procedure,
        procedure_label=PROCEDURES.get(case.procedure, case.procedure),
        period_days=period,
        due_on=case.due_on,
        days_left=left,
        overdue=left is not None and left < 0,
        calendar_known=known,
        extended_on=case.extended_on,
        extension_note=case.extension_note,
        extension_days=config.extension_days,
        undisputed_facts=case.undisputed_facts,
        returned_on=case.returned_on,
        filing_due=filing_due,
        filed_case_no=filed.court_case_no if filed is not None else "",
        can_extend=is_open and case.extended_on is None and not (left is not None and left < 0),
        can_return=case.returned_on is None and case.status not in AGREED,
        version=case.version,
    )


async def extend_referral(
    ctx: TenantContext, case_id: UUID, data: Extension, expected: int
) -> ReferralView:
    """Both parties consented: the period runs ``extension_days`` longer, from the current due
    date. Once per case, for an open court-referred case, while its period runs."""
    case = await writable_case(ctx, case_id)
    _require_court_case(case)
    if case.returned_on is not None:
        raise Conflict("案件已退回法院，不能再延长调解期限")
    if case.status != OPEN:
        raise Conflict(
            f"只有调解中的案件可以延长调解期限（案件当前状态：{STATUSES.get(case.status)}）"
        )
    if case.extended_on is not None:
        raise Conflict(
            f"调解期限已于 {case.extended_on.isoformat()} 延长过一次，经双方同意只能延长一次"
        )
    if case.due_on is None:
        raise Conflict("该案件没有委派调解期限，不能延长")
    today = local_today()
    if today > case.due_on:
        # Mediation must not delay the filing (最高人民法院, 2025): an expired period is over.
        raise Conflict(
            f"调解期限已于 {case.due_on.isoformat()} 届满，期限届满后不能延长：请退回法院立案"
        )
    config = await tenant_config(ctx)
    errors = FieldErrors()
    labels = Extension.labels
    consented = check_day(
        errors, "consented_on", labels["consented_on"], data.consented_on, today=today,
        not_before=case.referral_date or case.accepted_on, not_before_label="委派日期",
    )  # fmt: skip
    note = clean_long_text(errors, "note", labels["note"], data.note, 200, required=True)
    errors.raise_if_any()
    new_due = period_end(case.due_on, config.extension_days).day
    await bump(
        ctx, case, expected,
        {"extended_on": consented, "extension_note": note, "due_on": new_due},
    )  # fmt: skip
    await audit.record(
        ctx,
        "court.referral_extend",
        "case",
        case.id,
        {
            "extended_on": iso(consented),
            "extension_note": note,
            "extension_days": config.extension_days,
            "before": {"due_on": iso(case.due_on)},
            "after": {"due_on": iso(new_due)},
        },
    )
    return await referral(ctx, case.id)


async def return_to_court(
    ctx: TenantContext, case_id: UUID, data: CaseReturn, expected: int
) -> ReferralView:
    """The mediation failed (or the parties want to go to court): the case returns to the
    referring court, with the undisputed facts the parties consented to. Never refused for a
    court case that is not settled: the product never blocks a filing. An open case is closed
    as not settled with the reason given."""
    case = await writable_case(ctx, case_id)
    _require_court_case(case)
    if case.returned_on is not None:
        raise Conflict(f"案件已于 {case.returned_on.isoformat()} 退回法院")
    if case.status in AGREED:
        raise Conflict(
            f"调解已达成协议的案件不退回法院（案件当前状态：{STATUSES.get(case.status)}）"
        )
    today = local_today()
    errors = FieldErrors()
    labels = CaseReturn.labels
    returned = check_day(
        errors, "returned_on", labels["returned_on"], data.returned_on or today, today=today,
        not_before=case.referral_date or case.accepted_on, not_before_label="委派日期",
    )  # fmt: skip
    facts = clean_long_text(
        errors, "undisputed_facts", labels["undisputed_facts"], data.undisputed_facts, 5000
    )
    if facts and not data.parties_consented:
        errors.add(
            "parties_consented", "无争议事实须经双方当事人签字确认：请勾选确认，或不填写此项"
        )
    changes: dict[str, Any] = {"returned_on": returned, "undisputed_facts": facts}
    if case.status == OPEN:
        if data.failure_reason not in FAILURE_REASONS:
            errors.add("failure_reason", "请选择调解不成的原因")
        changes |= {"status": "failed", "closed_on": returned}
        changes["outcome_reason"] = data.failure_reason
    errors.raise_if_any()
    await bump(ctx, case, expected, changes)
    diff: dict[str, Any] = {"returned_on": iso(returned), "undisputed_facts": facts}
    if case.status == OPEN:
        diff |= {
            "status": STATUSES["failed"],
            "outcome_reason": FAILURE_REASONS.get(data.failure_reason, data.failure_reason),
        }
    await audit.record(ctx, "court.referral_return", "case", case.id, diff)
    return await referral(ctx, case.id)


# ---- judicial confirmation -------------------------------------------------------------------


async def category_confirmable(ctx: TenantContext, code: str) -> bool:
    """May an agreement of this category be confirmed (standard list or the tenant's own)."""
    found = await case_services.category(ctx, code)
    return found is None or found.confirmable


def _application_deadlines(row: ConfirmationRow) -> ConfirmationRow:
    if row.status == "applied":
        row.acceptance_due = period_end(row.applied_on, ACCEPT_DAYS).day
    elif row.status == "accepted" and row.accepted_on is not None:
        row.ruling_due = period_end(row.accepted_on, RULING_DAYS).day
    return row


async def confirmation_window(
    ctx: TenantContext, case: CaseRow, agreement: dict[str, Any] | None = None
) -> ConfirmationWindow | None:
    found = agreement or await repo.effective_agreement(ctx, case.id)
    if found is None or found["effective_on"] is None:
        return None
    effective_on = found["effective_on"]
    if not isinstance(effective_on, date):
        effective_on = date.fromisoformat(str(effective_on)[:10])
    config = await tenant_config(ctx)
    end = period_end(effective_on, config.confirmation_days)
    left = days_left(end.day, local_today())
    confirmable = await category_confirmable(ctx, case.category)
    return ConfirmationWindow(
        agreement_id=found["id"],
        agreement_version=int(found["version_no"]),
        effective_on=effective_on,
        window_end=end.day,
        days_left=left,
        closing=0 <= left <= CLOSING_DAYS,
        past=left < 0,
        calendar_known=end.known,
        confirmable=confirmable,
        not_confirmable_reason="" if confirmable else NOT_CONFIRMABLE_REASON,
    )


async def confirmations(ctx: TenantContext, case_id: UUID) -> ConfirmationsView:
    case = await readable_case(ctx, case_id)
    return await confirmations_of(ctx, case)


async def confirmations_of(ctx: TenantContext, case: CaseRow) -> ConfirmationsView:
    window = await confirmation_window(ctx, case)
    applications = [_application_deadlines(r) for r in await repo.list_confirmations(ctx, case.id)]
    blocked = any(
        a.status in BLOCKING_APPLICATION
        for a in applications
        if window is not None and a.agreement_id == window.agreement_id
    )
    can_apply = window is not None and window.confirmable and not window.past and not blocked
    return ConfirmationsView(
        case_id=case.id,
        window=window,
        applications=applications,
        decisions=await repo.list_decisions(ctx, case.id),
        can_apply=can_apply,
        version=case.version,
    )


async def apply_for_confirmation(
    ctx: TenantContext, case_id: UUID, data: ConfirmationApply, expected: int
) -> ConfirmationRow:
    """Record the parties' joint application (人民调解法 art. 33): only from an effective
    agreement, of a confirmable category, within the window, one at a time per agreement."""
    case = await writable_case(ctx, case_id)
    agreement = await repo.effective_agreement(ctx, case.id)
    if agreement is None or agreement["effective_on"] is None:
        raise Conflict("没有已生效的调解协议，不能申请司法确认")
    window = await confirmation_window(ctx, case, agreement)
    if window is None or not window.confirmable:
        raise Conflict(NOT_CONFIRMABLE_REASON)
    for existing in await repo.list_confirmations(ctx, case.id):
        if existing.agreement_id == window.agreement_id and existing.status in BLOCKING_APPLICATION:
            raise Conflict(
                f"该调解协议已申请司法确认（{existing.applied_on.isoformat()}，"
                f"{CONFIRMATION_STATUSES[existing.status]}），不能重复申请"
            )
    today = local_today()
    errors = FieldErrors()
    labels = ConfirmationApply.labels
    court = clean_text(errors, "court", labels["court"], data.court, 60)
    applied = check_day(
        errors, "applied_on", labels["applied_on"], data.applied_on or today, today=today,
        not_before=window.effective_on, not_before_label="调解协议生效日期",
    )  # fmt: skip
    errors.raise_if_any()
    if applied is not None and applied > window.window_end:
        config = await tenant_config(ctx)
        raise Conflict(
            f"双方当事人应当自调解协议生效之日起 {config.confirmation_days} 日内共同申请司法确认"
            f"（人民调解法第三十三条）：期限已于 {window.window_end.isoformat()} 届满"
        )
    await bump(ctx, case, expected, {})
    confirmation_id = await repo.insert_confirmation(
        ctx,
        {
            "id": uuid4(),
            "case": case.id,
            "agreement": window.agreement_id,
            "court": court,
            "applied_on": applied or today,
            "status": "applied",
        },
    )
    await audit.record(
        ctx,
        "court.confirmation_apply",
        "case",
        case.id,
        {
            "court": court,
            "applied_on": iso(applied),
            "agreement_version": window.agreement_version,
            "window_end": window.window_end.isoformat(),
        },
    )
    return _application_deadlines(await repo.get_confirmation(ctx, case.id, confirmation_id))
