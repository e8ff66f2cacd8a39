"""The arq jobs of documents: render a request (arguments: the tenant's and the request's ids,
nothing else), and the sweep that queues what Redis never got or a killed worker left."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from reports.documents import repo, services
from reports.documents.render import RenderError, render_pdf
from reports.documents.storage import default_storage
from tenants import audit
from tenants import repo as tenants_repo
from wusong.core import jobs
from wusong.core.db import unit_of_work
from wusong.core.errors import DomainError
from wusong.core.tenancy import system_context

log = logging.getLogger("wusong.documents")
ACTOR = "文书服务"
RENDER_TIMEOUT = 30  # seconds a render may take (the pool's limit)
JOB_TIMEOUT = RENDER_TIMEOUT + 15  # arq's: a killed job runs again after this + 10 s
QUEUED_TOO_LONG = timedelta(minutes=1)  # Redis was away when it was asked for
RENDERING_TOO_LONG = timedelta(seconds=JOB_TIMEOUT + 30)  # its worker died
MAX_ATTEMPTS = 3  # renders of one request that may die before the sweep ends it as failed
GAVE_UP = "多次生成均未完成（生成进程意外终止），请重试或联系管理员"


INTERNAL_ERROR = "生成文书时发生内部错误，已记录，请稍后重试"
VERSION_RACES = 3  # renders after which another version keeps winning the race: give up


async def render_document(ctx: dict[str, Any], tenant_id: str, request_id: str) -> str:
    """Render one request into a stored document (idempotent: a second run finds it ready).

    Each render is stored under a key of its own document (never over a committed one); the
    document is recorded only if this attempt still holds the request and the version it
    printed is still the next one — else its file is removed, and after another version won
    the race the document is rendered again with the right number. Any failure ends the
    request as failed with a readable reason (an unexpected one: logged, and a generic
    reason), so the page offers the retry button instead of 「生成中」 forever."""
    async with unit_of_work(writes=False):
        tenant = await tenants_repo.tenant_by_id(UUID(tenant_id))
    if tenant is None:
        return "no such tenant"
    tctx = system_context(tenant, ACTOR)
    rid = UUID(request_id)
    async with unit_of_work(writes=True, tenant_id=tenant.id):
        taken = await services.take(tctx, rid, datetime.now(UTC) - RENDERING_TOO_LONG)
    if taken is None:
        return "nothing to do"
    row, attempt, full_ids = taken
    try:
        for _ in range(VERSION_RACES):
            outcome = await _render_once(tctx, tenant.name, row, attempt, full_ids)
            if outcome != services.STALE:
                return outcome
        reason = "同一文书的其他版本正在同时生成，请稍后重试"
    except (RenderError, DomainError) as error:
        reason = str(error) or type(error).__name__
    except Exception:
        log.exception("document request %s: unexpected error", request_id)
        reason = INTERNAL_ERROR
    async with unit_of_work(writes=True, tenant_id=tenant.id):
        await services.fail(tctx, row, attempt, reason)
    log.warning("document request %s failed: %s", request_id, reason)
    return "failed"


async def _render_once(tctx: Any, author: str, row: Any, attempt: int, full_ids: bool) -> str:
    """Read, render, store and record one version: the document's id, or what stopped it
    (``services.ENDED``: another run ended the request; ``services.STALE``: another version
    was issued meanwhile, this one printed the wrong number)."""
    built, previous = await _read(tctx, row, full_ids)
    token, token_hash = services.new_token()
    code = services.new_short_code()
    context = services.render_context(
        tctx, built, token=token, code=code,
        version=previous.doc_version + 1 if previous else 1,
        supersedes=previous.number if previous else None,
    )  # fmt: skip
    rendered = await render_pdf(
        built.template, context, title=built.title, author=author, timeout=RENDER_TIMEOUT
    )
    document_id = uuid4()
    key = f"{tctx.tenant_id}/{document_id}.pdf"  # its own: never over a committed document
    storage = default_storage()
    await asyncio.to_thread(storage.put, key, rendered.pdf)
    made = {
        "id": document_id,
        "number": built.number,
        "title": built.title,
        "sha256": hashlib.sha256(rendered.pdf).hexdigest(),
        "size": len(rendered.pdf),
        "pages": rendered.pages,
        "storage_key": key,
        "token_hash": token_hash,
        "short_code": code,
        "parties": list(built.parties),
        "full_ids": full_ids,
        "previous_id": previous.id if previous else None,
    }
    outcome = services.ENDED
    try:
        async with unit_of_work(writes=True, tenant_id=tctx.tenant_id) as unit:
            outcome = await services.issue(tctx, row, attempt, made)
            if outcome != services.ISSUED:
                unit.set_rollback_only()
    finally:
        if outcome != services.ISSUED:  # nothing refers to these bytes
            await asyncio.to_thread(storage.delete, key)
    return str(document_id) if outcome == services.ISSUED else outcome


async def _read(tctx: Any, row: Any, full_ids: bool) -> tuple[Any, Any]:
    """What to render and the newest version of the same document, in one read unit (the
    city report's content opens a unit per county itself, outside this one)."""

    async def previous() -> Any:
        return await repo.latest_document(
            tctx, row.kind, row.subject_id, row.period_from, row.period_to, full_ids
        )

    if services.reads_in_own_units(row.kind):
        built = await services.content(tctx, row, full_ids)
        async with unit_of_work(writes=False, tenant_id=tctx.tenant_id):
            return built, await previous()
    async with unit_of_work(writes=False, tenant_id=tctx.tenant_id):
        return await services.content(tctx, row, full_ids), await previous()


async def sweep_document_requests(ctx: dict[str, Any]) -> dict[str, int]:
    """Queue the requests Redis never got (asked while it was away) and those whose worker died
    mid-render; each county in its own unit of work. A request whose renders died
    ``MAX_ATTEMPTS`` times (a document that kills its worker) is ended as failed instead, with
    the retry button, rather than queued forever."""
    now = datetime.now(UTC)
    found: list[tuple[Any, str, int, str]] = []

    async def stale(tctx: Any) -> None:
        for r in await repo.stale_requests(tctx, now - QUEUED_TOO_LONG, now - RENDERING_TOO_LONG):
            found.append((tctx, str(r["id"]), int(r["attempts"]), str(r["status"])))

    async with unit_of_work(writes=False):
        await audit.for_each_tenant(None, stale)
    queued = given_up = 0
    for tctx, request_id, attempt, status in found:
        if status == "rendering" and attempt >= MAX_ATTEMPTS:
            async with unit_of_work(writes=True, tenant_id=tctx.tenant_id):
                if await services.give_up(tctx, UUID(request_id), attempt, GAVE_UP):
                    given_up += 1
            log.warning("document request %s failed: %s", request_id, GAVE_UP)
            continue
        job = services.job_id(UUID(request_id), attempt) + ":swept"
        if await jobs.enqueue(services.JOB, str(tctx.tenant_id), request_id, job_id=job):
            queued += 1
    return {"stale": len(found), "queued": queued, "failed": given_up}
