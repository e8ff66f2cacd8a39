"""The court side of mediation cases: input structs (API bodies, parsed forms) and typed rows
for court referral (委派 / 诉前调解), judicial confirmation (司法确认) and the court's decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from mediation.tables import CaseParty, MediationCase
from wusong.core.scoped import ref

# A case in the court's view (court-referred, or with a confirmation application). The variant
# tells the route walker to call these routes with such a case (its target ``cases:court``).
CourtCaseId = Annotated[UUID, ref(MediationCase, "court")]
CourtPartyId = Annotated[UUID, ref(CaseParty, "court")]

DECISIONS: dict[str, str] = {
    "accepted": "受理",
    "confirmed": "裁定确认调解协议有效",
    "refused": "裁定驳回申请",
    "returned": "退回补正",
    "filed": "立案",
}
# 法释〔2011〕5号 art. 7: when the court refuses to confirm an agreement.
REFUSAL_REASONS: dict[str, str] = {
    "mandatory_law": "违反法律、行政法规强制性规定",
    "public_interest": "损害国家利益、社会公共利益或他人合法权益",
    "criminal": "涉及刑事责任",
    "unclear": "内容不明确，无法执行",
    "coerced": "违背当事人意愿（胁迫）",
    "other": "其他不能确认的情形",
}
CONFIRMATION_STATUSES: dict[str, str] = {
    "applied": "已申请，待受理",
    "accepted": "已受理，待裁定",
    "confirmed": "已确认有效",
    "refused": "已驳回",
    "returned": "已退回补正",
}
OPEN_APPLICATION = frozenset({"applied", "accepted"})
# An agreement with an application in one of these may not be applied for again: the court has
# it, or has ruled on it (a refused agreement is amended into a new version first).
BLOCKING_APPLICATION = frozenset({"applied", "accepted", "confirmed", "refused"})


# ---- inputs ----------------------------------------------------------------------------------


class Extension(msgspec.Struct, forbid_unknown_fields=True):
    """Both parties consented to extend the mediation period (API: version from If-Match)."""

    consented_on: date
    note: str

    labels: ClassVar[dict[str, str]] = {
        "consented_on": "双方同意延长的日期",
        "note": "同意延长的情况",
    }


class ExtensionForm(Extension, forbid_unknown_fields=True):
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**Extension.labels, "version": "版本"}


class CaseReturn(msgspec.Struct, forbid_unknown_fields=True):
    """The mediation ended without agreement: the case goes back to the referring court, with
    the undisputed facts the parties consented to (may be none). An open case is closed as not
    settled with ``failure_reason``."""

    returned_on: date | None = None
    undisputed_facts: str = ""
    parties_consented: bool = False
    failure_reason: str = ""

    labels: ClassVar[dict[str, str]] = {
        "returned_on": "退回日期",
        "undisputed_facts": "无争议事实记载",
        "parties_consented": "双方当事人已签字确认无争议事实",
        "failure_reason": "调解不成的原因",
    }


class CaseReturnForm(CaseReturn, forbid_unknown_fields=True):
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**CaseReturn.labels, "version": "版本"}


class ConfirmationApply(msgspec.Struct, forbid_unknown_fields=True):
    """The parties' joint application for judicial confirmation of the effective agreement."""

    court: str
    applied_on: date | None = None

    labels: ClassVar[dict[str, str]] = {"court": "受理法院", "applied_on": "申请日期"}


class ConfirmationForm(ConfirmationApply, forbid_unknown_fields=True):
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**ConfirmationApply.labels, "version": "版本"}


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A court reviewer's decision: on the open confirmation application (accepted, confirmed,
    refused, returned) or, for a case returned to the court, its filing (filed)."""

    decision: str
    court_case_no: str = ""
    reason: str = ""
    note: str = ""
    decided_on: date | None = None

    labels: ClassVar[dict[str, str]] = {
        "decision": "审查决定",
        "court_case_no": "法院案号",
        "reason": "驳回理由",
        "note": "说明",
        "decided_on": "决定日期",
    }


class DecisionForm(DecisionIn, forbid_unknown_fields=True):
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**DecisionIn.labels, "version": "版本"}


# ---- rows ------------------------------------------------------------------------------------


class ReferralView(msgspec.Struct):
    """A court-referred case's referral and where its mediation period stands."""

    case_id: UUID
    case_no: str
    status: str
    referring_court: str
    court_ref_no: str
    referral_date: date | None
    procedure: str
    procedure_label: str
    period_days: int
    due_on: date | None
    days_left: int | None
    overdue: bool
    calendar_known: bool  # False: the official calendar does not cover the year (weekends)
    extended_on: date | None
    extension_note: str
    extension_days: int
    undisputed_facts: str
    returned_on: date | None
    filing_due: date | None  # the court decides on filing within 7 days (民事诉讼法 art. 126)
    filed_case_no: str
    can_extend: bool
    can_return: bool
    version: int


class ConfirmationRow(msgspec.Struct):
    id: UUID
    case_id: UUID
    agreement_id: UUID
    court: str
    applied_on: date
    status: str
    court_case_no: str
    accepted_on: date | None
    decided_on: date | None
    refusal_reason: str
    note: str
    version: int
    acceptance_due: date | None = None  # accept within 3 days of the application
    ruling_due: date | None = None  # rule within 15 days of acceptance (extendable by 10)


class ConfirmationWindow(msgspec.Struct):
    """The 30-day window for the joint application, counted from the agreement's effect."""

    agreement_id: UUID
    agreement_version: int
    effective_on: date
    window_end: date
    days_left: int
    closing: bool  # 5 days or fewer left
    past: bool
    calendar_known: bool
    confirmable: bool
    not_confirmable_reason: str


class DecisionRow(msgspec.Struct):
    id: UUID
    case_id: UUID
    confirmation_id: UUID | None
    decision: str
    court_case_no: str
    reason: str
    note: str
    decided_on: date
    decided_by_name: str
    created_at: datetime


class ConfirmationsView(msgspec.Struct):
    """A case's judicial confirmation: the window of its effective agreement (none without
    one), its applications (newest first) and the court's decisions."""

    case_id: UUID
    window: ConfirmationWindow | None
    applications: list[ConfirmationRow]
    decisions: list[DecisionRow]
    can_apply: bool
    version: int


class QueueItem(msgspec.Struct):
    """A file waiting for the court: a referred case returned for filing, or an application."""

    kind: str  # referral | confirmation
    case_id: UUID
    case_no: str
    title: str
    court: str
    since: date  # returned on / applied on
    status: str
    confirmation_id: UUID | None
    court_case_no: str
    due_on: date
    due_label: str
    days_left: int
    overdue: bool
