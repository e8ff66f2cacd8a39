"""Test configuration: a real database, a real Redis, the real application.

SQLite by default, PostgreSQL with WUSONG_TEST_DATABASE=postgres. Tables are emptied per test.

The environment is set before ``wusong`` is imported, so settings, Piccolo and the app all see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKEND = os.environ.get("WUSONG_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "WUSONG_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_APP_ROLE = "wusong_test"
PG_DATABASE = "wusong_test"
REDIS_URL = os.environ.get("WUSONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

_DATA_DIR = Path(tempfile.mkdtemp(prefix="wusong-test-"))
os.environ["WUSONG_ENV"] = "test"
os.environ["WUSONG_DATA_DIR"] = str(_DATA_DIR)
os.environ["WUSONG_SECRET_KEY"] = "test-secret-key-" + "x" * 40
os.environ["WUSONG_REDIS_URL"] = REDIS_URL
os.environ.pop("WUSONG_TRUSTED_PROXIES", None)
if BACKEND == "postgres":
    os.environ["WUSONG_DATABASE_URL"] = f"postgresql://{PG_APP_ROLE}@127.0.0.1:5432/{PG_DATABASE}"
elif BACKEND == "sqlite":
    os.environ["WUSONG_DATABASE_URL"] = f"sqlite:///{_DATA_DIR / 'test.sqlite3'}"
else:  # pragma: no cover
    raise SystemExit(f"WUSONG_TEST_DATABASE must be sqlite or postgres, not {BACKEND!r}")


async def _prepare_postgres() -> None:
    """A fresh database owned by a role that is neither superuser nor BYPASSRLS."""
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", PG_APP_ROLE)
        if not exists:
            await admin.execute(f"CREATE ROLE {PG_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", PG_DATABASE
        )
        await admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        await admin.execute(f"CREATE DATABASE {PG_DATABASE} OWNER {PG_APP_ROLE}")
    finally:
        await admin.close()


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND == "postgres":
        asyncio.run(_prepare_postgres())

    import wusong  # noqa: F401 - sets PICCOLO_CONF
    from wusong.migrate import migrate_all

    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints its progress
        asyncio.run(migrate_all())


def pytest_report_header(config: pytest.Config) -> str:
    return f"wusong: database={BACKEND} ({os.environ['WUSONG_DATABASE_URL']}), redis={REDIS_URL}"


def all_tables() -> list[str]:
    from piccolo.conf.apps import Finder

    return [table._meta.tablename for table in Finder().get_table_classes()]


@pytest.fixture(autouse=True)
async def clean_database() -> AsyncIterator[None]:
    """Empty every table before each test (TRUNCATE is not subject to row-level security)."""
    from wusong.db import get_engine

    engine = get_engine()
    tables = all_tables()
    if engine.engine_type == "postgres":
        await engine.run_ddl("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    else:
        for table in tables:
            await engine.run_ddl(f'DELETE FROM "{table}"')
    return


@pytest.fixture
def backend() -> str:
    return BACKEND


pytest_plugins = ["tests.factories"]
