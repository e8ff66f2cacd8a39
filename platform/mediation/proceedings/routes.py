"""Proceedings pages (Chinese, phone-first): the forms of a case's sessions, outcome, agreement
(contents, signatures, corrections) and follow-up visits, and ``case_section``, the section the
core case page shows (``templates/mediation/proceedings/_section.html``). Paths sit under
``/cases/{case_id}``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from mediation import repo as case_repo
from mediation.access import (
    MEDIATORS,
    READERS,
    mediator_covers,
    readable_case,
    writable_case,
)
from mediation.proceedings import agreements, repo, services
from mediation.proceedings.forms import agreement_from_form, agreement_values, form_errors
from mediation.proceedings.schemas import (
    AGREEMENT_STATUSES,
    ON_SIGNING,
    PERFORMANCE,
    SESSION_MODES,
    SIGN_METHODS,
    SIGNERS,
    TERM_SLOTS,
    AgreedCaseId,
    AgreementForm,
    AgreementIn,
    AgreementRow,
    CorrectionStart,
    DraftAgreementId,
    DraftStart,
    EffectiveAgreementId,
    FollowUpCreate,
    OpenCaseId,
    OutcomeForm,
    SessionCreate,
    SignatureIn,
)
from mediation.schemas import PARTY_ROLES, CaseRow
from mediation.status import AGREED, CLOSED, FAILURE_REASONS, OPEN, STATUSES, TRANSITIONS
from wusong.core.clock import local_today
from wusong.core.errors import Conflict, Invalid
from wusong.core.tenancy import Role, TenantContext
from wusong.core.views import FormPage, View, ViewDep
from wusong.core.web import Form, access, redirect

# Mediators in the case's scope change the proceedings; administrators and court reviewers
# read them (mediation.access decides per case).
WRITERS = MEDIATORS


def _case_id(view: View) -> UUID:
    case_id: UUID = view.request.path_params["case_id"]
    return case_id


def _case_url(view: View, case_id: UUID | None = None) -> str:
    return view.url(f"/cases/{case_id or _case_id(view)}")


def _agreement_url(view: View) -> str:
    return f"{_case_url(view)}/agreements/{view.request.path_params['agreement_id']}"


async def case_section(view: View, case: CaseRow) -> dict[str, Any]:
    """What the case page's proceedings section shows (``_section.html``, as ``proceedings`` or
    as ``section`` in the page's loop over ``sections``):
    sessions, outcome, the agreement's versions with terms and signatures, follow-ups, and
    which buttons the member gets. ``case`` is already authorised for reading."""
    ctx = view.ctx
    versions = await agreements.case_agreements(ctx, case)
    can_write = ctx.role is Role.MEDIATOR and await mediator_covers(ctx, case)
    effective = next((a for a in versions if a.status == "effective"), None)
    draft = next((a for a in versions if a.status == "draft"), None)
    return {
        "template": "mediation/proceedings/_section.html",  # for the case page's section loop
        "case_url": view.url(f"/cases/{case.id}"),
        "sessions": await repo.list_sessions(ctx, case.id),
        "agreements": versions,
        "effective": effective,
        "draft": draft,
        "followups": await repo.list_followups(ctx, case.id),
        "can_write": can_write,
        "can_session": can_write and case.status == OPEN,
        "can_outcome": can_write and bool(TRANSITIONS.get(case.status)),
        "can_draft": can_write and not versions and case.status in agreements.DRAFTABLE,
        "can_followup": can_write and effective is not None,
    }


# ---- form contexts ---------------------------------------------------------------------------


async def _writable_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    case = await writable_case(view.ctx, _case_id(view))
    return {"case": case, "case_url": _case_url(view)}


async def _followup_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _writable_context(view, values)
    if not await services.has_effective_agreement(view.ctx, context["case"].id):
        raise Conflict(services.FOLLOWUP_RULE)
    return context


async def _outcome_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    context = await _writable_context(view, values)
    case = context["case"]
    allowed = TRANSITIONS.get(case.status, frozenset())
    outcomes = {k: v for k, v in STATUSES.items() if k in allowed}
    return {**context, "outcomes": outcomes}


async def _current_outcome(view: View) -> dict[str, Any]:
    case = await writable_case(view.ctx, _case_id(view))
    return _outcome_values(case)


def _outcome_values(case: CaseRow) -> dict[str, Any]:
    return {
        "outcome": case.status if case.status in CLOSED else "",
        "reason": case.outcome_reason,
        "note": case.outcome_note,
        "closed_on": case.closed_on or "",
        "version": case.version,
    }


async def _agreement_context(view: View, values: dict[str, str]) -> dict[str, Any]:
    case = await readable_case(view.ctx, _case_id(view))
    agreement = await agreements.get_agreement(
        view.ctx, case.id, view.request.path_params["agreement_id"]
    )
    parties = await case_repo.list_parties(view.ctx, case.id)
    can_write = view.ctx.role is Role.MEDIATOR and await mediator_covers(view.ctx, case)
    return {
        "case": case,
        "case_url": _case_url(view),
        "agreement": agreement,
        "parties": parties,
        "can_write": can_write and case.status in agreements.DRAFTABLE,
        "agreement_url": _agreement_url(view),
    }


async def _current_agreement(view: View) -> dict[str, Any]:
    agreement = await agreements.get_agreement(
        view.ctx, _case_id(view), view.request.path_params["agreement_id"]
    )
    return agreement_values(agreement)


SESSION_FORM = FormPage(
    SessionCreate, "mediation/proceedings/session_form.html", context=_writable_context
)
OUTCOME_FORM = FormPage(
    OutcomeForm,
    "mediation/proceedings/outcome_form.html",
    context=_outcome_context,
    current=_current_outcome,
)
AGREEMENT_FORM = FormPage(
    AgreementForm,
    "mediation/proceedings/agreement_edit.html",
    context=_agreement_context,
    current=_current_agreement,
)
SIGNATURE_FORM = FormPage(
    SignatureIn, "mediation/proceedings/agreement.html", context=_agreement_context
)
DRAFT_FORM = FormPage(DraftStart, back=_case_url)
CORRECTION_FORM = FormPage(CorrectionStart, back=_agreement_url)
FOLLOWUP_FORM = FormPage(
    FollowUpCreate, "mediation/proceedings/followup_form.html", context=_followup_context
)


async def _save_agreement(
    ctx: TenantContext, case_id: UUID, agreement_id: UUID, form: Any
) -> AgreementRow:
    data, slots = agreement_from_form(form)
    try:
        return await agreements.update_draft(ctx, case_id, agreement_id, data, form.version)
    except Invalid as error:
        raise form_errors(error, slots) from None


async def _set_outcome(ctx: TenantContext, case_id: UUID, form: OutcomeForm) -> Any:
    return await services.set_outcome(ctx, case_id, form, form.version)


async def _start_draft(ctx: TenantContext, case_id: UUID, form: DraftStart) -> AgreementRow:
    return await agreements.create_draft(ctx, case_id, AgreementIn())


async def _correct(
    ctx: TenantContext, case_id: UUID, agreement_id: UUID, form: CorrectionStart
) -> AgreementRow:
    return await agreements.correct_agreement(ctx, case_id, agreement_id)


class ProceedingsPages(Controller):
    path = "/cases/{case_id:uuid}"

    # ---- sessions ------------------------------------------------------------------------

    @get("/sessions/new", name="cases.sessions.new", opt=access(WRITERS, form=SESSION_FORM))
    async def session_new(self, view: ViewDep, case_id: FromPath[OpenCaseId]) -> Template:
        return await view.show_form({"held_on": str(local_today()), "mode": "on_site"})

    @post(
        "/sessions/new",
        name="cases.sessions.create",
        opt=access(WRITERS, writes=True, form=SESSION_FORM),
    )
    async def session_create(
        self, view: ViewDep, case_id: FromPath[OpenCaseId], data: Form
    ) -> Redirect:
        session = await view.submit(data, services.record_session, case_id)
        return redirect(f"{_case_url(view)}#session-{session.id}", "已记录调解过程")

    # ---- outcome -------------------------------------------------------------------------

    @get("/outcome", name="cases.outcome", opt=access(WRITERS, form=OUTCOME_FORM))
    async def outcome(self, view: ViewDep, case_id: FromPath[OpenCaseId]) -> Template:
        loaded = await _outcome_context(view, {})
        values = {k: str(v) for k, v in _outcome_values(loaded["case"]).items()}
        return await view.show_form(values, loaded=loaded)

    @post(
        "/outcome",
        name="cases.outcome.set",
        opt=access(WRITERS, writes=True, form=OUTCOME_FORM),
    )
    async def outcome_set(
        self, view: ViewDep, case_id: FromPath[OpenCaseId], data: Form
    ) -> Redirect:
        result = await view.submit(data, _set_outcome, case_id)
        return redirect(_case_url(view), f"已记录调解结果：{STATUSES[result.status]}")

    # ---- agreement -----------------------------------------------------------------------

    @post(
        "/agreements/new",
        name="cases.agreements.create",
        opt=access(WRITERS, writes=True, form=DRAFT_FORM),
    )
    async def agreement_create(
        self, view: ViewDep, case_id: FromPath[AgreedCaseId], data: Form
    ) -> Redirect:
        draft = await view.submit(data, _start_draft, case_id)
        return redirect(
            f"{_case_url(view)}/agreements/{draft.id}/edit", "已起草调解协议，请填写协议内容"
        )

    @get(
        "/agreements/{agreement_id:uuid}",
        name="cases.agreements.show",
        opt=access(READERS, form=SIGNATURE_FORM),
    )
    async def agreement_show(
        self,
        view: ViewDep,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
    ) -> Template:
        return await view.show_form({"signed_on": str(local_today()), "method": "sign"})

    @get(
        "/agreements/{agreement_id:uuid}/edit",
        name="cases.agreements.edit",
        opt=access(WRITERS, form=AGREEMENT_FORM),
    )
    async def agreement_edit(
        self,
        view: ViewDep,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
    ) -> Template:
        await writable_case(view.ctx, case_id)
        loaded = await _agreement_context(view, {})
        agreements.require_draft(loaded["agreement"])
        return await view.show_form(agreement_values(loaded["agreement"]), loaded=loaded)

    @post(
        "/agreements/{agreement_id:uuid}/edit",
        name="cases.agreements.update",
        opt=access(WRITERS, writes=True, form=AGREEMENT_FORM),
    )
    async def agreement_update(
        self,
        view: ViewDep,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
        data: Form,
    ) -> Redirect:
        saved = await view.submit(data, _save_agreement, case_id, agreement_id)
        return redirect(_agreement_url(view), f"已保存第 {saved.version_no} 版调解协议草稿")

    @post(
        "/agreements/{agreement_id:uuid}/signatures",
        name="cases.agreements.sign",
        opt=access(WRITERS, writes=True, form=SIGNATURE_FORM),
    )
    async def agreement_sign(
        self,
        view: ViewDep,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
        data: Form,
    ) -> Redirect:
        signed = await view.submit(data, agreements.sign_agreement, case_id, agreement_id)
        if signed.status == "effective":
            message = f"调解协议已生效（{signed.effective_on}），此后不能修改"
        else:
            message = "已记录签署；尚待：" + "、".join(signed.unsigned)
        return redirect(_agreement_url(view), message)

    @post(
        "/agreements/{agreement_id:uuid}/correction",
        name="cases.agreements.correct",
        opt=access(WRITERS, writes=True, form=CORRECTION_FORM),
    )
    async def agreement_correct(
        self,
        view: ViewDep,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[EffectiveAgreementId],
        data: Form,
    ) -> Redirect:
        draft = await view.submit(data, _correct, case_id, agreement_id)
        return redirect(
            f"{_case_url(view)}/agreements/{draft.id}/edit",
            f"已制作第 {draft.version_no} 版（更正版本）；原协议在更正版本生效前仍然有效",
        )

    # ---- follow-up visits ----------------------------------------------------------------

    @get("/followups/new", name="cases.followups.new", opt=access(WRITERS, form=FOLLOWUP_FORM))
    async def followup_new(self, view: ViewDep, case_id: FromPath[AgreedCaseId]) -> Template:
        return await view.show_form({"visited_on": str(local_today())})

    @post(
        "/followups/new",
        name="cases.followups.create",
        opt=access(WRITERS, writes=True, form=FOLLOWUP_FORM),
    )
    async def followup_create(
        self, view: ViewDep, case_id: FromPath[AgreedCaseId], data: Form
    ) -> Redirect:
        followup = await view.submit(data, services.record_followup, case_id)
        return redirect(f"{_case_url(view)}#followup-{followup.id}", "已记录回访")


TEMPLATE_GLOBALS = {
    "MP_SESSION_MODES": SESSION_MODES,
    "MP_PERFORMANCE": PERFORMANCE,
    "MP_AGREEMENT_STATUSES": AGREEMENT_STATUSES,
    "MP_SIGNERS": SIGNERS,
    "MP_SIGN_METHODS": SIGN_METHODS,
    "MP_FAILURE_REASONS": FAILURE_REASONS,
    "MP_CASE_STATUSES": STATUSES,
    "MP_AGREED": AGREED,
    "MP_PARTY_ROLES": PARTY_ROLES,
    "MP_ON_SIGNING": ON_SIGNING,
    "MP_TERM_SLOTS": TERM_SLOTS,
}
