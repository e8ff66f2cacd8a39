"""The audit log is tamper-evident: append-only in the database, keyed (HMAC), anchored outside.

Tampering is done the way an attacker with the database would: at the storage level, past the
append-only triggers (SQLite: the triggers dropped on the file; PostgreSQL: a superuser session
with ``session_replication_role = replica``). ``wusong audit verify`` must name the first bad row.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKEND, PG_ADMIN_URL, PG_DATABASE, SQLITE_DATABASE, as_table_owner
from tests.factories import (
    Member,
    in_tenant,
    job_queue,
    make_area,
    make_tenant,
    run_worker_burst,
    wusong,
)

pytestmark = pytest.mark.tampers_audit

TOWNS = [("梨树镇", "220322100000"), ("郭家店镇", "220322101000"), ("榆树台镇", "220322102000")]


async def _areas(member: Member, towns: list[tuple[str, str]] = TOWNS) -> None:
    for name, code in towns:
        await make_area(member.tenant, "township", name, code)


async def _events(tenant: Any) -> list[dict[str, Any]]:
    from tenants.tables import AuditEvent
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False, tenant_id=tenant.id):
        return list(
            await AuditEvent.select()
            .where(AuditEvent.tenant == tenant.id)
            .order_by(AuditEvent.seq)
            .output(load_json=True)
        )


async def tamper(sql: str, *args: Any) -> None:
    """Run ``sql`` ({} placeholders) on the test database at the storage level."""
    if BACKEND == "postgres":
        import asyncpg

        parts = sql.split("{}")
        pg_sql = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("SET session_replication_role = replica")
            await connection.execute(pg_sql, *args)
        finally:
            await connection.close()
        return
    values = [str(a) if not isinstance(a, int | str) else a for a in args]
    with contextlib.closing(sqlite3.connect(SQLITE_DATABASE)) as connection:
        triggers = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_events'"
        ).fetchall()
        assert len(triggers) == 2
        for name, _ in triggers:  # the triggers go, the rows change, the triggers come back
            connection.execute(f'DROP TRIGGER "{name}"')
        connection.execute(sql.replace("{}", "?"), values)
        for _, create in triggers:
            connection.execute(create)
        connection.commit()


async def _rewrite_from(
    events: list[dict[str, Any]],
    k: int,
    link: Callable[[str, dict[str, Any]], str],
    *,
    key_id: str | None = None,
    edit: dict[str, Any] | None = None,
) -> None:
    """Edit row k (optional) and recompute every hash from row k onward with ``link``."""
    from tenants.audit import _event_body

    prev = events[k - 2]["hash"] if k > 1 else "0" * 64
    for event in events[k - 1 :]:
        row = dict(event, **(edit or {})) if event["seq"] == k else dict(event)
        if key_id is not None:
            row["key_id"] = key_id
        digest = link(prev, _event_body(row) | ({"key_id": row["key_id"]}))
        assignments = "hash = {}, prev_hash = {}, key_id = {}, actor_name = {}"
        await tamper(
            f"UPDATE audit_events SET {assignments} WHERE id = {{}}",
            digest, prev, row["key_id"], row["actor_name"], event["id"],
        )  # fmt: skip
        prev = digest


def _sha256(prev: str, body: dict[str, Any]) -> str:
    from tenants.audit import canonical

    return hashlib.sha256((prev + canonical(body)).encode()).hexdigest()


def _hmac_with(secret: str) -> Callable[[str, dict[str, Any]], str]:
    from tenants.audit import canonical

    def link(prev: str, body: dict[str, Any]) -> str:
        message = (prev + canonical(body)).encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()

    return link


async def _verify(slug: str = "lishu") -> Any:
    return await wusong("audit", "verify", "--tenant", slug)


# ---- append-only in the database ---------------------------------------------------------------


async def test_update_delete_and_truncate_by_the_app_are_refused(admin_a: Member) -> None:
    from tenants.tables import AuditEvent, Tenant
    from wusong.core.db import unit_of_work

    await _areas(admin_a)
    before = await _events(admin_a.tenant)
    attempts = [
        lambda: AuditEvent.update({AuditEvent.actor_name: "intruder"}).where(
            AuditEvent.tenant == admin_a.tenant.id
        ),
        lambda: AuditEvent.delete().where(AuditEvent.seq > 2),
        # deleting a county cascades to its audit events: refused as well
        lambda: Tenant.delete().where(Tenant.id == admin_a.tenant.id),
    ]
    if BACKEND == "postgres":
        attempts.append(lambda: AuditEvent.raw("TRUNCATE audit_events CASCADE"))
    # On PostgreSQL the runtime role is refused by its grants before any trigger fires.
    refused = "append-only|permission denied" if BACKEND == "postgres" else "append-only"
    for attempt in attempts:
        with pytest.raises(Exception, match=refused):
            async with unit_of_work(writes=True, tenant_id=admin_a.tenant.id):
                await attempt()
    # The triggers hold for the tables' owner too.
    as_owner = ["UPDATE audit_events SET actor_name = 'intruder'", "DELETE FROM audit_events"]
    if BACKEND == "postgres":
        as_owner.append("TRUNCATE audit_events CASCADE")
    for sql in as_owner:
        with pytest.raises(Exception, match="append-only"):
            await as_table_owner(sql)
    assert await _events(admin_a.tenant) == before
    assert (await _verify()).exit_code == 0


# ---- the keyed chain -------------------------------------------------------------------------


async def test_editing_a_row_and_recomputing_its_sha256_is_reported_at_that_row(
    admin_a: Member,
) -> None:
    await _areas(admin_a)
    events = await _events(admin_a.tenant)
    k = 3
    await _rewrite_from(events[:k], k, _sha256, edit={"actor_name": "intruder"})
    result = await _verify()
    assert result.exit_code == 1
    assert f"第 {k} 条（id {events[k - 1]['id']}）" in result.stderr
    assert "HMAC" in result.stderr


@pytest.mark.parametrize(
    "how",
    ["sha256 as legacy rows", "sha256 keeping the key id", "wrong key", "wrong key, its own id"],
)
async def test_rewriting_every_hash_from_row_k_is_reported_at_row_k(
    admin_a: Member, how: str
) -> None:
    from tenants.audit import LEGACY_KEY_ID, ChainKey

    await _areas(admin_a)
    events = await _events(admin_a.tenant)
    k = 2
    wrong = "not-the-audit-key-" + "z" * 40
    link, key_id = {
        "sha256 as legacy rows": (_sha256, LEGACY_KEY_ID),
        "sha256 keeping the key id": (_sha256, None),
        "wrong key": (_hmac_with(wrong), None),
        "wrong key, its own id": (_hmac_with(wrong), ChainKey.from_secret(wrong).id),
    }[how]
    await _rewrite_from(events, k, link, key_id=key_id, edit={"actor_name": "intruder"})
    result = await _verify()
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith(f"lishu（梨树县）：第 {k} 条（id {events[k - 1]['id']}）")


async def test_a_deleted_middle_row_is_named(admin_a: Member) -> None:
    await _areas(admin_a)
    events = await _events(admin_a.tenant)
    await tamper("DELETE FROM audit_events WHERE id = {}", events[2]["id"])
    result = await _verify()
    assert result.exit_code == 1
    assert "第 3 条缺失（下一条是第 4 条）" in result.stderr


# ---- anchors -----------------------------------------------------------------------------------


async def test_tail_truncation_is_detected_through_the_anchor(admin_a: Member) -> None:
    await _areas(admin_a)
    events = await _events(admin_a.tenant)
    anchored = await wusong("audit", "anchor")
    assert anchored.exit_code == 0, anchored.stderr
    assert f"lishu：锚定第 {len(events)} 条" in anchored.stdout
    await tamper("DELETE FROM audit_events WHERE seq > {}", len(events) - 2)
    result = await _verify()
    assert result.exit_code == 1
    n = len(events)
    assert f"第 {n - 1} 条：第 {n - 1}–{n} 条缺失" in result.stderr
    assert "尾部被删除" in result.stderr


async def test_a_tail_rewritten_whole_is_detected_at_the_anchored_row(admin_a: Member) -> None:
    await _areas(admin_a)
    events = await _events(admin_a.tenant)
    n = len(events)
    assert (await wusong("audit", "anchor", "--tenant", "lishu")).exit_code == 0
    # The last two events go; the application then appends two new, validly signed ones.
    await tamper("DELETE FROM audit_events WHERE seq > {}", n - 2)
    await _areas(admin_a, [("蔡家镇", "220322103000"), ("小城子镇", "220322104000")])
    assert len(await _events(admin_a.tenant)) == n
    result = await _verify()
    assert result.exit_code == 1
    replaced = (await _events(admin_a.tenant))[n - 1]
    assert f"第 {n} 条（id {replaced['id']}）：哈希与锚点不符" in result.stderr


async def test_verify_without_tenant_checks_every_chain_and_anchor_log_is_json_lines(
    admin_a: Member, admin_b: Member
) -> None:
    from tenants.anchors import ANCHOR_FILE
    from wusong.core.settings import get_settings

    path = Path(get_settings().data_dir) / ANCHOR_FILE
    lines_before = path.read_text().count("\n") if path.exists() else 0
    assert (await wusong("audit", "anchor")).exit_code == 0
    lines = path.read_text().splitlines()[lines_before:]
    assert {json.loads(line)["slug"] for line in lines} == {"lishu", "tiexi"}
    assert path.stat().st_mode & 0o077 == 0
    result = await wusong("audit", "verify")
    assert result.exit_code == 0, result.stderr
    assert "lishu（梨树县）：共" in result.stdout
    assert "tiexi（铁西区）：共" in result.stdout
    unknown = await wusong("audit", "verify", "--tenant", "nowhere")
    assert unknown.exit_code == 2
    assert "nowhere" in unknown.stderr


# ---- re-keying -------------------------------------------------------------------------------


async def _make_legacy(tenant: Any) -> list[dict[str, Any]]:
    """The tenant's chain as the foundation wrote it: plain SHA-256, key_id 'sha256'."""
    from tenants.audit import LEGACY_KEY_ID, _event_body, chain_hash

    prev = "0" * 64
    for event in await _events(tenant):
        digest = chain_hash(prev, _event_body(event))
        await tamper(
            "UPDATE audit_events SET hash = {}, prev_hash = {}, key_id = {} WHERE id = {}",
            digest, prev, LEGACY_KEY_ID, event["id"],
        )  # fmt: skip
        prev = digest
    return await _events(tenant)


