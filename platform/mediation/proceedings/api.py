"""Proceedings JSON API under /api/v1/t/{tenant}/cases/{case_id}: sessions, the outcome, the
agreement's versions, signatures and corrections, follow-up visits."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath

from mediation.access import writable_case
from mediation.proceedings import agreements, services
from mediation.proceedings.routes import READERS, WRITERS
from mediation.proceedings.schemas import (
    AgreedCaseId,
    AgreementIn,
    AgreementRow,
    DraftAgreementId,
    EffectiveAgreementId,
    FollowUpCreate,
    FollowUpRow,
    OpenCaseId,
    OutcomeRow,
    OutcomeSet,
    SessionCreate,
    SessionRow,
    SignatureIn,
)
from wusong.core.api import IfMatch, etag, expected_version
from wusong.core.web import Ctx, access

_TERM = {
    "obligor_id": "3f1c2a8e-6b1d-4c1e-9a55-0d6f5b7e2c11",
    "obligation": "赔偿申请人玉米青苗损失",
    "amount": "3200.00",
    "way": "银行转账",
    "place": "郭家店镇人民调解委员会",
    "deadline": "2026-12-31",
}
SESSION_EXAMPLE = Example(
    summary="现场调解",
    value={
        "held_on": "2026-11-20",
        "mode": "on_site",
        "place": "郭家店镇人民调解委员会",
        "attendees": "申请人张某、被申请人李某、调解员王某",
        "record": "双方就地界及青苗损失陈述意见，调解员释明法律规定。",
    },
)
OUTCOME_EXAMPLES = [
    Example(summary="调解成功", value={"outcome": "settled", "closed_on": "2026-11-25"}),
    Example(
        summary="调解不成（须写明原因）",
        value={"outcome": "failed", "reason": "no_agreement", "note": "双方对赔偿数额分歧较大"},
    ),
]
AGREEMENT_EXAMPLE = Example(
    summary="协议内容",
    value={
        "facts": "2026 年 5 月，被申请人耕地时越过地界，损毁申请人玉米青苗约 0.8 亩。",
        "issues": "青苗损失数额及地界的确认。",
        "responsibilities": "被申请人对越界耕种负全部责任。",
        "agreed_on": "2026-11-25",
        "terms": [_TERM, {"obligation": "双方按原界桩确认地界", "way": "当场履行"}],
    },
)
SIGNATURE_EXAMPLES = [
    Example(
        summary="当事人按指印",
        value={
            "signer": "party",
            "party_id": "3f1c2a8e-6b1d-4c1e-9a55-0d6f5b7e2c11",
            "method": "fingerprint",
            "signed_on": "2026-11-25",
        },
    ),
    Example(summary="调解员签名", value={"signer": "mediator", "signed_on": "2026-11-25"}),
    Example(summary="加盖调解委员会印章", value={"signer": "seal", "signed_on": "2026-11-25"}),
]
FOLLOWUP_EXAMPLE = Example(
    summary="回访",
    value={"visited_on": "2027-01-05", "performance": "full", "note": "赔偿款已于 12 月付清"},
)


class ProceedingsApi(Controller):
    path = "/cases/{case_id:uuid}"
    tags = ["mediation"]

    # ---- sessions ------------------------------------------------------------------------

    @get("/sessions", name="api.cases.sessions", opt=access(READERS))
    async def list_sessions(self, ctx: Ctx, case_id: FromPath[OpenCaseId]) -> list[SessionRow]:
        """The case's mediation sessions, oldest first."""
        return await services.list_sessions(ctx, case_id)

    @post(
        "/sessions",
        name="api.cases.sessions.add",
        opt=access(WRITERS, writes=True),
        status_code=201,
    )
    async def add_session(
        self,
        ctx: Ctx,
        case_id: FromPath[OpenCaseId],
        data: Annotated[SessionCreate, Body(examples=[SESSION_EXAMPLE])],
    ) -> SessionRow:
        """Record a mediation session of an open case (409 once the case is closed); ``mode``:
        on_site 现场, online 线上, phone 电话."""
        return await services.record_session(ctx, case_id, data)

    # ---- outcome -------------------------------------------------------------------------

    @put("/outcome", name="api.cases.outcome", opt=access(WRITERS, writes=True))
    async def set_outcome(
        self,
        ctx: Ctx,
        case_id: FromPath[OpenCaseId],
        data: Annotated[OutcomeSet, Body(examples=OUTCOME_EXAMPLES)],
        if_match: IfMatch = None,
    ) -> Response[OutcomeRow]:
        """Record the outcome (If-Match: the case's version, its ETag). ``outcome``: settled,
        partly_settled, failed (with a ``reason`` code), withdrawn, litigation; a step the
        case's status does not allow is a 409 naming the rule."""
        if not if_match:
            await writable_case(ctx, case_id)  # 404/403 before 428
        row = await services.set_outcome(ctx, case_id, data, expected_version(if_match))
        return Response(row, headers={"ETag": etag(row.version)})

    # ---- agreements ----------------------------------------------------------------------

    @get("/agreements", name="api.cases.agreements", opt=access(READERS))
    async def list_agreements(
        self, ctx: Ctx, case_id: FromPath[AgreedCaseId]
    ) -> list[AgreementRow]:
        """Every version of the case's agreement, newest first, with terms and signatures;
        ``missing`` names the contents a draft still lacks, ``unsigned`` who has yet to sign."""
        return await agreements.list_agreements(ctx, case_id)

    @post(
        "/agreements",
        name="api.cases.agreements.add",
        opt=access(WRITERS, writes=True),
        status_code=201,
    )
    async def add_agreement(
        self,
        ctx: Ctx,
        case_id: FromPath[AgreedCaseId],
        data: Annotated[AgreementIn, Body(examples=[AGREEMENT_EXAMPLE])],
    ) -> Response[AgreementRow]:
        """Draft the case's agreement (version 1). Amounts are yuan as strings or numbers with
        at most two decimals; a deadline may not precede the agreement date."""
        row = await agreements.create_draft(ctx, case_id, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @get("/agreements/{agreement_id:uuid}", name="api.cases.agreement", opt=access(READERS))
    async def get_agreement(
        self,
        ctx: Ctx,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
    ) -> Response[AgreementRow]:
        row = await agreements.get_agreement(ctx, case_id, agreement_id)
        return Response(row, headers={"ETag": etag(row.version)})

    @put(
        "/agreements/{agreement_id:uuid}",
        name="api.cases.agreement.update",
        opt=access(WRITERS, writes=True),
    )
    async def update_agreement(
        self,
        ctx: Ctx,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
        data: Annotated[AgreementIn, Body(examples=[AGREEMENT_EXAMPLE])],
        if_match: IfMatch = None,
    ) -> Response[AgreementRow]:
        """Replace a draft's contents and terms (If-Match: the agreement's version); signatures
        given on the earlier text are cleared. An effective agreement is a 409: correct it."""
        if not if_match:
            await agreements.get_agreement(ctx, case_id, agreement_id)
        row = await agreements.update_draft(
            ctx, case_id, agreement_id, data, expected_version(if_match)
        )
        return Response(row, headers={"ETag": etag(row.version)})

    @post(
        "/agreements/{agreement_id:uuid}/signatures",
        name="api.cases.agreement.sign",
        opt=access(WRITERS, writes=True),
        status_code=201,
    )
    async def sign_agreement(
        self,
        ctx: Ctx,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[DraftAgreementId],
        data: Annotated[SignatureIn, Body(examples=SIGNATURE_EXAMPLES)],
    ) -> Response[AgreementRow]:
        """Record a signature (a party's sign, seal or fingerprint; the mediator; the committee
        seal). The last one makes the agreement effective, from the last signature's date; an
        agreement lacking required contents cannot be signed (409 naming them)."""
        row = await agreements.sign_agreement(ctx, case_id, agreement_id, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @post(
        "/agreements/{agreement_id:uuid}/correction",
        name="api.cases.agreement.correct",
        opt=access(WRITERS, writes=True),
        status_code=201,
    )
    async def correct_agreement(
        self,
        ctx: Ctx,
        case_id: FromPath[AgreedCaseId],
        agreement_id: FromPath[EffectiveAgreementId],
    ) -> Response[AgreementRow]:
        """A corrected version of an effective agreement: a new draft (version_no + 1) with its
        contents; the old version stays effective until the correction takes effect."""
        row = await agreements.correct_agreement(ctx, case_id, agreement_id)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    # ---- follow-up visits ----------------------------------------------------------------

    @get("/followups", name="api.cases.followups", opt=access(READERS))
    async def list_followups(self, ctx: Ctx, case_id: FromPath[AgreedCaseId]) -> list[FollowUpRow]:
        return await services.list_followups(ctx, case_id)

    @post(
        "/followups",
        name="api.cases.followups.add",
        opt=access(WRITERS, writes=True),
        status_code=201,
    )
    async def add_followup(
        self,
        ctx: Ctx,
        case_id: FromPath[AgreedCaseId],
        data: Annotated[FollowUpCreate, Body(examples=[FOLLOWUP_EXAMPLE])],
    ) -> FollowUpRow:
        """A follow-up visit (``performance``: full, partial, none); only for a case whose
        agreement took effect (409 otherwise)."""
        return await services.record_followup(ctx, case_id, data)
