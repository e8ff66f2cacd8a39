"""Court-side JSON API under /api/v1/t/{tenant}: a case's referral (period, extension, return
to the court), judicial confirmation, the court reviewer's decisions and queue, and the audited
reveal of a party's ID number. Writes take the case's version in If-Match."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath

from mediation.court import review, services
from mediation.court.schemas import (
    CaseReturn,
    ConfirmationApply,
    ConfirmationRow,
    ConfirmationsView,
    CourtCaseId,
    CourtPartyId,
    DecisionIn,
    DecisionRow,
    Extension,
    QueueItem,
    ReferralView,
)
from mediation.schemas import IdReveal
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.tenancy import Role
from wusong.core.web import Ctx, access

READERS = frozenset({Role.ADMIN, Role.MEDIATOR, Role.COURT_REVIEWER})
MEDIATORS = frozenset({Role.MEDIATOR})
COURT = frozenset({Role.COURT_REVIEWER})
QUEUE_READERS = frozenset({Role.COURT_REVIEWER, Role.ADMIN})

_REFERRAL_EXAMPLE = {
    "case_id": "3f1c9a52-7d0e-4a51-9a43-2b3c4d5e6f70",
    "case_no": "（2026）梨调字第0012号",
    "status": "open",
    "referring_court": "梨树县人民法院郭家店人民法庭",
    "court_ref_no": "（2026）吉0322民诉前调1234号",
    "referral_date": "2026-09-24",
    "procedure": "simplified",
    "procedure_label": "立案后委派调解（简易程序）",
    "period_days": 7,
    "due_on": "2026-10-09",
    "days_left": 3,
    "overdue": False,
    "calendar_known": True,
    "extended_on": None,
    "extension_note": "",
    "extension_days": 30,
    "undisputed_facts": "",
    "returned_on": None,
    "filing_due": None,
    "filed_case_no": "",
    "can_extend": True,
    "can_return": True,
    "version": 3,
}


ExtensionBody = Annotated[
    Extension,
    Body(
        examples=[
            Example(
                summary="双方同意延长",
                value={
                    "consented_on": "2026-10-08",
                    "note": "双方当事人于调解笔录中签字同意延长调解期限 30 日",
                },
            )
        ]
    ),
]

ReturnBody = Annotated[
    CaseReturn,
    Body(
        examples=[
            Example(
                summary="调解不成，附无争议事实退回法院",
                value={
                    "returned_on": "2026-10-09",
                    "undisputed_facts": "双方确认借款本金 5 万元已于 2025 年 3 月交付。",
                    "parties_consented": True,
                    "failure_reason": "no_agreement",
                },
            )
        ]
    ),
]

ApplyBody = Annotated[
    ConfirmationApply,
    Body(
        examples=[
            Example(
                summary="双方共同申请司法确认",
                value={"court": "梨树县人民法院", "applied_on": "2026-10-12"},
            )
        ]
    ),
]

DecisionBody = Annotated[
    DecisionIn,
    Body(
        examples=[
            Example(
                summary="受理司法确认申请",
                value={
                    "decision": "accepted",
                    "court_case_no": "（2026）吉0322民调确字第15号",
                    "decided_on": "2026-10-13",
                },
            ),
            Example(
                summary="裁定驳回",
                value={"decision": "refused", "reason": "unclear", "note": "履行期限不明"},
            ),
            Example(
                summary="退回的委派案件立案",
                value={"decision": "filed", "court_case_no": "（2026）吉0322民初888号"},
            ),
        ]
    ),
]


def _ok(container: type, value: dict[str, object], summary: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(
            data_container=container,
            description="成功",
            generate_examples=False,
            examples=[Example(summary=summary, value=value)],
        )
    }


class CourtApi(Controller):
    path = "/"
    tags = ["mediation"]

    # ---- the referral --------------------------------------------------------------------

    @get(
        "/cases/{case_id:uuid}/referral",
        name="api.court.referral",
        opt=access(READERS),
        responses=_ok(ReferralView, _REFERRAL_EXAMPLE, "简易程序委派调解，期限内"),
    )
    async def get_referral(
        self, ctx: Ctx, case_id: FromPath[CourtCaseId]
    ) -> Response[ReferralView]:
        """The referral of a court-referred case: referring court, procedure, the mediation
        deadline (by the official holiday calendar; ``calendar_known`` false: weekends only),
        days left, the extension and the return to the court. ETag: the case's version."""
        found = await services.referral(ctx, case_id)
        return Response(found, headers={"ETag": etag(found.version)})

    @post(
        "/cases/{case_id:uuid}/referral/extension",
        name="api.court.referral.extend",
        opt=access(MEDIATORS, writes=True),
        status_code=200,
    )
    async def extend(
        self,
        ctx: Ctx,
        case_id: FromPath[CourtCaseId],
        data: ExtensionBody,
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        """Extend the mediation period once, with both parties' consent: the deadline moves by
        the tenant's extension days from the current deadline. 409 when the case is not open,
        was extended already or was returned to the court."""
        if not if_match:
            await services.referral(ctx, case_id)
        found = await services.extend_referral(ctx, case_id, data, expected_version(if_match))
        return Response(found, headers={"ETag": etag(found.version)})

    @post(
        "/cases/{case_id:uuid}/return",
        name="api.court.return",
        opt=access(MEDIATORS, writes=True),
        status_code=200,
    )
    async def return_case(
        self,
        ctx: Ctx,
        case_id: FromPath[CourtCaseId],
        data: ReturnBody,
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        """Return a court-referred case to the court with the undisputed facts the parties
        consented to; an open case closes as not settled (``failure_reason``). Possible for
        every referred case that did not settle: the product never blocks a filing."""
        if not if_match:
            await services.referral(ctx, case_id)
        found = await services.return_to_court(ctx, case_id, data, expected_version(if_match))
        return Response(found, headers={"ETag": etag(found.version)})

    # ---- judicial confirmation -----------------------------------------------------------

    @get(
        "/cases/{case_id:uuid}/confirmations",
        name="api.court.confirmations",
        opt=access(READERS),
    )
    async def list_confirmations(
        self, ctx: Ctx, case_id: FromPath[CourtCaseId]
    ) -> Response[ConfirmationsView]:
        """The case's judicial confirmation: the 30-day window of its effective agreement
        (``closing`` with 5 days or fewer left, ``past`` after it), the applications with the
        court's deadlines, and the decisions. ETag: the case's version."""
        found = await services.confirmations(ctx, case_id)
        return Response(found, headers={"ETag": etag(found.version)})

    @post(
        "/cases/{case_id:uuid}/confirmations",
        name="api.court.confirmations.apply",
        opt=access(MEDIATORS, writes=True),
        status_code=201,
    )
    async def apply(
        self,
        ctx: Ctx,
        case_id: FromPath[CourtCaseId],
        data: ApplyBody,
        if_match: IfMatch = None,
    ) -> Response[ConfirmationRow]:
        """Record the parties' joint application for judicial confirmation of the effective
        agreement. 409 without an effective agreement, for a category that cannot be confirmed
        (personal status, adoption, marriage), after the window, or while the agreement has an
        application already."""
        if not if_match:
            await services.confirmations(ctx, case_id)
        row = await services.apply_for_confirmation(ctx, case_id, data, expected_version(if_match))
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    # ---- the court reviewer --------------------------------------------------------------

    @post(
        "/cases/{case_id:uuid}/decisions",
        name="api.court.decisions.add",
        opt=access(COURT, writes=True),
        status_code=201,
    )
    async def decide(
        self,
        ctx: Ctx,
        case_id: FromPath[CourtCaseId],
        data: DecisionBody,
        if_match: IfMatch = None,
    ) -> Response[DecisionRow]:
        """A court reviewer's decision: ``accepted`` (case number with 调确字), ``confirmed``,
        ``refused`` (``reason``: mandatory_law, public_interest, criminal, unclear, coerced,
        other), ``returned`` for correction — on the case's open application, in that legal
        order (409 otherwise) — or ``filed`` for a referred case returned to the court."""
        if not if_match:
            await services.confirmations(ctx, case_id)
        row = await review.decide(ctx, case_id, data, expected_version(if_match))
        return Response(row, status_code=201)

    @get("/court/queue", name="api.court.queue", opt=access(QUEUE_READERS))
    async def queue(self, ctx: Ctx, offset: Offset = 0, limit: Limit = 20) -> Page[QueueItem]:
        """The court's review queue, oldest first: referred cases returned for filing (7 days,
        民事诉讼法 art. 126) and confirmation applications (accept within 3 days, rule within
        15 days of acceptance), each with its deadline."""
        items, total = await review.court_queue(ctx, limit, offset)
        return Page(items, offset, limit, offset + len(items) < total, total)

    @get(
        "/cases/{case_id:uuid}/parties/{party_id:uuid}/id-number",
        name="api.court.reveal",
        opt=access(COURT, writes=True),
    )
    async def reveal(
        self, ctx: Ctx, case_id: FromPath[CourtCaseId], party_id: FromPath[CourtPartyId]
    ) -> IdReveal:
        """A party's full ID number, for the court reviewer only; every reveal is a security
        event in the audit log (with the masked number)."""
        return await review.reveal_id_number(ctx, case_id, party_id)