async def test_rekey_resigns_a_legacy_chain_once_and_refuses_a_broken_one(
    admin_a: Member, admin_b: Member
) -> None:
    from tenants.audit import current_key

    await _areas(admin_a)
    legacy = await _make_legacy(admin_a.tenant)
    refused = await _verify()
    assert refused.exit_code == 1
    assert "第 1 条" in refused.stderr
    assert "wusong audit rekey" in refused.stderr
    # The application keeps appending (keyed) after the legacy prefix.
    await make_area(admin_a.tenant, "township", "蔡家镇", "220322103000")

    # A broken legacy chain is refused, and nothing at all is changed.
    b_events = await _make_legacy(admin_b.tenant)
    await tamper(
        "UPDATE audit_events SET actor_name = {} WHERE id = {}", "intruder", b_events[0]["id"]
    )
    before = await _events(admin_a.tenant)
    broken = await wusong("audit", "rekey")
    assert broken.exit_code == 1
    assert "tiexi" in broken.stderr
    assert "第 1 条" in broken.stderr
    assert await _events(admin_a.tenant) == before

    done = await wusong("audit", "rekey", "--tenant", "lishu")
    assert done.exit_code == 0, done.stderr
    after = await _events(admin_a.tenant)
    assert [e["id"] for e in after] == [e["id"] for e in before]
    assert {e["key_id"] for e in after} == {current_key().id}
    assert after[0]["hash"] != legacy[0]["hash"]
    ok = await _verify()
    assert ok.exit_code == 0, ok.stderr
    # The triggers are back: not even the tables' owner can rewrite a row.
    with pytest.raises(Exception, match="append-only"):
        await as_table_owner("UPDATE audit_events SET actor_name = 'x' WHERE seq = 1")
    again = await wusong("audit", "rekey", "--tenant", "lishu")  # idempotent
    assert again.exit_code == 0
    assert await _events(admin_a.tenant) == after


