"""Use cases of documents: ask for one (the request row, enqueued after the commit), retry a
failed one, read requests and documents, and render a request (the arq job's work).

A render never holds a transaction while WeasyPrint works: the request is taken (one short
write), the content read (one read), the PDF rendered in the process pool and stored, then the
document, its issue event and the request's end are written together (one short write). Only
the attempt that took the request may end it, so a job run twice stores one document."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from mediation import access
from mediation.proceedings import agreements
from programs import repo as programs_repo
from reports.city import CITY_ROLES
from reports.documents import repo
from reports.documents.content import NO_AGREEMENT
from reports.documents.schemas import (
    CASE_KINDS,
    CITY_KINDS,
    KINDS,
    PERIOD_KINDS,
    REPORT_KINDS,
    STATUSES,
    DocumentOut,
    DocumentRow,
    ReportAsk,
    RequestOut,
    RequestRow,
)
from reports.documents.storage import default_storage
from reports.indicators.base import Period
from reports.periods import FIRST_YEAR, LAST_YEAR, of_days
from reports.tables import Document
from tenants import audit
from tenants.tables import AuditEvent
from wusong.core import jobs
from wusong.core.clock import local_today
from wusong.core.db import after_commit
from wusong.core.errors import Conflict, FieldErrors, Forbidden, Invalid, NotFound
from wusong.core.scoped import insert_together
from wusong.core.settings import get_settings
from wusong.core.tenancy import Role, TenantContext

JOB = "render_document"
TEMPLATE_VERSION = "2026.1"
# Crockford's base32 without the letters people misread: the printed short code.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def job_id(request_id: UUID, attempt: int) -> str:
    return f"document:{request_id}:{attempt}"


def out(row: RequestRow, document: DocumentRow | None = None) -> RequestOut:
    return RequestOut(
        id=row.id,
        kind=row.kind,
        kind_label=KINDS.get(row.kind, row.kind),
        subject_id=row.subject_id,
        status=row.status,
        status_label=STATUSES.get(row.status, row.status),
        error=row.error,
        requested_by_name=row.requested_by_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        document=DocumentOut.of(document) if document is not None else None,
        period_from=row.period_from,
        period_to=row.period_to,
    )


def _enqueue_after_commit(ctx: TenantContext, request_id: UUID, attempt: int) -> None:
    tenant = str(ctx.tenant_id)

    async def enqueue() -> None:
        await jobs.enqueue(JOB, tenant, str(request_id), job_id=job_id(request_id, attempt))

    after_commit(enqueue)


async def ask(ctx: TenantContext, data: ReportAsk) -> RequestOut:
    """A request for a document, queued in the caller's transaction (the outbox) and enqueued
    once it commits. The court reviewer's copy of a case's documents carries full ID numbers."""
    if data.kind in PERIOD_KINDS:
        return await _ask_report(ctx, data)
    # The case first: another county's is a 404 whatever else is wrong with the request.
    case = None
    if data.subject_id is not None and (data.kind in CASE_KINDS or data.kind not in KINDS):
        case = await access.readable_case(ctx, data.subject_id)
    errors = FieldErrors()
    if data.kind not in KINDS:
        errors.add("kind", "文书类型无效")
    if data.kind in CASE_KINDS and data.subject_id is None:
        errors.add("subject_id", "请指定案件")
    errors.raise_if_any()
    subject_label = ""
    if case is not None:
        if data.kind == "agreement" and not await agreements.case_agreements(ctx, case):
            raise Conflict(NO_AGREEMENT)
        subject_label = case.case_no
    full_ids = ctx.role is Role.COURT_REVIEWER
    request_id = await repo.insert_request(
        ctx,
        {
            "kind": data.kind,
            "subject": data.subject_id,
            "period_from": data.period_from,
            "period_to": data.period_to,
            "full_ids": 1 if full_ids else 0,
            "requested_by": ctx.user_id,
            "requested_by_name": ctx.actor_name,
        },
    )
    await audit.record(
        ctx, "document.request", "report_request", request_id,
        {"kind": KINDS[data.kind], "case_no": subject_label, "full_ids": full_ids},
    )  # fmt: skip
    _enqueue_after_commit(ctx, request_id, 0)
    return out(await repo.get_request(ctx, request_id))


def _may_ask(ctx: TenantContext, kind: str) -> None:
    """Work reports are the administrators'; the city report the viewers' and administrators'."""
    if kind in REPORT_KINDS and ctx.role is not Role.ADMIN:
        raise Forbidden("只有管理员可以生成和查看工作报告")
    if kind in CITY_KINDS and ctx.role not in CITY_ROLES:
        raise Forbidden("只有查看员和管理员可以生成全市概况报告")


