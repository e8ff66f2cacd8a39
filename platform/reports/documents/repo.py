"""Queries of report requests and documents. The only module that queries these tables; the
public verification's lookup is the one that knows no tenant (a SECURITY DEFINER function on
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from reports.documents.schemas import DocumentRow, RequestRow
from reports.tables import Document, ReportRequest
from wusong.core.db import Statement, as_row, as_rows, is_postgres
from wusong.core.errors import NotFound
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.tenancy import TenantContext

R = ReportRequest
_REQUEST_COLUMNS = (
    R.id, R.kind, R.subject.as_alias("subject_id"), R.period_from, R.period_to, R.status,
    R.error, R.attempts, R.requested_by_name, R.document.as_alias("document_id"), R.created_at,
    R.updated_at, R.full_ids,
)  # fmt: skip
D = Document
_DOCUMENT_COLUMNS = (
    D.id, D.request.as_alias("request_id"), D.kind, D.subject.as_alias("subject_id"), D.number,
    D.title, D.doc_version, D.supersedes, D.superseded_by, D.sha256, D.size, D.pages,
    D.template_version, D.storage_key, D.requested_by_name, D.issued_at, D.full_ids,
)  # fmt: skip


# ---- requests --------------------------------------------------------------------------------


async def insert_request(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, R, **values)


async def get_request(ctx: TenantContext, request_id: UUID) -> RequestRow:
    row = await scoped(ctx, R).select(*_REQUEST_COLUMNS).where(R.id == request_id).first()
    if row is None:
        raise NotFound("未找到该文书申请")
    return as_row(RequestRow, row)


async def start_render(
    ctx: TenantContext, request_id: UUID, stale_before: datetime
) -> tuple[int, bool] | None:
    """Take the request for a render (queued, or rendering since before ``stale_before`` by a
    run that died): the attempt's number and whether it carries full ID numbers; None when it
    is ready or failed already, or another run is rendering it now."""
    taken = (R.status == "queued") | ((R.status == "rendering") & (R.updated_at < stale_before))
    rows = (
        await scoped(ctx, R)
        .update(
            {R.status: "rendering", R.attempts: R.attempts + 1, R.updated_at: datetime.now(UTC)}
        )
        .where((R.id == request_id) & taken)
        .returning(R.attempts, R.full_ids)
    )
    return (int(rows[0]["attempts"]), bool(rows[0]["full_ids"])) if rows else None


async def finish_request(
    ctx: TenantContext, request_id: UUID, attempt: int, changes: dict[str, Any]
) -> bool:
    """End the attempt (ready with its document, or failed): only the attempt that holds the
    request may, so a second run of the job can never store a second document."""
    rows = (
        await scoped(ctx, R)
        .update({**changes, R.updated_at: datetime.now(UTC)})
        .where((R.id == request_id) & (R.status == "rendering") & (R.attempts == attempt))
        .returning(R.id)
    )
    return bool(rows)


async def requeue(ctx: TenantContext, request_id: UUID) -> bool:
    """A failed request queued again (the retry button)."""
    rows = (
        await scoped(ctx, R)
        .update({R.status: "queued", R.error: "", R.updated_at: datetime.now(UTC)})
        .where((R.id == request_id) & (R.status == "failed"))
        .returning(R.id)
    )
    return bool(rows)


async def requests_of(ctx: TenantContext, subject_id: UUID, limit: int = 20) -> list[RequestRow]:
    rows = (
        await scoped(ctx, R)
        .select(*_REQUEST_COLUMNS)
        .where(R.subject == subject_id)
        .order_by(R.created_at, ascending=False)
        .limit(limit)
    )
    return as_rows(RequestRow, rows)


async def pending_requests(
    ctx: TenantContext, since: datetime, kinds: frozenset[str], limit: int = 20
) -> list[RequestRow]:
    """Requests of these kinds not ready yet (queued, rendering, failed) asked since then,
    newest first: the register's "being made" list."""
    rows = (
        await scoped(ctx, R)
        .select(*_REQUEST_COLUMNS)
        .where(
            R.kind.is_in(sorted(kinds))
            & R.status.is_in(["queued", "rendering", "failed"])
            & (R.created_at >= since)
        )
        .order_by(R.created_at, ascending=False)
        .limit(limit)
    )
    return as_rows(RequestRow, rows)


_STALE = TenantStatement(
    "SELECT id, status, attempts FROM report_requests WHERE tenant = {tenant} "
    "AND ((status = 'queued' AND updated_at < {}) OR (status = 'rendering' AND updated_at < {})) "
    "ORDER BY updated_at LIMIT 200"
)


