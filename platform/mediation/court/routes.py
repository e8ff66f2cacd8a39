"""Court-side pages (Chinese, phone-friendly): the mediator's forms to extend a referral, return
a case to the court and record a confirmation application; the court reviewer's queue, case
file (full party details, audited ID reveal) and decision form; and ``case_section``, the
court part of the core case page (``templates/mediation/court/_section.html``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mediation import repo as case_repo
from mediation import services as case_services
from mediation.access import readable_case, writable_case
from mediation.categories import SOURCES
from mediation.court import review, services
from mediation.court.api import COURT, MEDIATORS, QUEUE_READERS
from mediation.court.schemas import (
    CONFIRMATION_STATUSES,
    DECISIONS,
    REFUSAL_REASONS,
    CaseReturnForm,
    ConfirmationForm,
    CourtCaseId,
    CourtPartyId,
    DecisionForm,
    ExtensionForm,
)
from mediation.schemas import PARTY_KINDS, PARTY_ROLES, CaseRow
from mediation.status import FAILURE_REASONS, STATUSES
from wusong.core.clock import local_today
from wusong.core.tenancy import Role, TenantContext
from wusong.core.views import FormPage, View, ViewDep
from wusong.core.web import Form, access, redirect

QUEUE_PAGE = 20


def _case_id(view: View) -> UUID:
    case_id: UUID = view.request.path_params["case_id"]
    return case_id


def case_url(view: View, case_id: UUID) -> str:
    return view.url(f"/cases/{case_id}")


async def case_section(view: View, case: CaseRow) -> dict[str, Any]:
    """The court part of the case page: the referral (deadline, extension, return), the
    judicial confirmation (window, applications) and the court's decisions, with the actions
    the acting member may take. The core case page includes ``mediation/court/_section.html``
    in its loop over the sections (``template`` names it; the rest is ``section``)."""
    referral = await services.referral_of(view.ctx, case) if case.source == "court" else None
    confirmation = await services.confirmations_of(view.ctx, case)
    mediator = view.ctx.role is Role.MEDIATOR
    return {
        "template": "mediation/court/_section.html",
        "court_referral": referral,
        "court_confirmation": confirmation,
        "court_can_act": mediator,
        "court_can_decide": view.ctx.role is Role.COURT_REVIEWER,
    }


# ---- the mediator's forms --------------------------------------------------------------------


async def _referral_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    case = await writable_case(view.ctx, _case_id(view))
    referral = await services.referral_of(view.ctx, case) if case.source == "court" else None
    return {"case": case, "referral": referral, "case_url": case_url(view, case.id)}


async def _confirmation_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    case = await writable_case(view.ctx, _case_id(view))
    found = await services.confirmations_of(view.ctx, case)
    return {"case": case, "confirmation": found, "case_url": case_url(view, case.id)}


async def _current_version(view: View) -> dict[str, Any]:
    case = await case_repo.get_case(view.ctx, _case_id(view))
    return {"version": case.version}


EXTEND_FORM = FormPage(
    ExtensionForm, "mediation/court/extend.html", context=_referral_context,
    current=_current_version,
)  # fmt: skip
RETURN_FORM = FormPage(
    CaseReturnForm, "mediation/court/return.html", context=_referral_context,
    current=_current_version,
)  # fmt: skip
CONFIRMATION_FORM = FormPage(
    ConfirmationForm, "mediation/court/confirmation.html", context=_confirmation_context,
    current=_current_version,
)  # fmt: skip


async def _extend(ctx: TenantContext, case_id: UUID, form: ExtensionForm) -> Any:
    return await services.extend_referral(ctx, case_id, form, form.version)


async def _return(ctx: TenantContext, case_id: UUID, form: CaseReturnForm) -> Any:
    return await services.return_to_court(ctx, case_id, form, form.version)


async def _apply(ctx: TenantContext, case_id: UUID, form: ConfirmationForm) -> Any:
    return await services.apply_for_confirmation(ctx, case_id, form, form.version)


# ---- the court reviewer's pages --------------------------------------------------------------


async def _file_context(view: View, case_id: UUID) -> dict[str, Any]:
    """The reviewer's read-only case file: the case, every party in full (the ID number masked
    until revealed), the referral and the confirmation."""
    case = await readable_case(view.ctx, case_id)
    referral = await services.referral_of(view.ctx, case) if case.source == "court" else None
    return {
        "case": case,
        "parties": await case_repo.list_parties(view.ctx, case.id),
        "referral": referral,
        "confirmation": await services.confirmations_of(view.ctx, case),
        "category_name": (await case_services.category_names(view.ctx)).get(case.category, ""),
        "case_url": case_url(view, case.id),
        "file_url": view.url(f"/court/cases/{case.id}"),
    }


async def _decide_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    return await _file_context(view, _case_id(view))


DECIDE_FORM = FormPage(
    DecisionForm, "mediation/court/decide.html", context=_decide_context,
    current=_current_version,
)  # fmt: skip


async def _decide(ctx: TenantContext, case_id: UUID, form: DecisionForm) -> Any:
    return await review.decide(ctx, case_id, form, form.version)


class CourtPages(Controller):
    path = "/"

    # ---- referral: extension and return ---------------------------------------------------

    @get(
        "/cases/{case_id:uuid}/referral/extend",
        name="court.referral.extend",
        opt=access(MEDIATORS, form=EXTEND_FORM),
    )
    async def extend_form(self, view: ViewDep, case_id: FromPath[CourtCaseId]) -> Template:
        loaded = await _referral_context(view, {})
        values = {"consented_on": local_today().isoformat(), "version": loaded["case"].version}
        return await view.show_form(values, loaded=loaded)

    @post(
        "/cases/{case_id:uuid}/referral/extend",
        name="court.referral.extend.save",
        opt=access(MEDIATORS, writes=True, form=EXTEND_FORM),
    )
    async def extend(self, view: ViewDep, case_id: FromPath[CourtCaseId], data: Form) -> Redirect:
        found = await view.submit(data, _extend, case_id)
        return redirect(
            case_url(view, case_id) + "#court", f"已延长调解期限至 {found.due_on.isoformat()}"
        )

    @get(
        "/cases/{case_id:uuid}/return",
        name="court.return",
        opt=access(MEDIATORS, form=RETURN_FORM),
    )
    async def return_form(self, view: ViewDep, case_id: FromPath[CourtCaseId]) -> Template:
        loaded = await _referral_context(view, {})
        case = loaded["case"]
        values = {
            "returned_on": local_today().isoformat(),
            "undisputed_facts": case.undisputed_facts,
            "version": case.version,
        }
        return await view.show_form(values, loaded=loaded)

    @post(
        "/cases/{case_id:uuid}/return",
        name="court.return.save",
        opt=access(MEDIATORS, writes=True, form=RETURN_FORM),
    )
    async def return_case(
        self, view: ViewDep, case_id: FromPath[CourtCaseId], data: Form
    ) -> Redirect:
        found = await view.submit(data, _return, case_id)
        return redirect(
            case_url(view, case_id) + "#court",
            f"已退回{found.referring_court}，进入法院审查队列",
        )

    # ---- judicial confirmation ------------------------------------------------------------

    @get(
        "/cases/{case_id:uuid}/confirmation",
        name="court.confirmation",
        opt=access(MEDIATORS, form=CONFIRMATION_FORM),
    )
    async def confirmation_form(self, view: ViewDep, case_id: FromPath[CourtCaseId]) -> Template:
        loaded = await _confirmation_context(view, {})
        case = loaded["case"]
        values = {
            "court": case.referring_court,
            "applied_on": local_today().isoformat(),
            "version": case.version,
        }
        return await view.show_form(values, loaded=loaded)

    @post(
        "/cases/{case_id:uuid}/confirmation",
        name="court.confirmation.apply",
        opt=access(MEDIATORS, writes=True, form=CONFIRMATION_FORM),
    )
    async def apply(self, view: ViewDep, case_id: FromPath[CourtCaseId], data: Form) -> Redirect:
        row = await view.submit(data, _apply, case_id)
        return redirect(case_url(view, case_id) + "#court", f"已登记向{row.court}申请司法确认")

    # ---- the court reviewer ---------------------------------------------------------------

    @get("/court/queue", name="court.queue", opt=access(QUEUE_READERS))
    async def queue(self, view: ViewDep, page: FromQuery[int] = 1) -> Template:
        page = max(1, min(page, 100_000))
        items, total = await review.court_queue(view.ctx, QUEUE_PAGE, (page - 1) * QUEUE_PAGE)
        return await view.render(
            "mediation/court/queue.html",
            items=items,
            total=total,
            page=page,
            pages=max(1, -(-total // QUEUE_PAGE)),
        )

    @get("/court/cases/{case_id:uuid}", name="court.case", opt=access(QUEUE_READERS))
    async def case_file(self, view: ViewDep, case_id: FromPath[CourtCaseId]) -> Template:
        return await view.render("mediation/court/case.html", **await _file_context(view, case_id))

    @get(
        "/court/cases/{case_id:uuid}/parties/{party_id:uuid}/id-number",
        name="court.reveal",
        opt=access(COURT, writes=True),
    )
    async def reveal(
        self, view: ViewDep, case_id: FromPath[CourtCaseId], party_id: FromPath[CourtPartyId]
    ) -> Template:
        """The full ID number of one party (a security event in the audit log)."""
        revealed = await review.reveal_id_number(view.ctx, case_id, party_id)
        context = await _file_context(view, case_id)
        return await view.render("mediation/court/case.html", **context, revealed=revealed)

    @get(
        "/court/cases/{case_id:uuid}/decide",
        name="court.decide",
        opt=access(COURT, form=DECIDE_FORM),
    )
    async def decide_form(self, view: ViewDep, case_id: FromPath[CourtCaseId]) -> Template:
        loaded = await _decide_context(view, {})
        values = {"decided_on": local_today().isoformat(), "version": loaded["case"].version}
        return await view.show_form(values, loaded=loaded)

    @post(
        "/court/cases/{case_id:uuid}/decide",
        name="court.decide.save",
        opt=access(COURT, writes=True, form=DECIDE_FORM),
    )
    async def decide(self, view: ViewDep, case_id: FromPath[CourtCaseId], data: Form) -> Redirect:
        row = await view.submit(data, _decide, case_id)
        return redirect(
            view.url(f"/court/cases/{case_id}"), f"已登记审查决定：{DECISIONS[row.decision]}"
        )


TEMPLATE_GLOBALS = {
    "COURT_DECISIONS": DECISIONS,
    "COURT_REFUSAL_REASONS": REFUSAL_REASONS,
    "COURT_CONFIRMATION_STATUSES": CONFIRMATION_STATUSES,
    "COURT_FAILURE_REASONS": FAILURE_REASONS,
    "COURT_CASE_STATUSES": STATUSES,
    "COURT_PARTY_ROLES": PARTY_ROLES,
    "COURT_PARTY_KINDS": PARTY_KINDS,
    "COURT_SOURCES": SOURCES,
}
