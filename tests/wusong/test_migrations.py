"""Migrations run forwards on an existing database that holds data, on SQLite and PostgreSQL.

A database is migrated to the foundation's last migration, filled the way the foundation filled
it, then migrated to the end: every row is still there and the new guarantees hold.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import pytest

from tests.conftest import BACKEND, PG_DATABASE, PG_OWNER, WORKER_DIR, _admin, _owner_url

FOUNDATION = "2026-11-25T20:41:00:000000"  # the last migration before the tenant guarantees


@asynccontextmanager
async def empty_database() -> AsyncIterator[None]:
    """The engine pointed at a new, empty database for the duration (then back, and dropped)."""
    from wusong.core.db import get_engine, stop

    engine: Any = get_engine()
    await stop()
    name = f"{PG_DATABASE}_migr"  # per xdist worker: two workers may migrate at once
    if BACKEND == "postgres":
        admin = await _admin()
        await admin.execute(f'CREATE DATABASE "{name}" OWNER "{PG_OWNER}"')
        original = engine.config["dsn"]
        engine.config["dsn"] = _owner_url(name)  # migrations run as the owner role
    else:
        original = engine.path
        engine.path = str(WORKER_DIR / "migrations.sqlite3")
    try:
        yield
    finally:
        if BACKEND == "postgres":
            engine.config["dsn"] = original
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        else:
            (WORKER_DIR / "migrations.sqlite3").unlink(missing_ok=True)
            engine.path = original


async def _forwards(migration_id: str = "all") -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from wusong.core.settings import get_settings
    from wusong.migrate import migrate_all

    with contextlib.redirect_stdout(io.StringIO()):
        if migration_id == "all":
            await migrate_all(get_settings())  # and the runtime role's grants
        else:
            result = await run_forwards("tenants", migration_id=migration_id)
            assert result.success, result.message


async def _raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    from piccolo.querystring import QueryString

    from wusong.core.db import get_engine

    return list(await get_engine().run_querystring(QueryString(sql, *args)))


async def _as_tenant(tenant_id: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL inside the tenant's RLS context (the foundation's tables are already under it)."""
    from piccolo.querystring import QueryString

    from wusong.core.db import get_engine, unit_of_work

    async with unit_of_work(writes=True, tenant_id=tenant_id):
        return list(await get_engine().run_querystring(QueryString(sql, *args)))


async def test_tenant_guarantees_migrate_a_database_full_of_data() -> None:
    import sqlite3

    import asyncpg

    async with empty_database():
        await _forwards(FOUNDATION)
        tenants = {}
        for slug, code in (("lishu", "220322000000"), ("tiexi", "220302000000")):
            tenants[slug] = uuid4()
            await _raw(
                "INSERT INTO tenants (id, slug, name, division_code) VALUES ({}, {}, {}, {})",
                tenants[slug], slug, slug, code,
            )  # fmt: skip
        user = uuid4()
        await _raw(
            "INSERT INTO users (id, username, display_name, password_hash) "
            "VALUES ({}, 'old-user', '老用户', 'x')",
            user,
        )
        town, village = uuid4(), uuid4()
        lishu = tenants["lishu"]
        await _as_tenant(
            lishu,
            "INSERT INTO areas (id, tenant, parent, kind, name, division_code) "
            "VALUES ({}, {}, NULL, 'township', '梨树镇', '220322100000'), "
            "({}, {}, {}, 'village', '霍家店村', '220322100201')",
            town, lishu, village, lishu, town,
        )  # fmt: skip
        await _raw(
            "INSERT INTO memberships (id, tenant, \"user\", role) VALUES ({}, {}, {}, 'admin')",
            uuid4(), lishu, user,
        )  # fmt: skip
        await _raw(
            "INSERT INTO api_tokens (id, tenant, \"user\", name, token_hash, prefix) "
            "VALUES ({}, {}, {}, '旧令牌', {}, 'wst_old')",
            uuid4(), lishu, user, "a" * 64,
        )  # fmt: skip
        await _raw(
            "INSERT INTO user_sessions (id, token_hash, \"user\") VALUES ({}, {}, {})",
            uuid4(), "b" * 64, user,
        )  # fmt: skip
        await _forwards("all")  # the tenant guarantees, over existing rows

        rows = await _as_tenant(lishu, "SELECT id, parent, name FROM areas ORDER BY division_code")
        assert [(r["name"], str(r["parent"]) if r["parent"] else None) for r in rows] == [
            ("梨树镇", None),
            ("霍家店村", str(town)),
        ]
        assert len(await _raw("SELECT id FROM memberships")) == 1
        # Tokens and sessions survive the row-level security and expiry migrations.
        tokens = await _as_tenant(lishu, "SELECT name, expires_at FROM api_tokens")
        assert [(r["name"], r["expires_at"]) for r in tokens] == [("旧令牌", None)]
        assert len(await _raw("SELECT id FROM user_sessions")) == 1
        with pytest.raises((sqlite3.IntegrityError, asyncpg.exceptions.ForeignKeyViolationError)):
            await _as_tenant(
                tenants["tiexi"],
                "INSERT INTO areas (id, tenant, parent, kind, name, division_code) "
                "VALUES ({}, {}, {}, 'village', '越界村', '220302101201')",
                uuid4(), tenants["tiexi"], town,
            )  # fmt: skip
        await _forwards("all")  # and again: nothing left to do, nothing breaks