async def stale_requests(
    ctx: TenantContext, queued_before: datetime, rendering_before: datetime
) -> list[dict[str, Any]]:
    """Requests queued too long (Redis was away) or rendering too long (a killed worker)."""
    return await _STALE.fetch(ctx, queued_before, rendering_before)


# ---- documents -------------------------------------------------------------------------------


async def insert_document(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, D, **values)


async def get_document(ctx: TenantContext, document_id: UUID) -> DocumentRow:
    row = await scoped(ctx, D).select(*_DOCUMENT_COLUMNS).where(D.id == document_id).first()
    if row is None:
        raise NotFound("未找到该文书")
    return as_row(DocumentRow, row)


async def latest_document(
    ctx: TenantContext,
    kind: str,
    subject_id: UUID | None,
    period_from: date | None = None,
    period_to: date | None = None,
    full_ids: bool = False,
) -> DocumentRow | None:
    """The newest version of the same document: same kind, subject and period (a report of
    another period is another document, not a version of this one), and the court's copy with
    full ID numbers apart from everyone else's."""
    where = (
        (D.kind == kind)
        & (D.subject.is_null() if subject_id is None else D.subject == subject_id)
        & (D.full_ids == (1 if full_ids else 0))
    )
    for column, value in ((D.period_from, period_from), (D.period_to, period_to)):
        where &= column.is_null() if value is None else column == value
    row = (
        await scoped(ctx, D)
        .select(*_DOCUMENT_COLUMNS)
        .where(where)
        .order_by(D.doc_version, ascending=False)
        .first()
    )
    return as_row(DocumentRow, row) if row is not None else None


async def mark_superseded(ctx: TenantContext, old_id: UUID, new_id: UUID) -> None:
    await scoped(ctx, D).update({D.superseded_by: new_id}).where(D.id == old_id)


async def documents_of(ctx: TenantContext, subject_id: UUID) -> list[DocumentRow]:
    rows = (
        await scoped(ctx, D)
        .select(*_DOCUMENT_COLUMNS)
        .where(D.subject == subject_id)
        .order_by(D.issued_at, ascending=False)
    )
    return as_rows(DocumentRow, rows)


async def list_documents(
    ctx: TenantContext, limit: int, offset: int
) -> tuple[list[DocumentRow], bool]:
    rows = (
        await scoped(ctx, D)
        .select(*_DOCUMENT_COLUMNS)
        .order_by(D.issued_at, ascending=False)
        .limit(limit + 1)
        .offset(offset)
    )
    return as_rows(DocumentRow, rows[:limit]), len(rows) > limit


# ---- public verification (no tenant) ---------------------------------------------------------

_VERIFY_PG = Statement("SELECT * FROM wusong_verify_document({}, {})")
# SQLite has no row-level security: the same answer as the PostgreSQL function.
_VERIFY_SQLITE = Statement(
    "SELECT d.id, d.tenant, t.name AS tenant_name, d.kind, d.number, d.title, d.doc_version, "
    "d.sha256, d.size, d.pages, d.parties, d.issued_at, d.storage_key, d.chain_seq, "
    "d.chain_hash, n.doc_version AS newer_version, n.issued_at AS newer_issued_at, "
    "e.seq AS event_seq, e.at AS event_at, e.actor_id AS event_actor_id, "
    "e.actor_name AS event_actor_name, e.action AS event_action, "
    "e.object_type AS event_object_type, e.object_id AS event_object_id, e.diff AS event_diff, "
    "e.prev_hash AS event_prev_hash, e.hash AS event_hash, e.key_id AS event_key_id "
    "FROM documents d JOIN tenants t ON t.id = d.tenant "
    "LEFT JOIN documents n ON n.tenant = d.tenant AND n.id = d.superseded_by "
    "LEFT JOIN audit_events e ON e.tenant = d.tenant AND e.object_type = 'document' "
    "AND e.object_id = d.id AND e.action = 'document.issue' "
    "WHERE ({} <> '' AND d.token_hash = {}) OR ({} <> '' AND d.short_code = {}) LIMIT 1"
)


async def verification(token_hash: str, short_code: str) -> dict[str, Any] | None:
    """The document a token (its SHA-256) or a printed short code names, in any county."""
    if is_postgres():
        rows = await _VERIFY_PG.fetch(token_hash, short_code)
    else:
        rows = await _VERIFY_SQLITE.fetch(token_hash, token_hash, short_code, short_code)
    return rows[0] if rows else None
