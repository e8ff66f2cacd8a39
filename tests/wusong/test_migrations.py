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

from tests.conftest import BACKEND, PG_OWNER, PG_ROLE, WORKER_DIR, _admin, _owner_url

FOUNDATION = "2026-11-25T20:41:00:000000"  # the last migration before the tenant guarantees


@asynccontextmanager
async def empty_database() -> AsyncIterator[None]:
    """The engine pointed at a new, empty database for the duration (then back, and dropped)."""
    from wusong.core.db import get_engine, stop

    engine: Any = get_engine()
    await stop()
    name = f"{PG_ROLE}_migr"
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
        await _forwards("all")  # the tenant guarantees, over existing rows

        rows = await _as_tenant(lishu, "SELECT id, parent, name FROM areas ORDER BY division_code")
        assert [(r["name"], str(r["parent"]) if r["parent"] else None) for r in rows] == [
            ("梨树镇", None),
            ("霍家店村", str(town)),
        ]
        assert len(await _raw("SELECT id FROM memberships")) == 1
        with pytest.raises((sqlite3.IntegrityError, asyncpg.exceptions.ForeignKeyViolationError)):
            await _as_tenant(
                tenants["tiexi"],
                "INSERT INTO areas (id, tenant, parent, kind, name, division_code) "
                "VALUES ({}, {}, {}, 'village', '越界村', '220302101201')",
                uuid4(), tenants["tiexi"], town,
            )  # fmt: skip
        await _forwards("all")  # and again: nothing left to do, nothing breaks
