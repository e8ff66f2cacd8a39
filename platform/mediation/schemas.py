"""Mediation DTOs of the case core: input structs (API bodies and parsed page forms) and typed
rows. The proceedings (sessions, outcome, agreement, follow-ups) and the court (referral,
confirmation, review) keep theirs in their sub-packages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from mediation.config import MediationConfig
from mediation.tables import CaseCategory, CaseParty, MediationCase
from programs.schemas import ProgramId
from tenants.schemas import AreaId, MembershipId
from wusong.core.scoped import ref

CaseId = Annotated[UUID, ref(MediationCase)]
PartyId = Annotated[UUID, ref(CaseParty)]
CategoryId = Annotated[UUID, ref(CaseCategory)]

PARTY_ROLES: dict[str, str] = {
    "applicant": "申请人",
    "respondent": "被申请人",
    "third_party": "第三人",
}
PARTY_KINDS: dict[str, str] = {"person": "自然人", "organisation": "法人或其他组织"}


# ---- inputs ----------------------------------------------------------------------------------


class PartyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A party: a natural person (ID number optional at intake) or an organisation."""

    role: str
    name: str
    kind: str = "person"
    id_number: str = ""
    mobile: str = ""
    address: str = ""
    agent_name: str = ""
    agent_mobile: str = ""

    labels: ClassVar[dict[str, str]] = {
        "role": "当事人身份",
        "name": "姓名或名称",
        "kind": "当事人类型",
        "id_number": "身份证号码",
        "mobile": "手机号码",
        "address": "住址",
        "agent_name": "代理人",
        "agent_mobile": "代理人手机号码",
    }


class PartyEdit(PartyIn, forbid_unknown_fields=True):
    """A party corrected on its page, with the case version it was loaded at (an empty ID
    number keeps the stored one)."""

    version: int = -1

    labels: ClassVar[dict[str, str]] = {**PartyIn.labels, "version": "版本"}


class Referral(msgspec.Struct, forbid_unknown_fields=True):
    """Where a court-referred case came from (委派 / 诉前调解)."""

    referring_court: str
    court_ref_no: str = ""
    referral_date: date | None = None
    procedure: str = "classic"

    labels: ClassVar[dict[str, str]] = {
        "referring_court": "委派法院",
        "court_ref_no": "法院案号",
        "referral_date": "委派日期",
        "procedure": "委派类型",
    }


class CaseCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A dispute taken in: what it is about, where, and its parties (at least one applicant and
    one respondent). A court-referred case (``source`` = ``court``) carries its referral."""

    category: str
    source: str
    facts: str
    village_id: AreaId | None = None
    program_id: ProgramId | None = None
    mediator_id: MembershipId | None = None
    title: str = ""
    claims: str = ""
    accepted_on: date | None = None
    parties: list[PartyIn] = msgspec.field(default_factory=list)
    referral: Referral | None = None

    labels: ClassVar[dict[str, str]] = {
        "category": "纠纷类别",
        "source": "案件来源",
        "facts": "纠纷事实",
        "village_id": "村（社区）",
        "program_id": "所属项目",
        "mediator_id": "承办调解员",
        "title": "案由",
        "claims": "当事人请求",
        "accepted_on": "受理日期",
        "parties": "当事人",
        "referral": "委派信息",
    }


class CaseForm(msgspec.Struct, forbid_unknown_fields=True):
    """The intake page's form: the case, one applicant and one respondent (more parties are
    added on the case page), and the referral fields when the source is a court."""

    category: str = ""
    source: str = ""
    facts: str = ""
    village_id: str = ""
    program_id: str = ""
    title: str = ""
    claims: str = ""
    accepted_on: str = ""
    applicant_kind: str = "person"
    applicant_name: str = ""
    applicant_id_number: str = ""
    applicant_mobile: str = ""
    applicant_address: str = ""
    respondent_kind: str = "person"
    respondent_name: str = ""
    respondent_id_number: str = ""
    respondent_mobile: str = ""
    respondent_address: str = ""
    referring_court: str = ""
    court_ref_no: str = ""
    referral_date: str = ""
    procedure: str = ""

    labels: ClassVar[dict[str, str]] = {
        **{k: v for k, v in CaseCreate.labels.items() if k not in {"parties", "referral"}},
        **{f"applicant_{k}": f"申请人{v}" for k, v in PartyIn.labels.items()},
        **{f"respondent_{k}": f"被申请人{v}" for k, v in PartyIn.labels.items()},
        **Referral.labels,
    }


class CaseUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """What may be corrected on an open case (API: the version comes from If-Match)."""

    category: str
    facts: str
    village_id: AreaId | None = None
    program_id: ProgramId | None = None
    title: str = ""
    claims: str = ""

    labels: ClassVar[dict[str, str]] = CaseCreate.labels


class CaseEdit(msgspec.Struct, forbid_unknown_fields=True):
    """The edit page's form of CaseUpdate, with the version it was loaded at."""

    category: str = ""
    facts: str = ""
    village_id: str = ""
    program_id: str = ""
    title: str = ""
    claims: str = ""
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**CaseCreate.labels, "version": "版本"}