BEFORE_USERNAME_KEY = "2026-11-26T14:00:00:000000"


async def test_username_keys_migrate_existing_users_and_keep_both_sides_of_a_clash() -> None:
    """Every user gets its key; of two users whose names collide after NFKC + casefold the
    oldest keeps the plain key, the later one an untypeable key (it signs in by its exact name),
    and the clash is reported. Nothing fails, nobody is lost."""
    from datetime import UTC, datetime, timedelta

    from tenants import sessions
    from wusong.core.db import unit_of_work

    async with empty_database():
        await _forwards(BEFORE_USERNAME_KEY)
        older, later, plain = uuid4(), uuid4(), uuid4()
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for user_id, name, created in (
            (later, "LISHU-VIEWER", start + timedelta(days=1)),
            (older, "lishu-viewer", start),
            (plain, "Admin-A", start),
        ):
            await _raw(
                "INSERT INTO users (id, username, display_name, password_hash, created_at) "
                "VALUES ({}, {}, {}, 'x', {})",
                user_id, name, name, created,
            )  # fmt: skip
        await _raw(
            "INSERT INTO login_attempts (id, username, client_ip, succeeded) "
            "VALUES ({}, 'admin-a', '10.0.0.1', false)",
            uuid4(),
        )
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            from wusong.migrate import migrate_all

            await migrate_all()
        assert "用户名冲突：'LISHU-VIEWER'" in output.getvalue()

        rows = await _raw("SELECT id, username, username_key FROM users ORDER BY username")
        keys = {r["username"]: r["username_key"] for r in rows}
        assert len(rows) == 3
        assert keys["Admin-A"] == "admin-a"
        assert keys["lishu-viewer"] == "lishu-viewer"
        assert keys["LISHU-VIEWER"].startswith("lishu-viewer~")
        assert len(keys["LISHU-VIEWER"]) <= 40
        attempts = await _raw("SELECT cleared FROM login_attempts")
        assert [bool(r["cleared"]) for r in attempts] == [False]
        async with unit_of_work(writes=False):
            assert str((await sessions.find_user_for_login("Lishu-Viewer"))["id"]) == str(older)
            assert str((await sessions.find_user_for_login("LISHU-VIEWER"))["id"]) == str(later)
        with pytest.raises(Exception, match=r"(?i)unique"):
            await _raw(
                "INSERT INTO users (id, username, username_key, display_name, password_hash) "
                "VALUES ({}, 'ADMIN-a', 'admin-a', 'x', 'x')",
                uuid4(),
            )
        await _forwards("all")  # and again: nothing left to do


