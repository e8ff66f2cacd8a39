"""Document pages: the case page's 文书 section (ask, follow progress without reloading,
download, retry), the county's document register (administrators), and the public
verification page (/verify), which knows no tenant and is rate-limited per client."""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from mediation.access import READERS
from mediation.routes import add_case_section
from mediation.schemas import CaseId, CaseRow
from programs.schemas import ProgramId
from reports.city import CITY_ROLES
from reports.documents import services, verification
from reports.documents.api import filename_of, pdf_response
from reports.documents.schemas import (
    CASE_KINDS,
    CITY_KINDS,
    KINDS,
    CityDocumentId,
    CityRequestId,
    DocumentId,
    ReportAsk,
    RequestId,
)
from reports.periods import of_days
from wusong.core.db import current_unit, unit_of_work
from wusong.core.errors import DomainError, Invalid
from wusong.core.tenancy import ADMIN, Role
from wusong.core.views import View, ViewDep, list_page, with_neighbours
from wusong.core.web import Form, client_ip, redirect
from wusong.core.web import access as route
from wusong.core.web import page as render_page

REGISTER_SIZE = 30


async def documents_section(view: View, case: CaseRow) -> dict[str, Any]:
    """The case page's 文书 section: what was asked for, its progress, the documents."""
    requests = await services.requests_of_case(view.ctx, case.id)
    return {
        "template": "reports/documents/_case_section.html",
        "doc_requests": requests,
        "doc_kinds": {k: v for k, v in KINDS.items() if k in CASE_KINDS},
        "doc_base": view.base,
        "doc_case_id": case.id,
        "doc_full_ids": view.ctx.role is Role.COURT_REVIEWER,
    }


add_case_section(documents_section)


def _form_days(data: dict[str, str]) -> dict[str, date | None]:
    """A report form's ``from`` and ``to`` as the service's period_from / period_to (None
    when empty: the service says what is missing); Invalid naming a malformed one."""
    days: dict[str, date | None] = {}
    for name, field, label in (
        ("from", "period_from", "起始日期"),
        ("to", "period_to", "截止日期"),
    ):
        raw = (data.get(name) or "").strip()
        try:
            days[field] = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise Invalid({field: f"{label}应为日期，格式 2025-03-01"}) from None
    return days


async def _ask_from_form(
    view: View, ask: Callable[[], ReportAsk], back: str, forward: Callable[[Any], str]
) -> Redirect:
    """A page's form asks for a document: on to ``forward(made)`` to follow it; a refusal the
    page can explain (a bad period, no agreement yet) back to ``back`` with its reason and
    nothing written. 401/403/404 stay errors (another county's subject is a 404)."""
    try:
        made = await services.ask(view.ctx, ask())
    except DomainError as error:
        if error.status_code >= 500 or error.status_code in {401, 403, 404}:
            raise
        current_unit().set_rollback_only()
        return redirect(back, error.message, "error")
    return redirect(forward(made), f"已提交：{made.kind_label}正在生成")


def _case_page(view: View, case_id: UUID) -> str:
    return view.url(f"/cases/{case_id}") + "#documents"


class DocumentPages(Controller):
    path = "/"

    @post(
        "/cases/{case_id:uuid}/documents",
        name="documents.ask",
        opt=route(READERS, writes=True),
    )
    async def ask(self, view: ViewDep, case_id: FromPath[CaseId], data: Form) -> Redirect:
        page = _case_page(view, case_id)
        ask = ReportAsk(kind=data.get("kind", ""), subject_id=case_id)
        return await _ask_from_form(view, lambda: ask, page, lambda made: page)

    @post(
        "/programs/{program_id:uuid}/report",
        name="documents.program_report",
        opt=route(ADMIN, writes=True),
    )
    async def program_report(
        self, view: ViewDep, program_id: FromPath[ProgramId], data: Form
    ) -> Redirect:
        """The program page's 「生成工作报告」: the program's report over the chosen days."""
        return await self._ask_report(
            view, "program", program_id, data, view.url(f"/programs/{program_id}")
        )

    @post("/dashboard/report", name="documents.tenant_report", opt=route(ADMIN, writes=True))
    async def tenant_report(self, view: ViewDep, data: Form) -> Redirect:
        """The dashboard's 「生成工作报告」: the county's report over the chosen days."""
        return await self._ask_report(view, "tenant", None, data, view.url("/dashboard"))

    async def _ask_report(
        self, view: ViewDep, kind: str, subject_id: UUID | None, data: dict[str, str], back: str
    ) -> Redirect:
        """Ask, then follow it on the register; a bad period goes back with the reason (and
        nothing written); another county's program is a 404."""
        register = view.url("/documents")
        return await _ask_from_form(
            view,
            lambda: ReportAsk(kind=kind, subject_id=subject_id, **_form_days(data)),
            back,
            lambda made: register,
        )

    @post(
        "/reports/{request_id:uuid}/retry",
        name="documents.retry",
        opt=route(READERS, writes=True),
    )
    async def retry(self, view: ViewDep, request_id: FromPath[RequestId]) -> Redirect:
        made = await services.retry(view.ctx, request_id)
        back = view.url("/documents")
        if made.subject_id is not None and made.kind in CASE_KINDS:
            back = _case_page(view, made.subject_id)
        return redirect(back, f"已重新提交：{made.kind_label}")

    @get("/reports/{request_id:uuid}/status", name="documents.status", opt=route(READERS))
    async def status(self, view: ViewDep, request_id: FromPath[RequestId]) -> Response[Any]:
        """The request's progress as JSON, for the case page's script (no reload)."""
        made = await services.status(view.ctx, request_id)
        return _progress(made, view.url("/documents"))

    @get(
        "/documents/{document_id:uuid}/download",
        name="documents.download",
        opt=route(READERS, writes=True),  # the court's copy: each download an audit event
        media_type="application/pdf",
    )
    async def download(self, view: ViewDep, document_id: FromPath[DocumentId]) -> Response[bytes]:
        document, data = await services.document_bytes(view.ctx, document_id)
        return pdf_response(filename_of(document.title, document.doc_version), data)

    @get("/documents", name="documents.register", opt=route(ADMIN))
    async def register(self, view: ViewDep, page: FromQuery[str] = "1") -> Template:
        """Every document of the county, newest first: who asked, when, its SHA-256."""
        at = list_page(page, REGISTER_SIZE)
        rows, more = await services.register(view.ctx, REGISTER_SIZE, at.offset)
        return await view.render(
            "reports/documents/register.html",
            pending=await services.pending_reports(view.ctx) if at.offset == 0 else [],
            documents=rows,
            kinds=KINDS,
            city_kinds=CITY_KINDS,
            pager=with_neighbours(view, at, more),
        )


