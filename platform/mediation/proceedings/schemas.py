"""Proceedings DTOs: the inputs of sessions, outcomes, agreements, signatures and follow-up
visits (API bodies and parsed page forms), and their typed rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from mediation.schemas import PartyId
from mediation.tables import Agreement, MediationCase
from wusong.core.scoped import ref

# Path ids. The variant names the kind of row a route works on, so the route walker calls it
# with a row of that kind (tests/mediation/proceedings/world.py): an open case for sessions and
# the outcome, a case with an effective agreement (and a correction draft) for the agreement
# and follow-up routes.
OpenCaseId = Annotated[UUID, ref(MediationCase, "open")]
AgreedCaseId = Annotated[UUID, ref(MediationCase, "agreed")]
DraftAgreementId = Annotated[UUID, ref(Agreement, "draft")]
EffectiveAgreementId = Annotated[UUID, ref(Agreement, "effective")]

SESSION_MODES: dict[str, str] = {"on_site": "现场", "online": "线上", "phone": "电话"}
PERFORMANCE: dict[str, str] = {"full": "全部履行", "partial": "部分履行", "none": "未履行"}
AGREEMENT_STATUSES: dict[str, str] = {
    "draft": "草稿",
    "effective": "已生效",
    "superseded": "已被更正",
}
SIGNERS: dict[str, str] = {"party": "当事人", "mediator": "调解员", "seal": "调解委员会印章"}
SIGN_METHODS: dict[str, str] = {"sign": "签名", "seal": "盖章", "fingerprint": "按指印"}
# A term performed when the agreement is signed needs no separate place and deadline: this way
# of performance is the agreement's "clear statement" (the place is the mediation venue, the
# deadline the agreement date).
ON_SIGNING = "当场履行"
TERM_SLOTS = 6  # term rows on the agreement page (the API takes up to MAX_TERMS)
MAX_TERMS = 30


# ---- inputs ----------------------------------------------------------------------------------


class SessionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """One mediation session: when, how, where, who attended, and the record."""

    held_on: date
    record: str
    attendees: str
    mode: str = "on_site"
    place: str = ""

    labels: ClassVar[dict[str, str]] = {
        "held_on": "调解日期",
        "record": "调解记录",
        "attendees": "参加人员",
        "mode": "调解方式",
        "place": "调解地点",
    }


class OutcomeSet(msgspec.Struct, forbid_unknown_fields=True):
    """The outcome of the case (API: the case version comes from If-Match). ``reason`` is a
    failure reason code (``mediation.status.FAILURE_REASONS``), required for ``failed``."""

    outcome: str
    reason: str = ""
    note: str = ""
    closed_on: date | None = None

    labels: ClassVar[dict[str, str]] = {
        "outcome": "调解结果",
        "reason": "未成功原因",
        "note": "说明",
        "closed_on": "结案日期",
    }


class OutcomeForm(OutcomeSet, forbid_unknown_fields=True):
    """The outcome page's form, with the case version it was loaded at."""

    version: int = -1

    labels: ClassVar[dict[str, str]] = {**OutcomeSet.labels, "version": "版本"}


class TermIn(msgspec.Struct, forbid_unknown_fields=True):
    """One agreed term: who (a party of the case; none: both sides) owes what, how much (yuan,
    at most two decimals), how, where and by when."""

    obligation: str
    obligor_id: PartyId | None = None
    amount: Decimal | None = None
    way: str = ""
    place: str = ""
    deadline: date | None = None

    labels: ClassVar[dict[str, str]] = {
        "obligation": "履行内容",
        "obligor_id": "义务人",
        "amount": "金额（元）",
        "way": "履行方式",
        "place": "履行地点",
        "deadline": "履行期限",
    }


class AgreementIn(msgspec.Struct, forbid_unknown_fields=True):
    """The contents of a mediation agreement (人民调解协议书): facts, issues in dispute, each
    side's responsibility, the agreement date and the terms (API: replaces the whole draft)."""

    facts: str = ""
    issues: str = ""
    responsibilities: str = ""
    agreed_on: date | None = None
    terms: list[TermIn] = msgspec.field(default_factory=list)

    labels: ClassVar[dict[str, str]] = {
        "facts": "纠纷主要事实",
        "issues": "争议事项",
        "responsibilities": "各方责任",
        "agreed_on": "协议日期",
        "terms": "协议条款",
    }


