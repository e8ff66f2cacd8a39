"""What a case document says: the data of the mediation agreement (人民调解协议书) and of the
case file for court review (诉前调解/司法确认 案卷), read through the mediation domain, as plain
data for a template of ``templates/pdf/`` (rendered in a pool process, so plain values only).

ID numbers are masked unless ``full_ids`` (the court's copy): then they are decrypted here and
the caller records the full reveal (domain.md: every full reveal is logged). Mobile numbers
are always masked. The reader must be allowed to read the case (``mediation.access``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from mediation import repo as case_repo
from mediation import services as case_services
from mediation.access import readable_case
from mediation.categories import SOURCES
from mediation.config import PROCEDURES
from mediation.court import services as court_services
from mediation.court.schemas import CONFIRMATION_STATUSES, DECISIONS, REFUSAL_REASONS
from mediation.identity import birth_date, decrypt_id_number, mask_mobile, mask_name
from mediation.proceedings import agreements as agreement_services
from mediation.proceedings import repo as proceedings_repo
from mediation.proceedings.schemas import (
    AGREEMENT_STATUSES,
    ON_SIGNING,
    PERFORMANCE,
    SESSION_MODES,
    SIGN_METHODS,
    AgreementRow,
)
from mediation.schemas import PARTY_KINDS, PARTY_ROLES, CaseRow, PartyRow
from mediation.status import FAILURE_REASONS, STATUSES
from tenants import repo as tenants_repo
from wusong.core.errors import Conflict, NotFound
from wusong.core.tenancy import TenantContext

AGREEMENT_TEMPLATE = "pdf/agreement.html"
CASE_FILE_TEMPLATE = "pdf/case_file.html"
NO_AGREEMENT = "该案件尚未制作调解协议，不能生成调解协议书"


@dataclass(frozen=True)
class Content:
    template: str  # e.g. "pdf/agreement.html"
    context: dict[str, Any]  # plain values only (it crosses to a pool process)
    title: str  # e.g. "人民调解协议书（2026）梨调字第0001号"
    number: str  # the document's number in its running header (the case number)
    parties: list[str]  # masked party names, for the verification page


# ---- parts -----------------------------------------------------------------------------------


async def _parties(ctx: TenantContext, case: CaseRow, full_ids: bool) -> list[dict[str, Any]]:
    shown = []
    for party in await case_repo.list_parties(ctx, case.id):
        shown.append(await _party(ctx, case, party, full_ids))
    return shown


async def _party(
    ctx: TenantContext, case: CaseRow, party: PartyRow, full_ids: bool
) -> dict[str, Any]:
    id_number, sex, born = party.id_masked, "", None
    if full_ids and party.id_masked:
        cipher = await case_repo.party_cipher(ctx, case.id, party.id)
        if cipher:
            id_number = decrypt_id_number(ctx.tenant_id, cipher)
            born = birth_date(id_number)
            sex = "男" if int(id_number[16]) % 2 else "女"
    return {
        "id": str(party.id),
        "role": party.role,
        "role_label": PARTY_ROLES.get(party.role, "当事人"),
        "kind": party.kind,
        "kind_label": PARTY_KINDS.get(party.kind, ""),
        "organisation": party.kind == "organisation",
        "name": party.name,
        "masked_name": party.name if party.kind == "organisation" else mask_name(party.name),
        "id_number": id_number,
        "id_full": full_ids and bool(party.id_masked),
        "sex": sex,
        "born": born,
        "mobile": mask_mobile(party.mobile) if party.mobile else "",
        "address": party.address,
        "agent_name": party.agent_name,
        "agent_mobile": mask_mobile(party.agent_mobile) if party.agent_mobile else "",
    }


async def _names(ctx: TenantContext, case: CaseRow) -> dict[str, str]:
    """The village, the mediator and the category, as the documents name them."""
    village = mediator = ""
    if case.area_id is not None:
        try:
            village = (await tenants_repo.get_area(ctx, case.area_id)).name
        except NotFound:
            village = ""
    if case.mediator_id is not None:
        try:
            member = await tenants_repo.get_member(ctx, case.mediator_id)
            mediator = member.display_name or member.username
        except NotFound:
            mediator = ""
    categories = await case_services.category_names(ctx)
    return {
        "village": village,
        "mediator": mediator,
        "category": categories.get(case.category, case.category),
        "committee": f"{village}人民调解委员会" if village else f"{ctx.tenant_name}人民调解委员会",
    }


def _money(value: Decimal | None) -> Decimal | None:
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else None


def _agreement(agreement: AgreementRow, parties: list[dict[str, Any]]) -> dict[str, Any]:
    signed = {(s.signer, str(s.party_id) if s.party_id else None): s for s in agreement.signatures}

    def signature(signer: str, party_id: str | None) -> dict[str, Any] | None:
        found = signed.get((signer, party_id))
        if found is None:
            return None
        return {"method": SIGN_METHODS.get(found.method, found.method), "on": found.signed_on}

    terms = []
    for term in agreement.terms:
        terms.append(
            {
                "obligor": term.obligor_name,
                "obligation": term.obligation,
                "amount": _money(term.amount),
                "way": term.way,
                "on_signing": term.way == ON_SIGNING,
                "place": term.place,
                "deadline": term.deadline,
            }
        )
    return {
        "version_no": agreement.version_no,
        "status": agreement.status,
        "status_label": AGREEMENT_STATUSES.get(agreement.status, agreement.status),
        "draft": agreement.status == "draft",
        "corrects": agreement.supersedes_id is not None,
        "facts": agreement.facts,
        "issues": agreement.issues,
        "responsibilities": agreement.responsibilities,
        "agreed_on": agreement.agreed_on,
        "effective_on": agreement.effective_on,
        "amount_total": _money(agreement.amount_total),
        "terms": terms,
        "party_signatures": [
            {"party": p, "signature": signature("party", p["id"])} for p in parties
        ],
        "mediator_signature": signature("mediator", None),
        "seal": signature("seal", None),
        "unsigned": list(agreement.unsigned),
        "missing": list(agreement.missing),
    }


def _chosen(agreements: list[AgreementRow]) -> AgreementRow | None:
    """The effective agreement, else the newest version (a draft)."""
    for agreement in agreements:
        if agreement.status == "effective":
            return agreement
    return agreements[0] if agreements else None


def _case(case: CaseRow, names: dict[str, str]) -> dict[str, Any]:
    return {
        "number": case.case_no,
        "title": case.title,
        "category": names["category"],
        "source": SOURCES.get(case.source, case.source),
        "court_referred": case.source == "court",
        "village": names["village"],
        "mediator": names["mediator"],
        "committee": names["committee"],
        "facts": case.facts,
        "claims": case.claims,
        "status": case.status,
        "status_label": STATUSES.get(case.status, case.status),
        "accepted_on": case.accepted_on,
        "due_on": case.due_on,
        "closed_on": case.closed_on,
        "outcome_reason": FAILURE_REASONS.get(case.outcome_reason, case.outcome_reason),
        "outcome_note": case.outcome_note,
        "amount_agreed": _money(case.amount_agreed),
        "undisputed_facts": case.undisputed_facts,
    }


def _file_kind(case: CaseRow) -> str:
    return "诉前调解案卷" if case.source == "court" else "人民调解案卷"


# ---- the documents ---------------------------------------------------------------------------


async def agreement_content(ctx: TenantContext, case_id: UUID, *, full_ids: bool) -> Content:
    """The mediation agreement of the case: the effective version, or the newest draft
    (marked 草稿) when none took effect yet; Conflict (409) when the case has none."""
    case = await readable_case(ctx, case_id)
    agreement = _chosen(await agreement_services.case_agreements(ctx, case))
    if agreement is None:
        raise Conflict(NO_AGREEMENT)
    names = await _names(ctx, case)
    parties = await _parties(ctx, case, full_ids)
    title = f"人民调解协议书{case.case_no}"
    context = {
        "number": case.case_no,
        "case": _case(case, names),
        "parties": parties,
        "agreement": _agreement(agreement, parties),
        "copies": len(parties) + 1,
    }
    return Content(
        template=AGREEMENT_TEMPLATE,
        context=context,
        title=title,
        number=case.case_no,
        parties=[p["masked_name"] for p in parties],
    )


async def case_file_content(ctx: TenantContext, case_id: UUID, *, full_ids: bool) -> Content:
    """The case file for court review: parties, referral, sessions, outcome, undisputed facts,
    the agreement and its signatures, the confirmation applications, the court's decisions,
    follow-up visits and the deadlines."""
    case = await readable_case(ctx, case_id)
    names = await _names(ctx, case)
    parties = await _parties(ctx, case, full_ids)
    agreements = await agreement_services.case_agreements(ctx, case)
    chosen = _chosen(agreements)
    referral = None
    if case.source == "court":
        view = await court_services.referral_of(ctx, case)
        referral = {
            "court": view.referring_court,
            "court_ref_no": view.court_ref_no,
            "referral_date": view.referral_date,
            "procedure": PROCEDURES.get(view.procedure, view.procedure_label),
            "period_days": view.period_days,
            "due_on": view.due_on,
            "extended_on": view.extended_on,
            "extension_note": view.extension_note,
            "extension_days": view.extension_days,
            "returned_on": view.returned_on,
            "filing_due": view.filing_due,
            "filed_case_no": view.filed_case_no,
        }
    confirmations = await court_services.confirmations_of(ctx, case)
    window = confirmations.window
    sessions = [
        {
            "held_on": s.held_on,
            "place": s.place,
            "mode": SESSION_MODES.get(s.mode, s.mode),
            "attendees": s.attendees,
            "record": s.record,
            "recorded_by": s.recorded_by_name,
        }
        for s in await proceedings_repo.list_sessions(ctx, case.id)
    ]
    followups = [
        {
            "visited_on": f.visited_on,
            "performance": PERFORMANCE.get(f.performance, f.performance),
            "note": f.note,
            "recorded_by": f.recorded_by_name,
        }
        for f in await proceedings_repo.list_followups(ctx, case.id)
    ]
    context = {
        "number": case.case_no,
        "file_kind": _file_kind(case),
        "case": _case(case, names),
        "parties": parties,
        "referral": referral,
        "sessions": sessions,
        "agreement": _agreement(chosen, parties) if chosen is not None else None,
        "agreement_versions": [
            {
                "version_no": a.version_no,
                "status_label": AGREEMENT_STATUSES.get(a.status, a.status),
                "agreed_on": a.agreed_on,
                "effective_on": a.effective_on,
            }
            for a in agreements
        ],
        "window": {
            "effective_on": window.effective_on,
            "window_end": window.window_end,
            "past": window.past,
            "confirmable": window.confirmable,
            "not_confirmable_reason": window.not_confirmable_reason,
        }
        if window is not None
        else None,
        "applications": [
            {
                "court": a.court,
                "applied_on": a.applied_on,
                "status": CONFIRMATION_STATUSES.get(a.status, a.status),
                "court_case_no": a.court_case_no,
                "accepted_on": a.accepted_on,
                "decided_on": a.decided_on,
                "refusal_reason": REFUSAL_REASONS.get(a.refusal_reason, a.refusal_reason),
                "acceptance_due": a.acceptance_due,
                "ruling_due": a.ruling_due,
            }
            for a in confirmations.applications
        ],
        "decisions": [
            {
                "decision": DECISIONS.get(d.decision, d.decision),
                "court_case_no": d.court_case_no,
                "reason": REFUSAL_REASONS.get(d.reason, d.reason),
                "note": d.note,
                "decided_on": d.decided_on,
                "decided_by": d.decided_by_name,
            }
            for d in confirmations.decisions
        ],
        "followups": followups,
    }
    return Content(
        template=CASE_FILE_TEMPLATE,
        context=context,
        title=f"{_file_kind(case)}{case.case_no}",
        number=case.case_no,
        parties=[p["masked_name"] for p in parties],
    )
