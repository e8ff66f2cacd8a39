"""A real arq worker in burst mode against a real Redis runs the housekeeping job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from arq import create_pool
from arq.worker import Worker

from tests.factories import Member


async def test_burst_worker_purges_expired_sessions_with_msgpack_jobs(admin_a: Member) -> None:
    from tenants import sessions
    from tenants.tables import UserSession
    from wusong.core.db import set_user, unit_of_work
    from wusong.worker import WorkerSettings, redis_settings

    async with unit_of_work(writes=True):
        fresh = await sessions.create_session(admin_a.user_id, "127.0.0.1", "pytest")
        await sessions.create_session(admin_a.user_id, "127.0.0.1", "pytest")
        await UserSession.update(
            {UserSession.last_seen_at: datetime.now(UTC) - timedelta(days=2)}
        ).where(UserSession.token_hash != sessions.digest(fresh))

    redis = await create_pool(
        redis_settings(),
        job_serializer=WorkerSettings.job_serializer,
        job_deserializer=WorkerSettings.job_deserializer,
    )
    await redis.flushdb()
    job = await redis.enqueue_job("purge_expired_credentials", _job_id="purge-test")
    assert job is not None
    raw = await redis.get("arq:job:purge-test")
    assert raw is not None
    assert msgspec.msgpack.decode(raw)["f"] == "purge_expired_credentials"  # msgpack on the wire

    options: dict[str, Any] = {
        k: v for k, v in vars(WorkerSettings).items() if not k.startswith("_") and k != "cron_jobs"
    }
    worker = Worker(**options, burst=True, poll_delay=0.05, handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()
    assert worker.jobs_complete == 1
    assert worker.jobs_failed == 0
    assert await job.result(timeout=5) == {"sessions": 1, "login_attempts": 0}
    async with unit_of_work(writes=False):
        await set_user(admin_a.user_id)  # PostgreSQL: sessions are visible to their user
        remaining = await UserSession.select(UserSession.token_hash)
    assert [row["token_hash"] for row in remaining] == [sessions.digest(fresh)]
    await redis.aclose()