class MediatorAssign(msgspec.Struct, forbid_unknown_fields=True):
    """The administrator assigns (or clears) the case's mediator."""

    mediator_id: MembershipId | None = None
    version: int = -1

    labels: ClassVar[dict[str, str]] = {"mediator_id": "承办调解员", "version": "版本"}


class MediatorAssignForm(msgspec.Struct, forbid_unknown_fields=True):
    """The assignment page's form (an empty choice clears the assignment)."""

    mediator_id: str = ""
    version: int = -1

    labels: ClassVar[dict[str, str]] = MediatorAssign.labels


class CaseVersion(msgspec.Struct, forbid_unknown_fields=True):
    """A button that changes a case: the version of the case it was shown with."""

    version: int = -1

    labels: ClassVar[dict[str, str]] = {"version": "版本"}


class CategoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    confirmable: bool = True

    labels: ClassVar[dict[str, str]] = {"name": "类别名称", "confirmable": "可申请司法确认"}


class CategorySwitch(msgspec.Struct, forbid_unknown_fields=True):
    """Switch a category on or off: a standard code or the id of the county's own category."""

    code: str
    active: bool

    labels: ClassVar[dict[str, str]] = {"code": "类别", "active": "启用"}


class SettingsSave(msgspec.Struct, forbid_unknown_fields=True):
    """The whole settings (API: the version comes from If-Match)."""

    config: MediationConfig

    labels: ClassVar[dict[str, str]] = {"config": "调解设置"}


class SettingsForm(msgspec.Struct, forbid_unknown_fields=True):
    """The settings page's form (the hidden categories are switched in the category list)."""

    number_abbr: str = ""
    number_word: str = ""
    number_digits: int = 4
    usual_days: int = 30
    ordinary_days: int = 15
    simplified_days: int = 7
    classic_days: int = 30
    extension_days: int = 30
    confirmation_days: int = 30
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**MediationConfig.labels, "version": "版本"}


class CaseSearch(msgspec.Struct, forbid_unknown_fields=True):
    """A search that carries personal data, so it travels in a POST body, never in a URL."""

    party_name: str = ""
    id_number: str = ""
    limit: int = 20
    offset: int = 0

    labels: ClassVar[dict[str, str]] = {
        "party_name": "当事人姓名",
        "id_number": "身份证号码",
        "limit": "每页条数",
        "offset": "起始位置",
    }


class CaseFilter(msgspec.Struct, kw_only=True):
    """The list's filters (query parameters: nothing personal)."""

    status: str = ""
    category: str = ""
    source: str = ""
    village_id: UUID | None = None
    program_id: UUID | None = None
    mine: bool = False
    overdue: bool = False
    accepted_from: date | None = None
    accepted_to: date | None = None
    case_no: str = ""  # a case number or its sequence digits
    party_name: str = ""  # only from a POST (pages and CaseSearch)
    id_hash: str = ""  # only from a POST: the keyed hash of an ID number


# ---- rows ------------------------------------------------------------------------------------


class CaseRow(msgspec.Struct):
    id: UUID
    case_no: str
    case_year: int
    case_seq: int
    category: str
    source: str
    area_id: UUID | None
    program_id: UUID | None
    mediator_id: UUID | None
    title: str
    facts: str
    claims: str
    party_names: str
    status: str
    accepted_on: date
    due_on: date | None
    closed_on: date | None
    outcome_reason: str
    outcome_note: str
    amount_agreed: Decimal | None
    referring_court: str
    court_ref_no: str
    referral_date: date | None
    procedure: str
    extended_on: date | None
    extension_note: str
    undisputed_facts: str
    returned_on: date | None
    created_by: UUID | None
    created_by_name: str
    created_at: datetime
    updated_at: datetime
    version: int


class CaseListRow(msgspec.Struct):
    """A case in a list: nothing beyond what the list shows."""

    id: UUID
    case_no: str
    title: str
    category: str
    source: str
    status: str
    area_id: UUID | None
    accepted_on: date
    due_on: date | None
    closed_on: date | None
    party_names: str
    mediator_id: UUID | None


class PartyRow(msgspec.Struct):
    """A party as pages and the API show it: the ID number masked (``id_masked``)."""

    id: UUID
    case_id: UUID
    role: str
    kind: str
    name: str
    id_masked: str
    mobile: str
    address: str
    agent_name: str
    agent_mobile: str
    position: int


class CategoryRow(msgspec.Struct):
    code: str
    name: str
    confirmable: bool
    standard: bool
    active: bool


class SettingsOut(msgspec.Struct):
    config: MediationConfig
    version: int


class IdReveal(msgspec.Struct):
    """A full ID number shown to a court reviewer (the reveal is an audit event)."""

    party_id: UUID
    id_number: str