def report_period(period_from: date | None, period_to: date | None) -> Period:
    """The period a report covers (both days included), as ``reports.periods`` names it;
    Invalid (422) naming ``period_from`` / ``period_to`` when missing, out of range or reversed."""
    errors = FieldErrors()
    for name, label, day in (
        ("period_from", "起始日期", period_from),
        ("period_to", "截止日期", period_to),
    ):
        if day is None:
            errors.add(name, f"请填写报告期间的{label}")
        elif not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors.add(name, f"{label}应在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间")
    errors.raise_if_any()
    if period_from is None or period_to is None:  # reported above
        raise Invalid(errors.errors)
    if period_to < period_from:
        raise Invalid({"period_to": "截止日期不能早于起始日期"})
    return of_days(period_from, period_to)


async def _ask_report(ctx: TenantContext, data: ReportAsk) -> RequestOut:
    """A program's or the county's work report over a period (administrators only; another
    county's or an unknown program is a 404 before the period is looked at), or the city
    report (viewers and administrators; its subject is the asker, whose report it is)."""
    _may_ask(ctx, data.kind)
    subject_label, subject = ctx.tenant_name, data.subject_id
    if data.kind == "program":
        if data.subject_id is None:
            raise Invalid({"subject_id": "请指定项目"})
        subject_label = (await programs_repo.get_program(ctx, data.subject_id)).name
    elif data.subject_id is not None:
        raise Invalid({"subject_id": f"{KINDS[data.kind]}不指定对象"})
    if data.kind in CITY_KINDS:
        subject = ctx.user_id
    period = report_period(data.period_from, data.period_to)
    request_id = await repo.insert_request(
        ctx,
        {
            "kind": data.kind,
            "subject": subject,
            "period_from": period.start,
            "period_to": period.last_day,
            "full_ids": 0,
            "requested_by": ctx.user_id,
            "requested_by_name": ctx.actor_name,
        },
    )
    await audit.record(
        ctx, "document.request", "report_request", request_id,
        {"kind": KINDS[data.kind], "report_subject": subject_label, "period": period.label},
    )  # fmt: skip
    _enqueue_after_commit(ctx, request_id, 0)
    return out(await repo.get_request(ctx, request_id))


async def retry(ctx: TenantContext, request_id: UUID) -> RequestOut:
    """A failed request queued again (its reason cleared)."""
    row = await repo.get_request(ctx, request_id)
    await _may_read(ctx, row.kind, row.subject_id, row.full_ids)
    if not await repo.requeue(ctx, request_id):
        raise Conflict("只有生成失败的文书可以重试")
    await audit.record(
        ctx, "document.retry", "report_request", request_id, {"kind": KINDS.get(row.kind, "")}
    )
    _enqueue_after_commit(ctx, request_id, row.attempts)
    return out(await repo.get_request(ctx, request_id))


async def status(ctx: TenantContext, request_id: UUID) -> RequestOut:
    row = await repo.get_request(ctx, request_id)
    await _may_read(ctx, row.kind, row.subject_id, row.full_ids)
    document = await repo.get_document(ctx, row.document_id) if row.document_id else None
    return out(row, document)


def court_copy_hidden(ctx: TenantContext, full_ids: int | bool) -> bool:
    """Whether this member may not see a copy made for the court (full ID numbers): everyone
    but the court reviewers (the platform's own context reads everything)."""
    return bool(full_ids) and ctx.role is not None and ctx.role is not Role.COURT_REVIEWER


async def _may_read(
    ctx: TenantContext, kind: str, subject_id: UUID | None, full_ids: int | bool = False
) -> None:
    """Who reads a request or document: a case's readers (the court's copy with full ID
    numbers: court reviewers alone), the administrators for work reports, and for a city report
    its asker alone (anyone else: not found, as if it did not exist)."""
    if court_copy_hidden(ctx, full_ids):
        raise NotFound("未找到该文书")
    _may_ask(ctx, kind)
    if kind in CASE_KINDS and subject_id is not None:
        await access.readable_case(ctx, subject_id)
    if kind in CITY_KINDS and (subject_id is None or subject_id != ctx.user_id):
        raise NotFound("未找到该文书")


