"""Database plumbing: the engine, the unit of work, row-level security and error classes.

The unit of work is explicit. Its owner (the tenant middleware, a CLI command or a job) opens
exactly one, declaring whether it writes; services run inside it and never open their own:

    async with unit_of_work(writes=True, tenant_id=tenant.id) as uow:
        await services.create_area(ctx, data)
        uow.after_commit(lambda: enqueue(...))  # runs once the commit has succeeded

A read unit of work is read-only in the database itself (``BEGIN READ ONLY`` on PostgreSQL,
``PRAGMA query_only`` on SQLite), so a write inside it fails at once with a clear error instead
of "database is locked" under load. A write unit of work on SQLite takes the write lock up
front (``BEGIN IMMEDIATE``) behind one in-process lock, so writers queue instead of failing.

While serving requests (``start(settings, bounded=True)``) every wait is bounded: a pooled
connection (or the SQLite writer lock) within ``database_acquire_timeout``, one statement (or
SQLite's busy wait) within ``database_statement_timeout``; running out is a TimeoutError, which
answers 503. A unit whose connection failed or timed out does not try to roll back on it: the
connection is closed, so the pool hands out a fresh one to the next request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType
from piccolo.querystring import QueryString

from wusong.core.errors import UnitOfWorkError
from wusong.core.settings import Settings

log = logging.getLogger("wusong.db")
T = TypeVar("T")

# ---- what a database error means --------------------------------------------------------------

# The database cannot be reached right now: 503, logged with its traceback.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    # A pooled connection the server has closed under it (pg_terminate_backend, a restart).
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.TooManyConnectionsError,
    # The role is refused (a REVOKE, a missing grant): the set-up is broken, not the request.
    asyncpg.exceptions.InsufficientPrivilegeError,
    # A statement cancelled by the server's statement_timeout or an operator.
    asyncpg.exceptions.QueryCanceledError,
)
# SQLite reports an unreachable file and a SQL typo with the same class; the message tells.
_SQLITE_UNAVAILABLE = ("unable to open database", "disk i/o error", "database is locked")


def is_unavailable(exc: BaseException) -> bool:
    """A connection failure (the database is down or unreachable), not a bug."""
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_UNAVAILABLE)
    return isinstance(exc, _UNAVAILABLE)


def is_unique_violation(exc: BaseException) -> bool:
    """Two requests raced past the same uniqueness check; the loser gets a 409."""
    if isinstance(exc, sqlite3.IntegrityError):
        return str(exc).startswith("UNIQUE constraint failed")
    return isinstance(exc, asyncpg.exceptions.UniqueViolationError)


# ---- engine ---------------------------------------------------------------------------------


# Unbounded waits (commands, migrations, jobs): a connect timeout and a generous statement one.
CONNECT_TIMEOUT = 5
COMMAND_TIMEOUT = 30
SQLITE_BUSY_TIMEOUT = 10


@dataclass(frozen=True)
class Limits:
    """How long a unit of work may wait for a connection; None: as long as it takes."""

    acquire: float | None = None


_limits = Limits()


def build_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return PostgresEngine(
            config={
                "dsn": settings.database_url,
                "timeout": CONNECT_TIMEOUT,
                "command_timeout": COMMAND_TIMEOUT,
            }
        )
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT)


@cache
def get_engine() -> Engine:
    """The one engine of piccolo_conf (found once: Piccolo's finder imports and inspects the
    module on each call, ~0.4 ms, a dozen times per page). Its settings are changed in place
    (``as_owner``, the tests), never by replacing it."""
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("no Piccolo engine configured")
    return engine


def is_postgres() -> bool:
    return get_engine().engine_type == "postgres"


async def start(settings: Settings, *, bounded: bool = False) -> None:
    """Open the connection pool (PostgreSQL) at start-up.

    ``bounded`` (the web application): every wait ends after the configured timeouts.
    """
    global _limits
    engine = get_engine()
    statement = settings.database_statement_timeout if bounded else None
    _limits = Limits(acquire=settings.database_acquire_timeout if bounded else None)
    if isinstance(engine, SQLiteEngine):
        engine.connection_kwargs["timeout"] = statement or SQLITE_BUSY_TIMEOUT
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=2,
            max_size=20,
            timeout=min(CONNECT_TIMEOUT, _limits.acquire or CONNECT_TIMEOUT),
            command_timeout=statement or COMMAND_TIMEOUT,
            reset=_release,
        )


async def _release(connection: Any) -> None:
    """What a pooled connection needs before its next unit of work: nothing, unless a
    transaction is still open. A unit of work ends its transaction, and what it sets lasts only
    as long (``set_config(..., true)``, transaction-level advisory locks): so the release skips
    asyncpg's reset statement (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL), a round trip
    per request."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


