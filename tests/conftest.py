"""Test configuration: a real database, a real Redis, the real application.

SQLite by default, PostgreSQL with WUSONG_TEST_DATABASE=postgres. The schema is migrated once per
run into a template (a SQLite file, or a PostgreSQL template database); every test starts on a
fresh copy of it (a file copy, or CREATE DATABASE ... TEMPLATE). Each pytest-xdist worker has its
own database, its own private redis-server on a unix socket and its own temporary folder, all
named after a per-run id, so runs sharing a machine never meet. All of it is removed at the end,
and leftovers of runs that were killed are removed at the start of the next.

The environment is set before ``wusong`` is imported, so settings, Piccolo and the app all see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKEND = os.environ.get("WUSONG_TEST_DATABASE", "sqlite")
if BACKEND not in {"sqlite", "postgres"}:  # pragma: no cover
    raise SystemExit(f"WUSONG_TEST_DATABASE must be sqlite or postgres, not {BACKEND!r}")
PG_ADMIN_URL = os.environ.get(
    "WUSONG_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_HOST = PG_ADMIN_URL.split("@", 1)[-1].rsplit("/", 1)[0]  # host:port of the admin URL
TMP = Path(tempfile.gettempdir())

# One id per run, shared by the xdist workers (they inherit the controller's environment).
RUN = os.environ.setdefault("WUSONG_TEST_RUN", f"{os.getpid()}_{secrets.token_hex(3)}")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
RUN_DIR = TMP / f"wusong-test-{RUN}"
WORKER_DIR = RUN_DIR / WORKER
PG_ROLE = f"wusong_t_{RUN}"  # the runtime role the application under test connects as
PG_OWNER = f"{PG_ROLE}_owner"  # owns the databases and tables, runs the migrations
PG_TEMPLATE = f"{PG_ROLE}_tmpl"
PG_DATABASE = f"{PG_ROLE}_{WORKER}"
SQLITE_TEMPLATE = RUN_DIR / "template.sqlite3"
SQLITE_DATABASE = WORKER_DIR / "test.sqlite3"
REDIS_SOCKET = WORKER_DIR / "redis.sock"


def _database_url(name: str) -> str:
    if BACKEND == "postgres":
        return f"postgresql://{PG_ROLE}@{PG_HOST}/{name}"
    return f"sqlite:///{name}"


def _owner_url(name: str) -> str:
    return f"postgresql://{PG_OWNER}@{PG_HOST}/{name}"


def _environment(database_url: str) -> None:
    os.environ["WUSONG_ENV"] = "test"
    os.environ["WUSONG_DATA_DIR"] = str(WORKER_DIR / "data")
    os.environ["WUSONG_SECRET_KEY"] = "test-secret-key-" + "x" * 40
    os.environ["WUSONG_AUDIT_KEY"] = "test-audit-key-" + "y" * 40
    os.environ["WUSONG_REDIS_URL"] = f"unix://{REDIS_SOCKET}?db=0"
    os.environ["WUSONG_DATABASE_URL"] = database_url
    if BACKEND == "postgres":
        os.environ["WUSONG_DATABASE_OWNER_URL"] = _owner_url(database_url.rsplit("/", 1)[1])
    os.environ.pop("WUSONG_TRUSTED_PROXIES", None)


def _is_xdist_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput") and bool(config.getvalue("numprocesses"))


# ---- the run: template, cleanup ------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(name: str) -> bool:
    """A resource of another run whose controller process is gone."""
    match = re.search(r"wusong[-_]t(?:est)?[-_](\d+)_", name)
    return bool(match) and not name.count(RUN) and not _alive(int(match.group(1)))


async def _admin() -> Any:
    import asyncpg

    return await asyncpg.connect(PG_ADMIN_URL)


async def _postgres_run_start() -> None:
    """The run's two roles, owner and runtime (neither superuser nor BYPASSRLS), and an empty
    template database owned by the owner role."""
    admin = await _admin()
    try:
        for (name,) in await admin.fetch("SELECT datname FROM pg_database"):
            if _stale(name):
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for (name,) in await admin.fetch("SELECT rolname FROM pg_roles"):
            if _stale(name):
                await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
        await admin.execute(f'CREATE ROLE "{PG_OWNER}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await admin.execute(f'CREATE ROLE "{PG_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await admin.execute(f'CREATE DATABASE "{PG_TEMPLATE}" OWNER "{PG_OWNER}"')
    finally:
        await admin.close()


async def _postgres_run_end() -> None:
    admin = await _admin()
    try:
        names = await admin.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", f"{PG_ROLE}%"
        )
        for (name,) in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP ROLE IF EXISTS "{PG_ROLE}"')
        await admin.execute(f'DROP ROLE IF EXISTS "{PG_OWNER}"')
    finally:
        await admin.close()


async def _postgres_copy_template(admin: Any = None) -> None:
    """This worker's database: a fresh copy of the migrated template (~50 ms)."""
    connection = admin or await _admin()
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await connection.execute(
            f'CREATE DATABASE "{PG_DATABASE}" TEMPLATE "{PG_TEMPLATE}" OWNER "{PG_OWNER}"'
        )
    finally:
        if admin is None:
            await connection.close()


