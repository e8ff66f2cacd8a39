"""Database plumbing: engine construction, transactions, tenant context and row-level security."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

from wusong.settings import Settings

# Errors that mean "the database is not reachable right now" (mapped to 503, never a 500).
try:  # asyncpg is always installed with piccolo[postgres]
    import asyncpg

    DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
        OSError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.TooManyConnectionsError,
        sqlite3.OperationalError,
        TimeoutError,
    )
    INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (
        sqlite3.IntegrityError,
        asyncpg.exceptions.IntegrityConstraintViolationError,
    )
except ImportError:  # pragma: no cover
    DATABASE_UNAVAILABLE = (OSError, sqlite3.OperationalError, TimeoutError)
    INTEGRITY_ERRORS = (sqlite3.IntegrityError,)


def build_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return PostgresEngine(
            config={"dsn": settings.database_url, "timeout": 5, "command_timeout": 30}
        )
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=10)


def get_engine() -> Engine:
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("no Piccolo engine configured")
    return engine


def is_postgres() -> bool:
    return get_engine().engine_type == "postgres"


# SQLite allows one writer: serialise writers in-process and take the write lock up front
# (BEGIN IMMEDIATE), so a read-then-write transaction never fails with "database is locked".
_sqlite_writer: asyncio.Lock | None = None


def _writer_lock() -> asyncio.Lock:
    global _sqlite_writer
    if _sqlite_writer is None:
        _sqlite_writer = asyncio.Lock()
    return _sqlite_writer


class _SafeSQLiteTransaction(SQLiteTransaction):
    """Piccolo's transaction, closing its connection when BEGIN fails (it would leak a thread)."""

    async def begin(self) -> None:
        try:
            await super().begin()
        except BaseException:
            await self.connection.close()
            raise


@asynccontextmanager
async def transaction(*, write: bool, tenant_id: UUID | None = None) -> AsyncIterator[Any]:
    """One transaction; with ``tenant_id`` the PostgreSQL row-level-security context is set in it.

    Nested calls join the outer transaction (Piccolo keeps it in a context variable).
    """
    engine = get_engine()
    if engine.transaction_exists():
        async with engine.transaction() as tx:
            if tenant_id is not None:
                await set_tenant(tx, tenant_id)
            yield tx
        return
    if isinstance(engine, SQLiteEngine):
        if write:
            async with (
                _writer_lock(),
                _SafeSQLiteTransaction(
                    engine=engine, transaction_type=TransactionType.immediate
                ) as tx,
            ):
                yield tx
        else:
            async with engine.transaction(TransactionType.deferred) as tx:
                yield tx
        return
    async with engine.transaction() as tx:
        if tenant_id is not None:
            await set_tenant(tx, tenant_id)
        yield tx


async def set_tenant(tx: Any, tenant_id: UUID) -> None:
    """Set the row-level-security tenant for the rest of this transaction (PostgreSQL only)."""
    if get_engine().engine_type == "postgres":
        await tx.connection.execute(
            "SELECT set_config('wusong.tenant_id', $1, true)", str(tenant_id)
        )


async def start(settings: Settings) -> None:
    """Open the connection pool (PostgreSQL) at application start."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=20)


async def stop() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


async def ping() -> None:
    """Raise if the database does not answer a trivial query."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        async with engine.pool.acquire(timeout=3) as conn:
            await conn.fetchval("SELECT 1")
        return
    await asyncio.wait_for(engine.run_ddl("SELECT 1"), timeout=3)


class Statement:
    """A fixed SQL statement for hot paths, compiled once instead of built per call.

    Written with Piccolo's ``{}`` placeholders. On PostgreSQL it runs straight on the current
    transaction's asyncpg connection (a prepared statement, no per-call query building); on
    SQLite it goes through Piccolo as any raw query does.
    """

    def __init__(self, sql: str) -> None:
        self.sql = sql
        parts = sql.split("{}")
        self.postgres_sql = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], 1))

    async def fetch(self, *args: Any) -> list[dict[str, Any]]:
        engine = get_engine()
        tx = engine.current_transaction.get()
        if isinstance(engine, PostgresEngine) and tx is not None:
            return [dict(row) for row in await tx.connection.fetch(self.postgres_sql, *args)]
        return list(await engine.run_querystring(QueryString(self.sql, *args)))