async def city_request(ctx: TenantContext, request_id: UUID) -> RequestOut:
    """One of the asker's city reports (a request of another kind: not found here)."""
    made = await status(ctx, request_id)
    if made.kind not in CITY_KINDS:
        raise NotFound("未找到该文书申请")
    return made


async def city_document(ctx: TenantContext, document_id: UUID) -> tuple[DocumentRow, bytes]:
    document, data = await document_bytes(ctx, document_id)
    if document.kind not in CITY_KINDS:
        raise NotFound("未找到该文书")
    return document, data


async def city_reports(ctx: TenantContext, limit: int = 10) -> list[RequestOut]:
    """The asker's city reports asked in this county, newest first, with their documents."""
    if ctx.user_id is None:
        return []
    rows = [r for r in await repo.requests_of(ctx, ctx.user_id, limit) if r.kind in CITY_KINDS]
    documents = {d.id: d for d in await repo.documents_of(ctx, ctx.user_id)}
    return [out(r, documents.get(r.document_id) if r.document_id else None) for r in rows]


async def document_bytes(ctx: TenantContext, document_id: UUID) -> tuple[DocumentRow, bytes]:
    """A document's bytes for a member who may read it. Handing out the court's copy reveals
    full ID numbers: each download is an audit event (its caller's unit writes)."""
    document = await repo.get_document(ctx, document_id)
    await _may_read(ctx, document.kind, document.subject_id, document.full_ids)
    if document.full_ids:
        await audit.record(
            ctx, "document.download", "document", document.id,
            {"kind": KINDS.get(document.kind, document.kind), "number": document.number,
             "doc_version": document.doc_version, "full_ids": True},
        )  # fmt: skip
    return document, await asyncio.to_thread(default_storage().get, document.storage_key)


async def register(ctx: TenantContext, limit: int, offset: int) -> tuple[list[DocumentRow], bool]:
    """The county's documents, newest first (administrators)."""
    return await repo.list_documents(ctx, limit, offset)


async def pending_reports(ctx: TenantContext) -> list[RequestOut]:
    """The work reports asked for in the last week and not ready yet (the register's top)."""
    since = datetime.now(UTC) - timedelta(days=7)
    return [out(r) for r in await repo.pending_requests(ctx, since, REPORT_KINDS)]


async def requests_of_case(ctx: TenantContext, case_id: UUID) -> list[RequestOut]:
    """The case's requests and documents this member may see (the court's copies: court
    reviewers only)."""
    rows = [
        r for r in await repo.requests_of(ctx, case_id) if not court_copy_hidden(ctx, r.full_ids)
    ]
    documents = {d.id: d for d in await repo.documents_of(ctx, case_id)}
    return [out(r, documents.get(r.document_id) if r.document_id else None) for r in rows]


# ---- the render (the job's work) -------------------------------------------------------------