def _migrate() -> None:
    """Migrate the template as the owner role; the runtime role gets its grants."""
    import wusong  # noqa: F401 - sets PICCOLO_CONF
    from wusong.core.db import as_owner
    from wusong.core.settings import get_settings
    from wusong.migrate import migrate_all

    async def as_the_owner() -> None:
        settings = get_settings()
        async with as_owner(settings):
            await migrate_all(settings)

    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints its progress
        asyncio.run(as_the_owner())


def _sqlite_checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so copying the file alone copies everything."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "tampers_audit: the test breaks an audit chain on purpose (no check after it)"
    )
    WORKER_DIR.mkdir(parents=True, exist_ok=True)
    if hasattr(config, "workerinput"):
        # A worker: the controller built the template; tests copy it into our own database,
        # which exists from the start (Piccolo asks the server its version on first use).
        if BACKEND == "postgres":
            asyncio.run(_postgres_copy_template())
        _environment(_database_url(PG_DATABASE if BACKEND == "postgres" else str(SQLITE_DATABASE)))
        return
    config.option.basetemp = str(RUN_DIR / "pytest")  # removed with the run, unlike pytest's own
    for leftover in TMP.glob("wusong-test-*"):
        if _stale(leftover.name):
            shutil.rmtree(leftover, ignore_errors=True)
    if BACKEND == "postgres":
        asyncio.run(_postgres_run_start())
        _environment(_database_url(PG_TEMPLATE))
    else:
        _environment(_database_url(str(SQLITE_TEMPLATE)))
    _migrate()  # once per run, into the template
    if BACKEND == "sqlite":
        _sqlite_checkpoint(SQLITE_TEMPLATE)
    if not _is_xdist_controller(config):
        # One process runs the tests itself: its own database, like a worker's.
        _environment(_database_url(PG_DATABASE if BACKEND == "postgres" else str(SQLITE_DATABASE)))
        _point_engine_at_own_database()


def _point_engine_at_own_database() -> None:
    """The engine was built for the template (to migrate it); tests use their own copy."""
    from wusong.core.db import get_engine
    from wusong.core.settings import get_settings

    get_settings.cache_clear()
    engine: Any = get_engine()
    if BACKEND == "postgres":
        engine.config["dsn"] = os.environ["WUSONG_DATABASE_URL"]
    else:
        engine.path = str(SQLITE_DATABASE)
        engine.connection_kwargs["database"] = str(SQLITE_DATABASE)


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        shutil.rmtree(WORKER_DIR, ignore_errors=True)
        return
    if BACKEND == "postgres":
        asyncio.run(_postgres_run_end())
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"wusong: database={BACKEND}, run={RUN}, template migrated once, fresh copy per test"


# ---- the worker: Redis, a fresh database per test -------------------------------------------