async def test_rekey_to_a_new_key_with_the_previous_key_file(
    admin_a: Member, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    from wusong.core.settings import get_settings

    await _areas(admin_a)
    old = os.environ["WUSONG_AUDIT_KEY"]
    (tmp_path / "old-key").write_text(old + "\n")
    monkeypatch.setenv("WUSONG_AUDIT_KEY", "the-next-audit-key-" + "n" * 40)
    get_settings.cache_clear()
    try:
        stale = await _verify()
        assert stale.exit_code == 1
        assert "第 1 条" in stale.stderr
        assert "未知的密钥" in stale.stderr
        assert (await wusong("audit", "rekey")).exit_code == 1  # the old key is needed
        done = await wusong("audit", "rekey", "--previous-key-file", str(tmp_path / "old-key"))
        assert done.exit_code == 0, done.stderr
        assert (await _verify()).exit_code == 0
    finally:
        monkeypatch.setenv("WUSONG_AUDIT_KEY", old)
        get_settings.cache_clear()


# ---- the anchor job on a real arq worker ---------------------------------------------------


async def test_burst_worker_anchors_every_tenant(admin_a: Member, admin_b: Member) -> None:
    from tenants.anchors import default_store
    from wusong.worker import WorkerSettings

    third = await make_tenant(("yitong", "伊通满族自治县", "220323000000"))
    async with in_tenant(third) as ctx:
        from tenants import audit

        await audit.record(ctx, "tenant.activate", "tenant", third.id)
    ids = {str(admin_a.tenant.id), str(admin_b.tenant.id), str(third.id)}
    async with job_queue() as redis:
        job = await redis.enqueue_job("anchor_audit_chains", _job_id="anchor-test")
        assert job is not None
        worker = await run_worker_burst()
        assert worker.jobs_complete == 1
        assert worker.jobs_failed == 0
        assert await job.result(timeout=5) == {"tenants": 3}
    anchors = [a for a in default_store().read() if a.tenant in ids]
    assert sorted(a.slug for a in anchors) == ["lishu", "tiexi", "yitong"]
    heads = {a.slug: a.seq for a in anchors}
    assert heads["yitong"] == 2
    assert {c.name for c in WorkerSettings.cron_jobs} >= {"cron:anchor_audit_chains"}


# ---- the key in settings ---------------------------------------------------------------------


def test_production_requires_an_audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from wusong.core.settings import SettingsError, load_settings

    monkeypatch.setenv("WUSONG_ENV", "production")
    monkeypatch.delenv("WUSONG_AUDIT_KEY")
    with pytest.raises(SettingsError, match="必须设置 WUSONG_AUDIT_KEY"):
        load_settings()
    monkeypatch.setenv("WUSONG_AUDIT_KEY", "short")
    with pytest.raises(SettingsError, match="WUSONG_AUDIT_KEY 至少需要 32"):
        load_settings()


def test_development_generates_and_keeps_an_audit_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from wusong.core.settings import load_settings

    monkeypatch.setenv("WUSONG_ENV", "development")
    monkeypatch.setenv("WUSONG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("WUSONG_AUDIT_KEY")
    first = load_settings().audit_key
    assert len(first) >= 32
    assert first != load_settings().secret_key
    assert load_settings().audit_key == first
    assert (tmp_path / "audit_key").stat().st_mode & 0o077 == 0