AUDIT_BEFORE = "2026-11-26T14:00:00:000000"  # the last migration before the keyed audit chain


async def test_audit_chain_migration_keeps_legacy_rows_for_a_one_time_rekey() -> None:
    """Events chained with plain SHA-256 are marked legacy, become append-only, and re-sign."""
    import sqlite3

    import asyncpg

    from tenants import audit
    from tenants.schemas import TenantRow
    from wusong.core.db import unit_of_work
    from wusong.core.tenancy import system_context

    async with empty_database():
        await _forwards(AUDIT_BEFORE)
        tenant = TenantRow(uuid4(), "lishu", "梨树县", "220322000000")
        await _raw(
            "INSERT INTO tenants (id, slug, name, division_code) VALUES ({}, {}, {}, {})",
            tenant.id, tenant.slug, tenant.name, tenant.division_code,
        )  # fmt: skip
        for seq in (1, 2, 3):
            await _as_tenant(
                tenant.id,
                "INSERT INTO audit_events (id, tenant, seq, at, actor_id, actor_name, action, "
                "object_type, object_id, diff, prev_hash, hash) VALUES "
                "({}, {}, {}, CURRENT_TIMESTAMP, NULL, 'platform', 'area.create', 'area', {}, "
                "{}, '', '')",
                uuid4(), tenant.id, seq, str(seq), '{"name": "梨树镇"}',
            )  # fmt: skip
        rows = await _as_tenant(tenant.id, "SELECT * FROM audit_events ORDER BY seq")
        prev = audit.GENESIS
        for row in rows:  # the foundation's chain: SHA-256(prev ‖ canonical JSON)
            digest = audit.chain_hash(prev, audit._event_body(row))
            await _as_tenant(
                tenant.id,
                "UPDATE audit_events SET prev_hash = {}, hash = {} WHERE id = {}",
                prev, digest, row["id"],
            )  # fmt: skip
            prev = digest
        await _forwards("all")

        rows = await _as_tenant(tenant.id, "SELECT key_id, hash FROM audit_events ORDER BY seq")
        assert [r["key_id"] for r in rows] == [audit.LEGACY_KEY_ID] * 3
        errors = (sqlite3.IntegrityError, asyncpg.exceptions.RestrictViolationError)
        with pytest.raises(errors, match="append-only"):
            await _as_tenant(tenant.id, "UPDATE audit_events SET actor_name = 'x'")
        with pytest.raises(errors, match="append-only"):
            await _as_tenant(tenant.id, "DELETE FROM audit_events")
        async with unit_of_work(writes=False, tenant_id=tenant.id):
            _, problems = await audit.verify_chain(system_context(tenant), [])
        assert "rekey" in problems[0].reason
        async with unit_of_work(writes=True):
            await audit.rekey("lishu")
        async with unit_of_work(writes=False, tenant_id=tenant.id):
            count, problems = await audit.verify_chain(system_context(tenant), [])
        assert (count, problems) == (3, [])
        await _forwards("all")  # and again: nothing left to do


ISSUE_6_HEAD = "2026-11-27T12:00:00:000000"  # the hardening issue's last migration


async def _audit_head_for_todays_code() -> None:
    """Today's code writes the old county below, and its audit writes take the chain through
    wusong_audit_head (a later migration, PostgreSQL): installed early here. The migration
    creates it with CREATE OR REPLACE, so running it later changes nothing."""
    from importlib import import_module

    from wusong.core.db import get_engine

    if BACKEND == "postgres":
        later = import_module("tenants.piccolo_migrations.tenants_2026_11_30t09_00_00_000000")
        await get_engine().run_ddl(later.AUDIT_HEAD)