class PrivateRedis:
    """This worker's redis-server; a test may stop it and start it again (same socket)."""

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from wusong.demo import start_private_redis

        self.child, _ = start_private_redis(WORKER_DIR, REDIS_SOCKET)

    def stop(self) -> None:
        if self.child is not None:
            self.child.terminate()
            self.child.wait(timeout=10)
            self.child = None


@pytest.fixture(scope="session", autouse=True)
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of this worker's own, on a unix socket in its temporary folder."""
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture(scope="session")
async def admin_connection() -> AsyncIterator[Any]:
    """PostgreSQL only: the superuser connection that copies the template per test."""
    if BACKEND != "postgres":
        yield None
        return
    admin = await _admin()
    yield admin
    await admin.close()


@pytest.fixture(autouse=True)
async def fresh_database(admin_connection: Any) -> None:
    """Every test starts on a fresh copy of the migrated template; nothing is migrated per test."""
    from wusong.core import db

    await db.stop()  # a pool left open by a test must not hold the old database
    if BACKEND == "postgres":
        await _postgres_copy_template(admin_connection)
    else:
        _copy_sqlite_template()


@pytest.fixture(autouse=True)
async def audit_chains_verify(request: pytest.FixtureRequest, fresh_database: None) -> Any:
    """After each test, every tenant's audit chain verifies (HMAC and anchors)."""
    yield
    if request.node.get_closest_marker("tampers_audit"):
        return
    from tenants import audit
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False):
        results = await audit.for_each_tenant(None, audit.verify_chain)
        recorded = await audit.for_each_tenant(None, _actions_and_keys)
    broken = [(ctx.tenant_slug, problems[0]) for ctx, (_, problems) in results if problems]
    assert not broken, f"audit chain broken after the test: {broken}"
    # Every action and diff key the test made the product record has a Chinese label, so the
    # log never shows a raw code.
    from wusong.domains import catalog

    labels = catalog()
    actions = {a for _, (found, _) in recorded for a in found}
    keys = {k for _, (_, found) in recorded for k in found}
    assert actions <= set(labels.audit_actions), actions - set(labels.audit_actions)
    assert keys <= set(labels.audit_fields), keys - set(labels.audit_fields)


async def _actions_and_keys(ctx: Any) -> tuple[set[str], set[str]]:
    """The audit actions of a tenant, and every diff key (looking inside before/after)."""
    import json

    from tenants.tables import AuditEvent
    from wusong.core.scoped import scoped

    actions, keys = set(), set()

    def walk(diff: Any) -> None:
        if isinstance(diff, dict):
            for key, value in diff.items():
                keys.add(key)
                if key in {"before", "after"}:
                    walk(value)

    for row in await scoped(ctx, AuditEvent).select(AuditEvent.action, AuditEvent.diff):
        if row["action"].startswith("scratch."):
            continue  # the test-only domain of tests/scratch.py
        actions.add(row["action"])
        diff = row["diff"]
        walk(json.loads(diff) if isinstance(diff, str) else diff)
    return actions, keys


def _copy_sqlite_template() -> None:
    """A file copy (well under a millisecond); the old copy's WAL files go with it."""
    for suffix in ("-wal", "-shm"):
        Path(f"{SQLITE_DATABASE}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(SQLITE_TEMPLATE, SQLITE_DATABASE)


@pytest.fixture
def backend() -> str:
    return BACKEND


async def as_table_owner(sql: str, *args: Any) -> None:
    """Run ``sql`` ($1, $2 placeholders) as the role that owns the tables, e.g. to tamper with
    rows the runtime role may not change. SQLite has no roles: the one file is everyone's."""
    if BACKEND == "postgres":
        import asyncpg

        connection = await asyncpg.connect(os.environ["WUSONG_DATABASE_OWNER_URL"])
        try:
            await connection.execute(sql, *args)
        finally:
            await connection.close()
        return
    import sqlite3

    with contextlib.closing(sqlite3.connect(SQLITE_DATABASE)) as connection:
        connection.execute(re.sub(r"\$\d+", "?", sql), [str(a) for a in args])
        connection.commit()


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``wusong`` as a real process against this worker's database (end-to-end tests only)."""
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "wusong"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


pytest_plugins = ["tests.factories", "tests.scratch"]
