"""Proceedings use cases: mediation sessions, the outcome and follow-up visits (the agreement
is ``mediation.proceedings.agreements``).

They run inside their caller's unit of work and never open a transaction of their own.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from mediation import repo as case_repo
from mediation.access import readable_case, writable_case
from mediation.proceedings import repo
from mediation.proceedings.schemas import (
    PERFORMANCE,
    SESSION_MODES,
    FollowUpCreate,
    FollowUpRow,
    OutcomeRow,
    OutcomeSet,
    SessionCreate,
    SessionRow,
)
from mediation.rules import check_day, clean_long_text
from mediation.status import (
    AGREED,
    CLOSED,
    FAILURE_REASONS,
    OPEN,
    STATUSES,
    require_status,
    require_transition,
)
from tenants import audit
from tenants.rules import clean_text
from wusong.core.clock import local_today
from wusong.core.errors import Conflict, FieldErrors, PreconditionFailed
from wusong.core.tenancy import TenantContext

FOLLOWUP_RULE = "只有调解协议已生效的案件才能记录回访"
MAX_TEXT = 2000


def _actor(ctx: TenantContext) -> str:
    return ctx.display_name or ctx.actor_name


def _valid_version(expected: int) -> None:
    if not 0 < expected < 2**31:
        raise PreconditionFailed


# ---- sessions --------------------------------------------------------------------------------


async def list_sessions(ctx: TenantContext, case_id: UUID) -> list[SessionRow]:
    await readable_case(ctx, case_id)
    return await repo.list_sessions(ctx, case_id)


async def record_session(ctx: TenantContext, case_id: UUID, data: SessionCreate) -> SessionRow:
    """A mediation session of an open case."""
    case = await writable_case(ctx, case_id)
    require_status(case.status, {OPEN}, "只有调解中的案件可以记录调解过程")
    errors = FieldErrors()
    held_on = check_day(
        errors, "held_on", "调解日期", data.held_on, today=local_today(),
        not_before=case.accepted_on, not_before_label="受理日期",
    )  # fmt: skip
    if data.mode not in SESSION_MODES:
        errors.add("mode", "调解方式须为现场、线上或电话")
    place = clean_text(
        errors, "place", "调解地点", data.place, 100, required=data.mode == "on_site"
    )
    attendees = clean_long_text(errors, "attendees", "参加人员", data.attendees, 400, required=True)
    record = clean_long_text(errors, "record", "调解记录", data.record, 10000, required=True)
    errors.raise_if_any()
    session_id = await repo.insert_session(
        ctx,
        {
            "id": uuid4(),
            "case": case_id,
            "held_on": held_on,
            "mode": data.mode,
            "place": place,
            "attendees": attendees,
            "record": record,
            "recorded_by": ctx.user_id,
            "recorded_by_name": _actor(ctx),
        },
    )
    await audit.record(
        ctx,
        "case.session.record",
        "case",
        case_id,
        {"held_on": str(held_on), "mode": SESSION_MODES[data.mode], "place": place},
    )
    return next(s for s in await repo.list_sessions(ctx, case_id) if s.id == session_id)


# ---- the outcome -----------------------------------------------------------------------------


async def set_outcome(
    ctx: TenantContext, case_id: UUID, data: OutcomeSet, expected: int
) -> OutcomeRow:
    """Close the case with its outcome (or send a failed one to litigation), per
    ``mediation.status.TRANSITIONS``; a case whose agreement took effect can only be settled."""
    case = await writable_case(ctx, case_id)
    errors = FieldErrors()
    if data.outcome not in CLOSED:
        errors.add("outcome", "调解结果须为调解成功、部分达成、调解不成、已撤回或转入诉讼")
    reason = data.reason.strip()
    if reason and reason not in FAILURE_REASONS:
        errors.add("reason", "未成功原因无效，请从列表中选择")
    elif data.outcome == "failed" and not reason:
        errors.add("reason", "调解不成时须选择原因")
    note = clean_long_text(errors, "note", "说明", data.note, MAX_TEXT)
    closed_on = check_day(
        errors, "closed_on", "结案日期", data.closed_on, today=local_today(),
        not_before=case.accepted_on, not_before_label="受理日期",
    )  # fmt: skip
    errors.raise_if_any()
    require_transition(case.status, data.outcome)
    agreements = await repo.list_agreements(ctx, case_id)
    if data.outcome not in AGREED and any(a.status == "effective" for a in agreements):
        raise Conflict("调解协议已生效的案件，调解结果只能是调解成功或部分达成")
    _valid_version(expected)
    if data.outcome == "failed":
        kept_reason = reason
    elif data.outcome == "litigation" and case.status == "failed":
        kept_reason = case.outcome_reason  # why mediation failed before it went to court
    else:
        kept_reason = ""
    changes: dict[str, Any] = {
        "status": data.outcome,
        "closed_on": closed_on or local_today(),
        "outcome_reason": kept_reason,
        "outcome_note": note,
    }
    version = await case_repo.update_case(ctx, case_id, expected, changes)
    # as people read it in the timeline: labels, and only what was given
    after = {"status": STATUSES[data.outcome], "closed_on": str(changes["closed_on"])}
    if kept_reason:
        after["outcome_reason"] = FAILURE_REASONS.get(kept_reason, kept_reason)
    if note:
        after["outcome_note"] = note
    await audit.record(
        ctx,
        "case.outcome.set",
        "case",
        case_id,
        {"before": {"status": STATUSES[case.status]}, "after": after},
    )
    return OutcomeRow(
        case_id=case_id,
        status=data.outcome,
        closed_on=changes["closed_on"],
        outcome_reason=kept_reason,
        outcome_note=note,
        amount_agreed=repo.money(case.amount_agreed),
        version=version,
    )


# ---- follow-up visits ------------------------------------------------------------------------


async def has_effective_agreement(ctx: TenantContext, case_id: UUID) -> bool:
    """Has the case an agreement in effect (follow-ups need one)."""
    return any(a.status == "effective" for a in await repo.list_agreements(ctx, case_id))


async def list_followups(ctx: TenantContext, case_id: UUID) -> list[FollowUpRow]:
    await readable_case(ctx, case_id)
    return await repo.list_followups(ctx, case_id)


async def record_followup(ctx: TenantContext, case_id: UUID, data: FollowUpCreate) -> FollowUpRow:
    """A follow-up visit of a case whose agreement took effect: was it performed."""
    await writable_case(ctx, case_id)
    agreements = await repo.list_agreements(ctx, case_id)
    if not any(a.status == "effective" for a in agreements):
        raise Conflict(FOLLOWUP_RULE)
    since = min(a.effective_on for a in agreements if a.effective_on is not None)
    errors = FieldErrors()
    visited_on = check_day(
        errors, "visited_on", "回访日期", data.visited_on, today=local_today(),
        not_before=since, not_before_label="调解协议生效日期",
    )  # fmt: skip
    if data.performance not in PERFORMANCE:
        errors.add("performance", "履行情况须为全部履行、部分履行或未履行")
    note = clean_long_text(errors, "note", "回访记录", data.note, MAX_TEXT)
    errors.raise_if_any()
    followup_id = await repo.insert_followup(
        ctx,
        {
            "id": uuid4(),
            "case": case_id,
            "visited_on": visited_on,
            "performance": data.performance,
            "note": note,
            "recorded_by_name": _actor(ctx),
        },
    )
    await audit.record(
        ctx,
        "case.followup.record",
        "case",
        case_id,
        {"visited_on": str(visited_on), "performance": PERFORMANCE[data.performance]},
    )
    return next(f for f in await repo.list_followups(ctx, case_id) if f.id == followup_id)