def _progress(made: Any, documents: str) -> Response[Any]:
    """A request's progress as the pages' script reads it (with its download once ready)."""
    body = msgspec.to_builtins(made)
    if made.document is not None:
        body["download"] = f"{documents}/{made.document.id}/download"
    return Response(body, headers={"Cache-Control": "no-store"})


# ---- the city report (asked from the city overview; its asker's alone) --------------------------


def _city_page(view: View, made: Any = None) -> str:
    """The city overview (of the request's period) at the reports asked in this county."""
    query = ""
    if made is not None and made.period_from and made.period_to:
        query = f"?{urlencode(of_days(made.period_from, made.period_to).query())}"
    return f"/city{query}#reports-{view.ctx.tenant_slug}"


class CityReportPages(Controller):
    """The city overview's 「生成全市概况报告」 and its progress and download, under the county
    the report is asked in (the overview names it); viewers and administrators."""

    path = "/city"

    @post("/report", name="documents.city_report", opt=route(CITY_ROLES, writes=True))
    async def ask(self, view: ViewDep, data: Form) -> Redirect:
        """Ask for the city report over the chosen days; back on the overview, where it shows
        its progress. A bad period goes back with the reason and nothing written."""
        return await _ask_from_form(
            view,
            lambda: ReportAsk(kind="city", subject_id=None, **_form_days(data)),
            _city_page(view),
            lambda made: _city_page(view, made),
        )

    @get("/reports/{request_id:uuid}/status", name="documents.city_status", opt=route(CITY_ROLES))
    async def status(self, view: ViewDep, request_id: FromPath[CityRequestId]) -> Response[Any]:
        """The city report's progress as JSON, for the overview's script (no reload)."""
        return _progress(
            await services.city_request(view.ctx, request_id), view.url("/city/documents")
        )

    @post(
        "/reports/{request_id:uuid}/retry",
        name="documents.city_retry",
        opt=route(CITY_ROLES, writes=True),
    )
    async def retry(self, view: ViewDep, request_id: FromPath[CityRequestId]) -> Redirect:
        made = await services.city_request(view.ctx, request_id)
        made = await services.retry(view.ctx, made.id)
        return redirect(_city_page(view, made), f"已重新提交：{made.kind_label}")

    @get(
        "/documents/{document_id:uuid}/download",
        name="documents.city_download",
        opt=route(CITY_ROLES),
        media_type="application/pdf",
    )
    async def download(
        self, view: ViewDep, document_id: FromPath[CityDocumentId]
    ) -> Response[bytes]:
        document, data = await services.city_document(view.ctx, document_id)
        return pdf_response(filename_of(document.title, document.doc_version), data)


# ---- public verification ----------------------------------------------------------------------

VERIFY_LIMIT = 30  # tries per client per minute; the 31st is a 429
_tries: dict[str, deque[float]] = {}


def _throttle(client: str) -> None:
    """At most VERIFY_LIMIT tries per client in any 60 s (per server process)."""
    now = time.monotonic()
    window = _tries.setdefault(client, deque())
    while window and window[0] <= now - 60:
        window.popleft()
    if len(window) >= VERIFY_LIMIT:
        retry = int(60 - (now - window[0])) + 1
        raise HTTPException(
            status_code=429, detail="查询过于频繁，请稍后再试", headers={"Retry-After": str(retry)}
        )
    window.append(now)
    if len(_tries) > 10_000:  # bounded: forget the clients with no recent try
        for key in [k for k, v in _tries.items() if not v or v[-1] <= now - 60]:
            del _tries[key]


class VerifyPages(Controller):
    path = "/verify"

    @get("/", name="verify.form")
    async def form(self, request: Request[Any, Any, Any], code: FromQuery[str] = "") -> Template:
        """The verification page: the printed short code typed in (or none yet)."""
        if not code.strip():
            return render_page(request, "reports/documents/verify.html", found=None, asked=False)
        _throttle(client_ip(request.scope))
        async with unit_of_work(writes=False):
            found = await verification.by_code(code)
        return _answer(request, found, code=code)

    @get("/{token:str}", name="verify.token")
    async def token(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
        """The page a document's QR code opens."""
        _throttle(client_ip(request.scope))
        async with unit_of_work(writes=False):
            found = await verification.by_token(token)
        return _answer(request, found)


def _answer(request: Request[Any, Any, Any], found: Any, code: str = "") -> Template:
    status = 200 if found is not None else 404
    return render_page(
        request,
        "reports/documents/verify.html",
        status_code=status,
        found=found,
        asked=True,
        code=code[:20],
        kinds=KINDS,
        parties_json=json.dumps,
    )
