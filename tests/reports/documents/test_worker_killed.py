"""A real `wusong worker` process SIGKILLed in the middle of a render: nothing half-made is
visible, and once the sweep queues the request again one document is stored — exactly one."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.factories import in_tenant, job_queue, run_worker_burst
from tests.mediation.proceedings.conftest import Setting
from tests.reports.documents.test_requests import REPORTS, _ask, _documents, _effective_agreement

ROOT = Path(__file__).resolve().parents[3]


async def _status(proc: Setting, request_id: str) -> tuple[str, int]:
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    async with in_tenant(proc.tenant, writes=False) as ctx:
        row = (
            await scoped(ctx, ReportRequest)
            .select(ReportRequest.status, ReportRequest.attempts)
            .where(ReportRequest.id == request_id)
            .first()
        )
    assert row is not None
    return str(row["status"]), int(row["attempts"])


async def test_a_worker_killed_mid_render_leaves_one_document_after_the_retry(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    from reports.documents import jobs as document_jobs
    from reports.documents import render
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    await _effective_agreement(client, proc)
    async with job_queue() as redis:
        asked = await _ask(client, proc, "agreement")
        worker = await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "wusong"),
            "worker",
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the render pool dies with it
        )
        try:
            for _ in range(600):  # until it has taken the request (rendering), at most 60 s
                status, attempts = await _status(proc, asked["id"])
                if status != "queued":
                    break
                await asyncio.sleep(0.1)
            assert (status, attempts) == ("rendering", 1), status
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            await asyncio.wait_for(worker.wait(), timeout=10)
        assert await _documents(proc) == 0  # nothing half-made is a document
        body = (await client.get(f"{REPORTS}/{asked['id']}", headers=proc.auth())).json()
        assert body["status"] == "rendering"
        assert body["document"] is None
        # arq itself would run the killed job again once its in-progress key expires (the job
        # timeout + 10 s: a minute); here Redis loses its queue too (it keeps nothing on disk,
        # and the killed worker left its cron job there), so the sweep must bring it back
        await redis.flushdb()
        # later: the sweep finds it rendering for too long and queues it again
        async with in_tenant(proc.tenant) as ctx:
            await scoped(ctx, ReportRequest).update(
                {ReportRequest.updated_at: datetime.now(UTC) - timedelta(minutes=5)}
            )
        swept = await document_jobs.sweep_document_requests({})
        assert swept["queued"] >= 1
        render.shutdown()  # this process's next pool is a new one, which cleans up after the dead
        done = await run_worker_burst()
    assert done.jobs_failed == 0
    assert await _status(proc, asked["id"]) == ("ready", 2)
    assert await _documents(proc) == 1
    # the killed worker's render pool could not remove its temporary folder; the next pool did
    pattern = f"{render.SCRATCH_PREFIX}{worker.pid}-*"
    assert not await asyncio.to_thread(lambda: list(Path(tempfile.gettempdir()).glob(pattern)))
