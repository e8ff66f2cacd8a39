"""Mediation cases: the case and its parties, sessions, agreements (versions, terms,
signatures), follow-up visits, judicial-confirmation applications and court decisions, plus the
tenant's own categories, settings and the case-number counter.

Every table is a tenant table (``wusong.core.ddl.tenant_table`` in the migration). The timeline
of a case is its audit events (object type ``case``, object id = the case id).
"""

from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table

from programs.tables import Program
from tenants.tables import Area, Membership, Tenant


class MediationSettings(Table, tablename="mediation_settings"):
    """The tenant's mediation settings (one row, absent until first saved: defaults in code):
    case-number format, mediation periods, the confirmation window, hidden standard categories.
    UNIQUE (tenant)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    config = JSON(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CaseCategory(Table, tablename="case_categories"):
    """A dispute category the tenant added to the standard list (its id is its code)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    name = Varchar(length=20)
    confirmable = Boolean(default=True)  # may an agreement of this category be confirmed
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CaseCounter(Table, tablename="case_counters"):
    """The last case number used per tenant and year (gap-free: taken inside the case's own
    transaction, so a rollback returns it). UNIQUE (tenant, year)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    year = Integer()
    last_seq = Integer(default=0)


class MediationCase(Table, tablename="cases"):
    """A dispute taken in for mediation. ``category`` is a standard category code or the id of
    one of the tenant's own (``mediation.categories``); ``status`` follows
    ``mediation.status``. Court-referral fields are set when ``source`` is ``court``."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case_no = Varchar(length=40)
    case_year = Integer()
    case_seq = Integer()
    category = Varchar(length=40)
    source = Varchar(length=20)
    area = ForeignKey(Area, null=True, index=True)  # the village or community
    program = ForeignKey(Program, null=True, index=True)
    mediator = ForeignKey(Membership, null=True, index=True)  # assigned mediator
    title = Varchar(length=80, default="")
    facts = Text(default="")
    claims = Text(default="")
    party_names = Varchar(length=400, default="")  # masked-free search text: "张三 李四"
    status = Varchar(length=20, default="open")
    accepted_on = Date()
    due_on = Date(null=True, default=None)  # the mediation deadline (periods of the tenant)
    closed_on = Date(null=True, default=None)
    outcome_reason = Varchar(length=20, default="")  # failure reason code
    outcome_note = Text(default="")
    amount_agreed = Numeric(digits=(14, 2), null=True, default=None)  # effective agreement
    # court referral (委派 / 诉前调解)
    referring_court = Varchar(length=60, default="")
    court_ref_no = Varchar(length=60, default="")
    referral_date = Date(null=True, default=None)
    procedure = Varchar(length=20, default="")  # ordinary | simplified | classic
    extended_on = Date(null=True, default=None)  # both parties consented to +N days
    extension_note = Varchar(length=200, default="")
    undisputed_facts = Text(default="")
    returned_on = Date(null=True, default=None)  # back in the court's queue
    created_by = UUID(null=True, default=None)
    created_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CaseParty(Table, tablename="case_parties"):
    """A party of a case. The ID number is stored encrypted (AES-GCM, ``mediation.identity``)
    with a keyed hash for exact search and its masked form for display."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case = ForeignKey(MediationCase, null=False, index=True)
    role = Varchar(length=20)  # applicant | respondent | third_party
    kind = Varchar(length=20, default="person")  # person | organisation
    name = Varchar(length=100)
    id_cipher = Text(default="")
    id_hash = Varchar(length=64, default="")
    id_masked = Varchar(length=24, default="")
    mobile = Varchar(length=11, default="")
    address = Varchar(length=200, default="")
    agent_name = Varchar(length=40, default="")
    agent_mobile = Varchar(length=11, default="")
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class MediationSession(Table, tablename="case_sessions"):
    """One mediation session: when, where, how, who attended, and the record."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case = ForeignKey(MediationCase, null=False, index=True)
    held_on = Date()
    place = Varchar(length=100, default="")
    mode = Varchar(length=20, default="on_site")  # on_site | online | phone
    attendees = Varchar(length=400, default="")
    record = Text(default="")
    recorded_by = UUID(null=True, default=None)
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Agreement(Table, tablename="case_agreements"):
    """One version of a case's mediation agreement. Draft until every party, the mediator and
    the committee seal have signed; then effective and immutable. A correction is a new version
    that ``supersedes`` the old one. UNIQUE (tenant, case, version_no)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case = ForeignKey(MediationCase, null=False, index=True)
    version_no = Integer(default=1)
    supersedes: ForeignKey = ForeignKey("self", null=True, default=None)
    status = Varchar(length=20, default="draft")  # draft | effective | superseded
    facts = Text(default="")
    issues = Text(default="")
    responsibilities = Text(default="")
    signed_on = Date(null=True, default=None)  # the agreement date (drafting)
    effective_on = Date(null=True, default=None)
    amount_total = Numeric(digits=(14, 2), default=Decimal("0"))
    created_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class AgreementTerm(Table, tablename="agreement_terms"):
    """One agreed term: who owes what, how much, how, where and by when."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    agreement = ForeignKey(Agreement, null=False, index=True)
    obligor = ForeignKey(CaseParty, null=True, index=True)
    obligation = Text(default="")
    amount = Numeric(digits=(14, 2), null=True, default=None)
    way = Varchar(length=100, default="")
    place = Varchar(length=100, default="")
    deadline = Date(null=True, default=None)
    position = Integer(default=0)


class Signature(Table, tablename="agreement_signatures"):
    """A signature on an agreement: a party's (sign, seal or fingerprint), the mediator's, or
    the committee seal. UNIQUE (tenant, agreement, signer, party)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    agreement = ForeignKey(Agreement, null=False, index=True)
    signer = Varchar(length=20)  # party | mediator | seal
    party = ForeignKey(CaseParty, null=True, index=True)
    method = Varchar(length=20, default="sign")  # sign | seal | fingerprint
    signed_on = Date()
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class FollowUp(Table, tablename="case_followups"):
    """A follow-up visit: was the agreement performed (fully, partly, not)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case = ForeignKey(MediationCase, null=False, index=True)
    visited_on = Date()
    performance = Varchar(length=20)  # full | partial | none
    note = Text(default="")
    recorded_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Confirmation(Table, tablename="case_confirmations"):
    """A joint application for judicial confirmation of an effective agreement, and where the
    court stands on it: applied → accepted (调确字 number) → confirmed | refused, or returned."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case = ForeignKey(MediationCase, null=False, index=True)
    agreement = ForeignKey(Agreement, null=False, index=True)
    court = Varchar(length=60)
    applied_on = Date()
    status = Varchar(length=20, default="applied")
    court_case_no = Varchar(length=60, default="")
    accepted_on = Date(null=True, default=None)
    decided_on = Date(null=True, default=None)
    refusal_reason = Varchar(length=30, default="")
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CourtDecision(Table, tablename="court_decisions"):
    """A court reviewer's decision on a referred case or a confirmation application."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    case = ForeignKey(MediationCase, null=False, index=True)
    confirmation = ForeignKey(Confirmation, null=True, index=True)
    decision = Varchar(length=20)  # accepted | confirmed | refused | returned | filed
    court_case_no = Varchar(length=60, default="")
    reason = Varchar(length=30, default="")
    note = Text(default="")
    decided_on = Date()
    decided_by = UUID(null=True, default=None)
    decided_by_name = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
