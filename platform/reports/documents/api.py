"""Documents JSON API under /api/v1/t/{tenant}: ask for a PDF (202 with the request), follow
its progress, download the document."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Response, get, post
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath

from mediation.access import READERS
from reports.city import CITY_ROLES
from reports.documents import services
from reports.documents.schemas import (
    CityReportAsk,
    CityRequestId,
    DocumentId,
    ReportAsk,
    RequestId,
    RequestOut,
)
from wusong.core.errors import Conflict
from wusong.core.web import Ctx
from wusong.core.web import access as route

Ask = Annotated[
    ReportAsk,
    Body(examples=[
        Example(summary="案件的人民调解协议书", value={
            "kind": "agreement", "subject_id": "3f1c2a9e-8d4b-4c55-9e61-1a2b3c4d5e6f"}),
        Example(summary="法院审查用的调解案卷", value={
            "kind": "case_file", "subject_id": "3f1c2a9e-8d4b-4c55-9e61-1a2b3c4d5e6f"}),
        Example(summary="项目工作报告（管理员）", value={
            "kind": "program", "subject_id": "7a0d4c1e-2b3f-4a5d-8e9f-0a1b2c3d4e5f",
            "period_from": "2026-01-01", "period_to": "2026-06-30"}),
        Example(summary="区县工作报告（管理员）", value={
            "kind": "tenant", "period_from": "2026-01-01", "period_to": "2026-12-31"}),
    ]),
]  # fmt: skip
CityAsk = Annotated[
    CityReportAsk,
    Body(examples=[Example(summary="2026年上半年", value={
        "period_from": "2026-01-01", "period_to": "2026-06-30"})]),
]  # fmt: skip


def pdf_response(filename: str, data: bytes) -> Response[bytes]:
    """The PDF with its Chinese file name (RFC 6266: an ASCII fallback and filename*)."""
    disposition = f"attachment; filename=\"document.pdf\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


def filename_of(title: str, version: int) -> str:
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|\r\n')
    return f"{safe}（第{version}版）.pdf" if version > 1 else f"{safe}.pdf"


class DocumentApi(Controller):
    path = "/reports"
    tags = ["reports"]

    @post("/", name="api.reports.ask", opt=route(READERS, writes=True), status_code=202)
    async def ask(self, ctx: Ctx, data: Ask) -> RequestOut:
        """Ask for a document: 202 with the request (status ``queued``); it is rendered in the
        background. Kinds: ``agreement`` (人民调解协议书) and ``case_file`` (调解案卷, for court
        review; a court reviewer's copy carries full ID numbers) of a case (``subject_id``);
        for administrators ``program`` (项目工作报告, ``subject_id`` = the program) and
        ``tenant`` (区县工作报告) over ``period_from`` … ``period_to`` (both included), and
        ``city`` (全市概况报告, its asker's alone; viewers use ``/city/reports``)."""
        return await services.ask(ctx, data)

    @get("/{request_id:uuid}", name="api.reports.status", opt=route(READERS))
    async def status(self, ctx: Ctx, request_id: FromPath[RequestId]) -> RequestOut:
        """The request's progress: queued → rendering → ready (with ``document``) or failed
        (with ``error``, readable)."""
        return await services.status(ctx, request_id)

    @post(
        "/{request_id:uuid}/retry",
        name="api.reports.retry",
        opt=route(READERS, writes=True),
        status_code=202,
    )
    async def retry(self, ctx: Ctx, request_id: FromPath[RequestId]) -> RequestOut:
        """Queue a failed request again."""
        return await services.retry(ctx, request_id)

    @get(
        "/{request_id:uuid}/document",
        name="api.reports.document",
        opt=route(READERS, writes=True),  # the court's copy: each download an audit event
        media_type="application/pdf",
    )
    async def document(self, ctx: Ctx, request_id: FromPath[RequestId]) -> Response[bytes]:
        """The PDF of a ready request (409 while it is not ready)."""
        return await _ready_pdf(ctx, await services.status(ctx, request_id))

    @get(
        "/documents/{document_id:uuid}",
        name="api.reports.document_by_id",
        opt=route(READERS, writes=True),  # the court's copy: each download an audit event
        media_type="application/pdf",
    )
    async def document_by_id(self, ctx: Ctx, document_id: FromPath[DocumentId]) -> Response[bytes]:
        """A stored document's PDF (every version stays downloadable)."""
        document, data = await services.document_bytes(ctx, document_id)
        return pdf_response(filename_of(document.title, document.doc_version), data)


async def _ready_pdf(ctx: Ctx, made: RequestOut) -> Response[bytes]:
    """The PDF of a ready request (409 while it is not ready)."""
    if made.document is None:
        raise Conflict(f"文书尚未生成（{made.status_label}）")
    document, data = await services.document_bytes(ctx, made.document.id)
    return pdf_response(filename_of(document.title, document.doc_version), data)


class CityReportApi(Controller):
    """The city overview as a PDF (全市概况报告), for the county's viewers and administrators:
    the counties of this county's city its asker may see; the asker's alone."""

    path = "/city/reports"
    tags = ["reports"]

    @post("/", name="api.city_reports.ask", opt=route(CITY_ROLES, writes=True), status_code=202)
    async def ask(self, ctx: Ctx, data: CityAsk) -> RequestOut:
        """Ask for the city report over a period: 202 with the request (``queued``); 422
        naming ``period_from`` / ``period_to`` for a missing or reversed period."""
        return await services.ask(
            ctx, ReportAsk(kind="city", period_from=data.period_from, period_to=data.period_to)
        )

    @get("/{request_id:uuid}", name="api.city_reports.status", opt=route(CITY_ROLES))
    async def status(self, ctx: Ctx, request_id: FromPath[CityRequestId]) -> RequestOut:
        """The city report's progress (another member's: 404)."""
        return await services.city_request(ctx, request_id)

    @get(
        "/{request_id:uuid}/document",
        name="api.city_reports.document",
        opt=route(CITY_ROLES),
        media_type="application/pdf",
    )
    async def document(self, ctx: Ctx, request_id: FromPath[CityRequestId]) -> Response[bytes]:
        """The city report's PDF once ready (409 before)."""
        return await _ready_pdf(ctx, await services.city_request(ctx, request_id))
