"""Documents JSON API under /api/v1/t/{tenant}: ask for a PDF (202 with the request), follow
its progress, download the document."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Response, get, post
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath

from mediation.access import READERS
from reports.documents import services
from reports.documents.schemas import DocumentId, ReportAsk, RequestId, RequestOut
from wusong.core.web import Ctx
from wusong.core.web import access as route

Ask = Annotated[
    ReportAsk,
    Body(examples=[
        Example(summary="案件的人民调解协议书", value={
            "kind": "agreement", "subject_id": "3f1c2a9e-8d4b-4c55-9e61-1a2b3c4d5e6f"}),
        Example(summary="法院审查用的调解案卷", value={
            "kind": "case_file", "subject_id": "3f1c2a9e-8d4b-4c55-9e61-1a2b3c4d5e6f"}),
    ]),
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
        review; a court reviewer's copy carries full ID numbers) of a case (``subject_id``)."""
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
        opt=route(READERS),
        media_type="application/pdf",
    )
    async def document(self, ctx: Ctx, request_id: FromPath[RequestId]) -> Response[bytes]:
        """The PDF of a ready request (409 while it is not ready)."""
        made = await services.status(ctx, request_id)
        if made.document is None:
            from wusong.core.errors import Conflict

            raise Conflict(f"文书尚未生成（{made.status_label}）")
        document, data = await services.document_bytes(ctx, made.document.id)
        return pdf_response(filename_of(document.title, document.doc_version), data)

    @get(
        "/documents/{document_id:uuid}",
        name="api.reports.document_by_id",
        opt=route(READERS),
        media_type="application/pdf",
    )
    async def document_by_id(self, ctx: Ctx, document_id: FromPath[DocumentId]) -> Response[bytes]:
        """A stored document's PDF (every version stays downloadable)."""
        document, data = await services.document_bytes(ctx, document_id)
        return pdf_response(filename_of(document.title, document.doc_version), data)