def new_token() -> tuple[str, str]:
    """A verification token (128 random bits, in the QR code) and its SHA-256 (stored)."""
    token = secrets.token_urlsafe(16)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_short_code() -> str:
    """10 characters of Crockford base32 (50 bits), printed as XXXXX-XXXXX."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def normal_code(text: str) -> str:
    """A typed short code: dashes and spaces dropped, upper case, O→0 and I/L→1 as Crockford."""
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    return code.translate(str.maketrans("OIL", "011"))


def shown_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


async def take(
    ctx: TenantContext, request_id: UUID, stale_before: datetime
) -> tuple[RequestRow, int, bool] | None:
    """Take the request for this run: the row, the attempt, full ID numbers or not; None when
    there is nothing to do (ready or failed already, or another run renders it since after
    ``stale_before``)."""
    taken = await repo.start_render(ctx, request_id, stale_before)
    if taken is None:
        return None
    attempt, full_ids = taken
    return await repo.get_request(ctx, request_id), attempt, full_ids


def reads_in_own_units(kind: str) -> bool:
    """Whether ``content`` of this kind opens its own units of work (the city report reads
    each county in its own): its caller must then hold none."""
    return kind in CITY_KINDS


async def content(ctx: TenantContext, row: RequestRow, full_ids: bool) -> Any:
    """What to render (reports.documents.content), read in the caller's read unit (none for
    a kind that ``reads_in_own_units``)."""
    from reports.documents import content as builders

    if row.kind in PERIOD_KINDS:
        from reports.documents import reports_content

        if row.period_from is None or row.period_to is None:
            raise NotFound("工作报告缺少报告期间")
        if row.kind in CITY_KINDS and row.subject_id is not None:
            return await reports_content.city_content(
                ctx, row.subject_id, row.period_from, row.period_to
            )
        if row.kind == "tenant":
            return await reports_content.tenant_content(ctx, row.period_from, row.period_to)
        if row.subject_id is not None:
            return await reports_content.program_content(
                ctx, row.subject_id, row.period_from, row.period_to
            )
    if row.subject_id is None:
        raise NotFound("文书的对象不存在")
    if row.kind == "agreement":
        return await builders.agreement_content(ctx, row.subject_id, full_ids=full_ids)
    if row.kind == "case_file":
        return await builders.case_file_content(ctx, row.subject_id, full_ids=full_ids)
    raise NotFound(f"不支持的文书类型：{row.kind}")


ISSUED, ENDED, STALE = "issued", "ended by another run", "another version came first"


async def issue(
    ctx: TenantContext,
    row: RequestRow,
    attempt: int,
    made: dict[str, Any],
) -> str:
    """Record the rendered document (bytes already stored under ``made['storage_key']``), its
    issue event (after the chain head it records) and the request's end, in the caller's write
    unit; the older version of the same document is marked superseded. ISSUED, or why not (the
    caller rolls back): ENDED when another run of the job ended the request first, STALE when
    the newest version is no longer ``made['previous_id']`` (another version was issued while
    this one rendered: its printed number is wrong). The chain head's lock makes the check and
    the write one step per county."""
    head = await audit.chain_head(ctx)
    document_id: UUID = made["id"]
    if not await repo.finish_request(
        ctx, row.id, attempt, {"status": "ready", "document": document_id, "error": ""}
    ):
        return ENDED
    previous = await repo.latest_document(
        ctx, row.kind, row.subject_id, row.period_from, row.period_to, bool(made["full_ids"])
    )
    if (previous.id if previous else None) != made["previous_id"]:
        return STALE
    version = previous.doc_version + 1 if previous else 1
    values = {
        "id": document_id,
        "request": row.id,
        "kind": row.kind,
        "subject": row.subject_id,
        "period_from": row.period_from,
        "period_to": row.period_to,
        "number": made["number"],
        "title": made["title"],
        "doc_version": version,
        "supersedes": previous.id if previous else None,
        "sha256": made["sha256"],
        "size": made["size"],
        "pages": made["pages"],
        "template_version": TEMPLATE_VERSION,
        "storage_key": made["storage_key"],
        "token_hash": made["token_hash"],
        "short_code": made["short_code"],
        "parties": made["parties"],
        "chain_seq": head.seq,
        "chain_hash": head.hash,
        "requested_by_name": row.requested_by_name,
        "issued_at": datetime.now(UTC),
        "full_ids": 1 if made["full_ids"] else 0,
    }
    event = audit.chained_event(
        ctx, head, "document.issue", "document", document_id,
        {"kind": KINDS.get(row.kind, row.kind), "number": made["number"], "doc_version": version,
         "sha256": made["sha256"], "pages": made["pages"], "full_ids": made["full_ids"]},
    )  # fmt: skip
    await insert_together(ctx, [(Document, [values]), (AuditEvent, [event])])
    if previous is not None:
        await repo.mark_superseded(ctx, previous.id, document_id)
    return ISSUED


async def fail(ctx: TenantContext, row: RequestRow, attempt: int, reason: str) -> None:
    await give_up(ctx, row.id, attempt, reason)


async def give_up(ctx: TenantContext, request_id: UUID, attempt: int, reason: str) -> bool:
    """End the attempt as failed with a readable reason (False: it no longer holds the
    request)."""
    return await repo.finish_request(
        ctx, request_id, attempt, {"status": "failed", "error": reason[:500]}
    )


def render_context(
    ctx: TenantContext, built: Any, *, token: str, code: str, version: int, supersedes: str | None
) -> dict[str, Any]:
    base = get_settings().public_url
    from reports.documents.render import qr_svg_data_uri

    url = f"{base}/verify/{token}"
    return {
        **built.context,
        "verification": {"url": url, "code": shown_code(code), "qr": qr_svg_data_uri(url),
                         "page": f"{base}/verify"},
        "issued_on": local_today(),
        "tenant_name": ctx.tenant_name,
        "document_version": version,
        "supersedes": supersedes,
    }  # fmt: skip


def new_document_id() -> UUID:
    return uuid4()