@asynccontextmanager
async def as_owner(settings: Settings) -> AsyncIterator[None]:
    """Connect as the owner role for the duration (``wusong migrate``, cross-tenant operator
    commands); the runtime role of ``WUSONG_DATABASE_URL`` is used again afterwards.

    Open no pool before: the owner's connections start and end inside this block.
    """
    engine = get_engine()
    if not isinstance(engine, PostgresEngine):
        yield
        return
    owner_url = settings.owner_url
    await stop()
    runtime_dsn = engine.config["dsn"]
    engine.config["dsn"] = owner_url
    try:
        yield
    finally:
        await stop()
        engine.config["dsn"] = runtime_dsn


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


# ---- the unit of work -----------------------------------------------------------------------

Callback = Callable[[], Awaitable[None] | None]


@dataclass
class UnitOfWork:
    """The one transaction of a request, a CLI command or a job."""

    writes: bool
    tenant_id: UUID | None = None
    user_id: UUID | None = None
    transaction: Any = None
    rollback_only: bool = False
    _callbacks: list[Callback] = field(default_factory=list)

    def after_commit(self, callback: Callback) -> None:
        """Run ``callback`` once this unit has committed; never after a rollback."""
        self._callbacks.append(callback)

    def set_rollback_only(self) -> None:
        """End in a rollback whatever happens next (a request that failed writes nothing)."""
        self.rollback_only = True

    def bound(self, tenant_id: UUID, *, user_id: UUID | None = None) -> None:
        """Record the tenant (and user) whose row-level-security context a statement has set."""
        self.tenant_id = tenant_id
        if user_id is not None:
            self.user_id = user_id

    def require_writes(self) -> None:
        if not self.writes:
            raise UnitOfWorkError(
                "write in a read-only unit of work: declare it (access(..., writes=True) on the "
                "route, unit_of_work(writes=True) in a command or job)"
            )


_current: ContextVar[UnitOfWork | None] = ContextVar("wusong_unit_of_work", default=None)


def current_unit() -> UnitOfWork:
    """The open unit of work; a query helper called outside one is a bug."""
    unit = _current.get()
    if unit is None:
        raise UnitOfWorkError("no unit of work is open: the caller (route, command, job) opens it")
    return unit


def after_commit(callback: Callback) -> None:
    """Run ``callback`` after the current unit of work commits (e.g. enqueue an arq job)."""
    current_unit().after_commit(callback)


# SQLite allows one writer: serialise writers in-process and take the write lock up front.
_sqlite_writer: asyncio.Lock | None = None


def _writer_lock() -> asyncio.Lock:
    global _sqlite_writer
    if _sqlite_writer is None:
        _sqlite_writer = asyncio.Lock()
    return _sqlite_writer


def _is_broken(exc: BaseException | None) -> bool:
    """The connection failed, timed out or was interrupted mid-statement: its state is unknown,
    so it is closed rather than rolled back (a rollback would wait on it again)."""
    return exc is not None and (
        isinstance(exc, asyncio.CancelledError | TimeoutError) or is_unavailable(exc)
    )


class _EndsCleanly:
    """The end of a unit: commit or roll back, and whatever fails there, give the connection
    back (closed when broken) and forget the transaction, so the next unit starts clean."""

    if TYPE_CHECKING:  # provided by Piccolo's transaction classes and the subclasses
        engine: Any
        context: Any
        _committed: bool
        _rolled_back: bool

        async def commit(self) -> None: ...
        async def rollback(self) -> None: ...
        async def _discard(self, broken: bool) -> None: ...

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        broken = _is_broken(exc)
        try:
            if exc is None:
                if not self._committed and not self._rolled_back:
                    try:
                        await self.commit()
                    except BaseException as error:
                        broken = _is_broken(error)
                        raise
            elif not self._rolled_back and not broken:
                try:
                    await self.rollback()
                except Exception as error:  # the original error is the one to report
                    broken = True
                    log.warning("rollback failed: %s", error)
        finally:
            try:
                await self._discard(broken)
            finally:
                self.engine.current_transaction.reset(self.context)
        return exc is None


class _SQLiteUnit(_EndsCleanly, SQLiteTransaction):
    """Piccolo's transaction: read-only when it does not write, and no leaked connection when
    BEGIN fails (aiosqlite would keep its thread)."""

    def __init__(self, engine: SQLiteEngine, *, writes: bool) -> None:
        kind = TransactionType.immediate if writes else TransactionType.deferred
        super().__init__(engine=engine, transaction_type=kind, allow_nested=False)
        self.writes = writes

    async def begin(self) -> None:
        try:
            if not self.writes:
                await self.connection.execute("PRAGMA query_only = 1")
            await super().begin()
        except BaseException:
            await self.connection.close()
            raise

    async def _discard(self, broken: bool) -> None:
        await self.connection.close()


