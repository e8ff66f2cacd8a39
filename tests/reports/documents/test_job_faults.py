"""The render job when things go wrong: an unexpected error ends the request as failed with a
readable reason (and the retry works once the fault is gone), a request whose renders keep dying
is ended by the sweep instead of being queued forever, a render whose printed version lost the
race to another version is not recorded (and is rendered again with the right number), and a
request another run is rendering is not taken over. All with a real database, Redis, worker and
storage: the fault is a real one (the county's storage folder is a file)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import in_tenant, job_queue
from tests.mediation.proceedings.conftest import Setting
from tests.reports.documents.test_requests import (
    REPORTS,
    _ask,
    _documents,
    _effective_agreement,
    _text,
    _work,
)


async def _status(client: httpx.AsyncClient, proc: Setting, request_id: str) -> Any:
    return (await client.get(f"{REPORTS}/{request_id}", headers=proc.auth())).json()


def _stored(proc: Setting) -> list[Path]:
    from wusong.core.settings import get_settings

    folder = get_settings().data_dir / "documents" / str(proc.tenant.id)
    return sorted(folder.glob("*.pdf")) if folder.is_dir() else []


@pytest.fixture
def blocked_storage(proc: Setting) -> Any:
    """The county's storage folder replaced by a file: storing any document fails (OSError)."""
    from wusong.core.settings import get_settings

    folder = get_settings().data_dir / "documents" / str(proc.tenant.id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"not a folder")
    yield folder
    if folder.is_file():
        folder.unlink()


async def test_an_unexpected_error_fails_the_request_readably_and_a_retry_renders_it(
    client: httpx.AsyncClient, proc: Setting, blocked_storage: Path
) -> None:
    from reports.documents.jobs import INTERNAL_ERROR

    await _effective_agreement(client, proc)
    async with job_queue():
        asked = await _ask(client, proc, "agreement")
        assert (await _work()).jobs_failed == 0  # handled: not an arq failure, not retried
        failed = await _status(client, proc, asked["id"])
        assert (failed["status"], failed["error"]) == ("failed", INTERNAL_ERROR)
        assert await _documents(proc) == 0
        await asyncio.to_thread(blocked_storage.unlink)  # the fault is gone
        retried = await client.post(f"{REPORTS}/{asked['id']}/retry", headers=proc.auth())
        assert retried.status_code == 202
        await _work()
    ready = await _status(client, proc, asked["id"])
    assert ready["status"] == "ready"
    assert await _documents(proc) == 1


async def test_the_sweep_ends_a_request_whose_renders_keep_dying(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    from reports.documents import jobs as document_jobs
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    await _effective_agreement(client, proc)
    async with job_queue() as redis:
        asked = await _ask(client, proc, "agreement")
        await redis.flushdb()
        async with in_tenant(proc.tenant) as ctx:  # three renders started, each died
            await scoped(ctx, ReportRequest).update(
                {
                    ReportRequest.status: "rendering",
                    ReportRequest.attempts: document_jobs.MAX_ATTEMPTS,
                    ReportRequest.updated_at: datetime.now(UTC) - timedelta(minutes=5),
                }
            )
        swept = await document_jobs.sweep_document_requests({})
        assert swept == {"stale": 1, "queued": 0, "failed": 1}
        assert await redis.keys("*") == []  # nothing queued
    ended = await _status(client, proc, asked["id"])
    assert (ended["status"], ended["error"]) == ("failed", document_jobs.GAVE_UP)


async def test_a_version_that_lost_the_race_is_not_recorded_and_is_rendered_again(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    """Request A is being rendered (as version 1) when request B's version 1 is issued: A's
    render cannot be recorded with its printed number; the job renders it again as version 2.
    Meanwhile nobody takes A over from the run that holds it."""
    from reports.documents import jobs as document_jobs
    from reports.documents import services
    from wusong.core.db import current_unit
    from wusong.core.tenancy import system_context

    await _effective_agreement(client, proc)
    async with job_queue() as redis:
        first = await _ask(client, proc, "agreement")
        await redis.flushdb()  # A is left to this test's own run
        async with in_tenant(proc.tenant) as ctx:
            stale_before = datetime.now(UTC) - document_jobs.RENDERING_TOO_LONG
            taken = await services.take(ctx, first["id"], stale_before)
            assert taken is not None
            assert await services.take(ctx, first["id"], stale_before) is None  # held: not ours
        row, attempt, full_ids = taken
        second = await _ask(client, proc, "agreement")
        await _work()  # B: version 1
    assert (await _status(client, proc, second["id"]))["document"]["doc_version"] == 1
    stored = await asyncio.to_thread(_stored, proc)
    # A's render printed version 1 and expected no previous one: refused, nothing written
    async with in_tenant(proc.tenant) as ctx:
        made = {"id": None, "full_ids": False, "previous_id": None}
        assert await services.issue(ctx, row, attempt, made) == services.STALE
        current_unit().set_rollback_only()  # as the job does
    # the job's step renders it again with the right number and records it (in its own units)
    job = system_context(proc.tenant, document_jobs.ACTOR)
    outcome = await document_jobs._render_once(job, "梨树县", row, attempt, full_ids)
    assert outcome not in {services.STALE, services.ENDED}
    done = await _status(client, proc, first["id"])
    assert done["status"] == "ready"
    assert done["document"]["doc_version"] == 2
    pdf = await client.get(f"{REPORTS}/{first['id']}/document", headers=proc.auth())
    assert re.search(r"第\s*2\s*版（取代", _text(pdf.content))  # printed as recorded
    assert len(await asyncio.to_thread(_stored, proc)) == len(stored) + 1  # no stray files
    assert await _documents(proc) == 2
