"""The unit of work: declared writes, read-only reads, no nesting, after-commit callbacks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from tests.factories import Browser, Member, in_tenant, make_area
from tests.scratch import COMMITTED


async def _audit_actions(tenant: Any) -> list[str]:
    from tenants.tables import AuditEvent
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False, tenant_id=tenant.id):
        rows = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq)
    return [row["action"] for row in rows]


async def test_thirty_concurrent_reads_that_record_an_audit_event_all_succeed(
    scratch: Browser, admin_a: Member
) -> None:
    """The mediation case of revealing an ID number: on SQLite this was 29 "database is
    locked" errors out of 30 when the HTTP method decided whether a request may write."""
    from tenants import audit

    responses = await asyncio.gather(*(scratch.get("/t/lishu/scratch/reveal") for _ in range(30)))
    assert [r.status_code for r in responses] == [200] * 30
    assert (await _audit_actions(admin_a.tenant)).count("scratch.reveal") == 30
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        count, problems = await audit.verify_chain(ctx)
    assert problems == []
    assert count == len(await _audit_actions(admin_a.tenant))


@pytest.mark.parametrize("route", ["sneaky", "sneaky-sql"])
async def test_a_read_that_writes_without_declaring_it_fails_at_once_and_writes_nothing(
    scratch: Browser, admin_a: Member, route: str, caplog: pytest.LogCaptureFixture
) -> None:
    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    before = await _audit_actions(admin_a.tenant)
    with caplog.at_level(logging.ERROR, logger="wusong.web"):
        response = await scratch.get(f"/t/lishu/scratch/{route}")
    assert response.status_code == 500
    assert "系统暂时出错" in response.text
    logged = caplog.text
    assert "read-only unit of work" in logged or "readonly" in logged or "read-only" in logged
    assert "database is locked" not in logged
    assert await _audit_actions(admin_a.tenant) == before
    tree = await scratch.get("/t/lishu/areas")
    assert "梨树镇" in tree.text  # the raw UPDATE did not rename it


async def test_after_commit_callbacks_run_in_order_only_after_a_commit(
    scratch: Browser, admin_a: Member
) -> None:
    COMMITTED.clear()
    ok = await scratch.post("/t/lishu/scratch/after-commit")
    assert ok.status_code == 201
    assert COMMITTED == ["first", "second"]
    COMMITTED.clear()
    failed = await scratch.post("/t/lishu/scratch/after-commit?fail=true")
    assert failed.status_code == 422
    assert COMMITTED == []
    assert (await _audit_actions(admin_a.tenant)).count("scratch.reveal") == 1


async def test_units_never_nest_and_write_helpers_refuse_a_read_unit(admin_a: Member) -> None:
    from tenants import audit
    from wusong.core.db import unit_of_work
    from wusong.core.errors import UnitOfWorkError

    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        with pytest.raises(UnitOfWorkError, match="read-only unit of work"):
            await audit.record(ctx, "area.create")
        with pytest.raises(UnitOfWorkError, match="already open"):
            async with unit_of_work(writes=True):
                pass  # pragma: no cover


async def _failing_unit(callback: Any) -> None:
    from wusong.core.db import after_commit, unit_of_work

    async with unit_of_work(writes=True):
        after_commit(callback)
        raise RuntimeError("the work failed")


async def test_callbacks_follow_the_unit_not_the_request(admin_a: Member) -> None:
    from wusong.core.db import after_commit, unit_of_work
    from wusong.core.errors import UnitOfWorkError

    seen: list[str] = []

    async def enqueue() -> None:
        seen.append("enqueued")

    async with unit_of_work(writes=True) as unit:
        after_commit(enqueue)
        unit.set_rollback_only()
    assert seen == []
    with pytest.raises(RuntimeError, match="the work failed"):
        await _failing_unit(enqueue)
    assert seen == []

    def broken() -> None:
        raise ConnectionError("redis is down")

    async with unit_of_work(writes=True):
        after_commit(broken)  # logged; the commit stands and later callbacks still run
        after_commit(enqueue)
    assert seen == ["enqueued"]
    with pytest.raises(UnitOfWorkError, match="no unit of work"):
        after_commit(enqueue)


async def test_a_refused_button_writes_nothing_even_though_it_redirects(
    scratch: Browser, admin_a: Member
) -> None:
    """A use case that wrote, then raised Invalid: the flash and the 303 come back, the unit
    of work rolls back all the same."""
    before = await _audit_actions(admin_a.tenant)
    refused = await scratch.post("/t/lishu/scratch/note", {"text": "x"}, follow_redirects=False)
    assert refused.status_code == 303
    assert "wusong_flash" in refused.headers.get("set-cookie", "")
    assert await _audit_actions(admin_a.tenant) == before