class _PostgresUnit(_EndsCleanly, PostgresTransaction):
    """Piccolo's transaction, as ``BEGIN READ ONLY`` when it does not write (same round trip)."""

    writes = True

    async def get_connection(self) -> Any:
        if self.engine.pool:
            return await self.engine.pool.acquire(timeout=_limits.acquire)
        return await asyncio.wait_for(self.engine.get_new_connection(), _limits.acquire)

    async def begin(self) -> None:
        for attempt in (1, 2):
            self.transaction = self.connection.transaction(readonly=not self.writes)
            try:
                await self.transaction.start()
                return
            except BaseException as error:
                broken = _is_broken(error)
                await self._discard(broken)
                # A pooled connection the server closed while it was idle: nothing has been
                # done yet, so BEGIN once more on a fresh one.
                retry = broken and attempt == 1 and self.engine.pool is not None
                if not retry or isinstance(error, asyncio.CancelledError | TimeoutError):
                    raise
                self.connection = await self.get_connection()

    async def _discard(self, broken: bool) -> None:
        if broken:
            self.connection.terminate()
        if self.engine.pool:
            await self.engine.pool.release(self.connection, timeout=_limits.acquire)
        elif not broken:
            await self.connection.close()


@asynccontextmanager
async def _begin(engine: Engine, writes: bool) -> AsyncIterator[Any]:
    if isinstance(engine, SQLiteEngine):
        if writes:
            lock = _writer_lock()
            await asyncio.wait_for(lock.acquire(), _limits.acquire)
            try:
                async with _SQLiteUnit(engine, writes=True) as tx:
                    yield tx
            finally:
                lock.release()
        else:
            async with _SQLiteUnit(engine, writes=False) as tx:
                yield tx
        return
    if isinstance(engine, PostgresEngine):
        unit = _PostgresUnit(engine, allow_nested=False)
        unit.writes = writes
        async with unit as tx:
            yield tx
        return
    raise UnitOfWorkError(f"unsupported engine {engine.engine_type}")  # pragma: no cover


@asynccontextmanager
async def unit_of_work(*, writes: bool, tenant_id: UUID | None = None) -> AsyncIterator[UnitOfWork]:
    """Open the one transaction of a request, command or job. Units never nest."""
    engine = get_engine()
    if _current.get() is not None or engine.transaction_exists():
        raise UnitOfWorkError(
            "a unit of work is already open: services never open transactions, their caller does"
        )
    unit = UnitOfWork(writes=writes)
    token = _current.set(unit)
    try:
        async with _begin(engine, writes) as tx:
            unit.transaction = tx
            if tenant_id is not None:
                await set_tenant(tenant_id)
            yield unit
            if unit.rollback_only:
                await tx.rollback()
    finally:
        _current.reset(token)
    if unit.rollback_only:
        return
    for callback in unit._callbacks:
        try:
            outcome = callback()
            if outcome is not None:
                await outcome
        except Exception:
            # The commit stands; a failed follow-up (e.g. Redis down) is retried by its sweep.
            log.exception("after-commit callback %r failed", callback)


async def set_tenant(tenant_id: UUID) -> None:
    """Bind the current unit of work to a tenant: PostgreSQL row-level security sees only it."""
    unit = current_unit()
    if is_postgres():
        await unit.transaction.connection.execute(
            "SELECT set_config('wusong.tenant_id', $1, true)", str(tenant_id)
        )
    unit.bound(tenant_id)


async def set_user(user_id: UUID) -> None:
    """Bind the current unit of work to a signed-in user: PostgreSQL row-level security then
    shows that user's own sessions and memberships (the county switcher, before any tenant)."""
    unit = current_unit()
    if unit.user_id == user_id:
        return
    if is_postgres():
        await unit.transaction.connection.execute(
            "SELECT set_config('wusong.user_id', $1, true)", str(user_id)
        )
    unit.user_id = user_id


def as_rows(struct: type[T], rows: list[dict[str, Any]]) -> list[T]:
    """Database rows as typed structs (SQLite's text timestamps, UUIDs and 0/1 included)."""
    return [msgspec.convert(row, struct, strict=False) for row in rows]


def as_row(struct: type[T], row: dict[str, Any]) -> T:
    return msgspec.convert(row, struct, strict=False)


def as_uuid(value: Any) -> UUID:
    """A UUID column's value (SQLite returns text, PostgreSQL a UUID)."""
    return value if isinstance(value, UUID) else UUID(str(value))


def json_loaded(row: dict[str, Any], *names: str) -> dict[str, Any]:
    """The row with its JSON columns ``names`` decoded (they come back as text on SQLite)."""
    for name in names:
        if isinstance(row.get(name), str):
            row[name] = json.loads(row[name])
    return row


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
