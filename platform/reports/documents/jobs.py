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


async def render_document(ctx: dict[str, Any], tenant_id: str, request_id: str) -> str:
    """Render one request into a stored document (idempotent: a second run finds it ready)."""
    async with unit_of_work(writes=False):
        tenant = await tenants_repo.tenant_by_id(UUID(tenant_id))
    if tenant is None:
        return "no such tenant"
    tctx = system_context(tenant, ACTOR)
    rid = UUID(request_id)
    async with unit_of_work(writes=True, tenant_id=tenant.id):
        taken = await services.take(tctx, rid)
    if taken is None:
        return "nothing to do"
    row, attempt, full_ids = taken
    try:
        built, previous = await _read(tctx, row, full_ids)
        token, token_hash = services.new_token()
        code = services.new_short_code()
        context = services.render_context(
            tctx, built, token=token, code=code,
            version=previous.doc_version + 1 if previous else 1,
            supersedes=previous.number if previous else None,
        )  # fmt: skip
        rendered = await render_pdf(
            built.template, context, title=built.title, author=tenant.name, timeout=RENDER_TIMEOUT
        )
    except (RenderError, DomainError) as error:
        reason = str(error) or type(error).__name__
        async with unit_of_work(writes=True, tenant_id=tenant.id):
            await services.fail(tctx, row, attempt, reason)
        log.warning("document request %s failed: %s", request_id, reason)
        return "failed"
    key = f"{tenant.id}/{row.id}.pdf"  # one key per request: a retried render replaces it
    await asyncio.to_thread(default_storage().put, key, rendered.pdf)
    made = {
        "id": uuid4(),
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
    }
    async with unit_of_work(writes=True, tenant_id=tenant.id) as unit:
        document = await services.issue(tctx, row, attempt, made)
        if document is None:  # another run ended the request first: keep its document
            unit.set_rollback_only()
            return "ended by another run"
    return str(document)


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
    mid-render; each county in its own unit of work."""
    now = datetime.now(UTC)
    found: list[tuple[str, str, int]] = []

    async def stale(tctx: Any) -> None:
        for r in await repo.stale_requests(tctx, now - QUEUED_TOO_LONG, now - RENDERING_TOO_LONG):
            found.append((str(tctx.tenant_id), str(r["id"]), int(r["attempts"])))

    async with unit_of_work(writes=False):
        await audit.for_each_tenant(None, stale)
    queued = 0
    for tenant_id, request_id, attempt in found:
        job = services.job_id(UUID(request_id), attempt) + ":swept"
        if await jobs.enqueue(services.JOB, tenant_id, request_id, job_id=job):
            queued += 1
    return {"stale": len(found), "queued": queued}