async def test_programs_migrate_onto_a_database_full_of_the_foundations_data() -> None:
    """A county with areas and members, made before the programs existed: the work-area and
    programs migrations add their tables over it, the county's rows are intact, and the new
    tables take programs, work areas and activities (with their guarantees) at once."""
    from datetime import date

    from programs import services as programs
    from programs.schemas import ActivityCreate, ProgramCreate, Transition
    from tenants import repo, services
    from tenants.schemas import AreaCreate, MemberAreasSet, MemberCreate, TenantCreate
    from wusong.core.db import unit_of_work
    from wusong.core.tenancy import system_context

    async with empty_database():
        await _forwards(ISSUE_6_HEAD)
        await _audit_head_for_todays_code()
        async with unit_of_work(writes=True):
            tenant = await services.create_tenant(
                TenantCreate("lishu", "梨树县", "220322000000", "四平市", "220300000000")
            )
            ctx = system_context(tenant)
            town = await services.create_area(
                ctx, AreaCreate("township", "郭家店镇", "220322101000")
            )
            village = await services.create_area(
                ctx, AreaCreate("village", "郭家店村", "220322101201", town.id)
            )
            member = await services.create_member(
                ctx, MemberCreate("guo-med", "郭调解", "mediator", "correct-horse-battery")
            )
        await _forwards("all")
        async with unit_of_work(writes=True, tenant_id=tenant.id):
            assert [a.name for a in await repo.all_areas(ctx)] == ["郭家店镇", "郭家店村"]
            assert (await repo.get_member(ctx, member)).username == "guo-med"
            await services.set_member_areas(ctx, member, MemberAreasSet(area_ids=[town.id]))
            studio = await programs.create_program(
                ctx,
                ProgramCreate(
                    kind="mediation_studio", name="金玉米调解工作室", area_ids=[town.id],
                    starts_on=date(2024, 1, 1),
                ),
            )  # fmt: skip
            await programs.activate_program(ctx, studio.id, Transition())
            await programs.log_activity(
                ctx,
                studio.id,
                ActivityCreate(
                    kind="consultation", occurred_on=date(2025, 3, 1), people=3,
                    area_id=village.id,
                ),
            )  # fmt: skip
        await _forwards("all")  # and again: nothing left to do


async def test_documents_made_for_the_court_keep_their_full_id_flag() -> None:
    """Documents issued before ``documents.full_ids`` existed take it from their requests, so
    a court copy made earlier is still the court reviewers' alone (PostgreSQL: under forced
    row-level security, which the copy lifts for itself and puts back)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    async with empty_database():
        for app in ("tenants", "programs", "mediation"):
            result = await run_forwards(app)
            assert result.success, result.message
        result = await run_forwards("reports", migration_id="2026-12-01T09:00:01:000000")
        assert result.success, result.message
        tenant = uuid4()
        await _raw(
            "INSERT INTO tenants (id, slug, name, division_code) VALUES ({}, 'lishu', '梨树县', "
            "'220322000000')",
            tenant,
        )
        documents = {}
        for full in (0, 1):
            request, document = uuid4(), uuid4()
            await _as_tenant(
                tenant,
                "INSERT INTO report_requests (id, tenant, kind, status, full_ids) "
                "VALUES ({}, {}, 'case_file', 'ready', {})",
                request, tenant, full,
            )  # fmt: skip
            await _as_tenant(
                tenant,
                "INSERT INTO documents (id, tenant, request, kind, sha256, storage_key, "
                "token_hash, short_code) VALUES ({}, {}, {}, 'case_file', {}, 'k', {}, {})",
                document, tenant, request, "0" * 64, uuid4().hex * 2, uuid4().hex[:10],
            )  # fmt: skip
            documents[full] = document
        await _forwards("all")
        rows = await _as_tenant(tenant, "SELECT id, full_ids FROM documents")
        flags = {str(row["id"]): row["full_ids"] for row in rows}
        assert flags == {str(documents[0]): 0, str(documents[1]): 1}
        if BACKEND == "postgres":  # the row-level security is forced again
            forced = await _raw(
                "SELECT relname, relforcerowsecurity FROM pg_class "
                "WHERE relname IN ('documents', 'report_requests')"
            )
            assert len(forced) == 2
            assert all(row["relforcerowsecurity"] for row in forced)