def _term_fields() -> list[tuple[str, Any, Any]]:
    return [
        (f"t{slot}_{name}", str, "") for slot in range(1, TERM_SLOTS + 1) for name in TermIn.labels
    ]


# The agreement page's form: the contents, TERM_SLOTS rows of term fields (t1_obligation,
# t1_amount, …; a row left empty is no term) and the version it was loaded at. The obligor is
# plain text here (a party id the use case checks), as the core's intake form does.
AgreementForm: type[msgspec.Struct] = msgspec.defstruct(
    "AgreementForm",
    [
        ("facts", str, ""),
        ("issues", str, ""),
        ("responsibilities", str, ""),
        ("agreed_on", str, ""),
        *_term_fields(),
        ("version", int, -1),
    ],
    forbid_unknown_fields=True,
    namespace={
        "labels": {
            **{k: v for k, v in AgreementIn.labels.items() if k != "terms"},
            **{
                f"t{slot}_{name}": f"第{slot}项{label}"
                for slot in range(1, TERM_SLOTS + 1)
                for name, label in TermIn.labels.items()
            },
            "version": "版本",
        },
        "__doc__": "The agreement page's form (see the comment above).",
    },
)


class DraftStart(msgspec.Struct, forbid_unknown_fields=True):
    """The page's "draft the agreement" button: the draft starts from the case's facts."""

    labels: ClassVar[dict[str, str]] = {}


class CorrectionStart(msgspec.Struct, forbid_unknown_fields=True):
    """The page's "make a corrected version" button of an effective agreement."""

    labels: ClassVar[dict[str, str]] = {}


class SignatureIn(msgspec.Struct, forbid_unknown_fields=True):
    """A signature on a draft: a party (``party_id``; sign, seal or fingerprint), the mediator,
    or the committee seal (``signer``). Recording a signer again replaces its signature."""

    signer: str
    party_id: PartyId | None = None
    method: str = "sign"
    signed_on: date | None = None

    labels: ClassVar[dict[str, str]] = {
        "signer": "签署方",
        "party_id": "当事人",
        "method": "签署方式",
        "signed_on": "签署日期",
    }


class FollowUpCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A follow-up visit (回访): was the effective agreement performed."""

    visited_on: date
    performance: str
    note: str = ""

    labels: ClassVar[dict[str, str]] = {
        "visited_on": "回访日期",
        "performance": "履行情况",
        "note": "回访记录",
    }


# ---- rows ------------------------------------------------------------------------------------


class SessionRow(msgspec.Struct):
    id: UUID
    case_id: UUID
    held_on: date
    mode: str
    place: str
    attendees: str
    record: str
    recorded_by_name: str
    created_at: datetime


class OutcomeRow(msgspec.Struct):
    """Where the case stands after its outcome was recorded."""

    case_id: UUID
    status: str
    closed_on: date | None
    outcome_reason: str
    outcome_note: str
    amount_agreed: Decimal | None
    version: int


class TermRow(msgspec.Struct):
    id: UUID
    obligor_id: UUID | None
    obligation: str
    amount: Decimal | None
    way: str
    place: str
    deadline: date | None
    position: int
    obligor_name: str = ""


class SignatureRow(msgspec.Struct):
    id: UUID
    signer: str
    party_id: UUID | None
    method: str
    signed_on: date
    recorded_by_name: str
    party_name: str = ""


class AgreementRow(msgspec.Struct):
    """One version of the agreement, its terms and signatures; ``missing`` names the required
    contents it lacks and ``unsigned`` who has yet to sign (both empty: it can take effect)."""

    id: UUID
    case_id: UUID
    version_no: int
    supersedes_id: UUID | None
    status: str
    facts: str
    issues: str
    responsibilities: str
    agreed_on: date | None
    effective_on: date | None
    amount_total: Decimal
    created_by_name: str
    created_at: datetime
    updated_at: datetime
    version: int
    terms: list[TermRow] = msgspec.field(default_factory=list)
    signatures: list[SignatureRow] = msgspec.field(default_factory=list)
    missing: list[str] = msgspec.field(default_factory=list)
    unsigned: list[str] = msgspec.field(default_factory=list)


class FollowUpRow(msgspec.Struct):
    id: UUID
    case_id: UUID
    visited_on: date
    performance: str
    note: str
    recorded_by_name: str
    created_at: datetime
