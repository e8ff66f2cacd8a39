"""A real arq worker in burst mode against a real Redis runs the housekeeping job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from tests.factories import Member, job_queue, run_worker_burst


async def test_burst_worker_purges_expired_sessions_with_msgpack_jobs(admin_a: Member) -> None:
    from tenants import sessions
    from tenants.tables import UserSession
    from wusong.core.db import set_user, unit_of_work

    async with unit_of_work(writes=True):
        fresh = await sessions.create_session(admin_a.user_id, "127.0.0.1", "pytest")
        await sessions.create_session(admin_a.user_id, "127.0.0.1", "pytest")
        await UserSession.update(
            {UserSession.last_seen_at: datetime.now(UTC) - timedelta(days=2)}
        ).where(UserSession.token_hash != sessions.digest(fresh))

    async with job_queue() as redis:
        job = await redis.enqueue_job("purge_expired_credentials", _job_id="purge-test")
        assert job is not None
        raw = await redis.get("arq:job:purge-test")
        assert raw is not None
        assert msgspec.msgpack.decode(raw)["f"] == "purge_expired_credentials"  # msgpack on wire
        worker = await run_worker_burst()
        assert worker.jobs_complete == 1
        assert worker.jobs_failed == 0
        assert await job.result(timeout=5) == {"sessions": 1, "login_attempts": 0}
    async with unit_of_work(writes=False):
        await set_user(admin_a.user_id)  # PostgreSQL: sessions are visible to their user
        remaining = await UserSession.select(UserSession.token_hash)
    assert [row["token_hash"] for row in remaining] == [sessions.digest(fresh)]
