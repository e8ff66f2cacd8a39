"""Migration helpers for what Piccolo cannot say: the guarantees every tenant table carries.

A migration that creates a tenant table calls ``tenant_table`` after Piccolo has created it:

    manager = MigrationManager(..., wrap_in_transaction=False)   # the helper commits itself
    manager.add_table(...)
    manager.add_raw(lambda: tenant_table("cases", references={"area": "areas"}))

It adds ``UNIQUE (tenant, id)``; for each reference to another tenant table a composite foreign
key ``(tenant, column) → (tenant, id)``, so a row can never point at another tenant's row (on
PostgreSQL foreign-key checks bypass row-level security; this is what stops them); and, on
PostgreSQL, forced row-level security with the tenant policy. SQLite cannot add a constraint to
an existing table, so there the table is rebuilt with it (SQLite's documented 12-step way),
keeping its rows, indexes and triggers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import aiosqlite
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from wusong.core.db import get_engine

TENANT_SETTING = "NULLIF(current_setting('wusong.tenant_id', true), '')::uuid"
# The signed-in user, set by the authentication functions (and db.set_user) for the transaction.
USER_SETTING = "NULLIF(current_setting('wusong.user_id', true), '')::uuid"
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _check_names(*names: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"not a plain table or column name: {name!r}")


async def tenant_table(
    table: str,
    *,
    references: Mapping[str, str] | None = None,
    row_level_security: bool = True,
) -> None:
    """Give ``table`` the tenant guarantees; ``references`` maps a column to its tenant table."""
    references = dict(references or {})
    _check_names(table, *references, *references.values())
    engine = get_engine()
    unique = f'CREATE UNIQUE INDEX IF NOT EXISTS {table}_tenant_id ON "{table}" ("tenant", "id")'
    if isinstance(engine, PostgresEngine):
        statements = [unique]
        for column, parent in references.items():
            statements.append(
                f'ALTER TABLE "{table}" ADD CONSTRAINT {table}_{column}_same_tenant '
                f'FOREIGN KEY ("tenant", "{column}") REFERENCES "{parent}" ("tenant", "id") '
                "ON UPDATE CASCADE ON DELETE CASCADE"
            )
        if row_level_security:
            statements += tenant_policy_statements(table)
        async with engine.transaction():
            for statement in statements:
                await engine.run_ddl(statement)
        return
    if isinstance(engine, SQLiteEngine):
        await _sqlite_add(engine, table, unique, references)
        return
    raise RuntimeError(f"unsupported database engine {engine.engine_type}")  # pragma: no cover


def tenant_policy_statements(table: str) -> list[str]:
    """PostgreSQL: forced row-level security with the tenant policy (idempotent)."""
    _check_names(table)
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
        f'CREATE POLICY tenant_isolation ON "{table}" '
        f'USING ("tenant" = {TENANT_SETTING}) WITH CHECK ("tenant" = {TENANT_SETTING})',
    ]


async def row_level_security(table: str) -> None:
    """Put an existing tenant table behind forced row-level security (PostgreSQL; a no-op on
    SQLite, which has none)."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        async with engine.transaction():
            for statement in tenant_policy_statements(table):
                await engine.run_ddl(statement)


async def _sqlite_add(
    engine: SQLiteEngine, table: str, unique: str, references: Mapping[str, str]
) -> None:
    connection = await engine.get_connection()
    try:
        # Foreign keys must be off while the table is swapped; they are checked before commit.
        await connection.execute("PRAGMA foreign_keys = 0")
        await connection.execute("BEGIN IMMEDIATE")
        try:
            await connection.execute(unique)
            if references:
                await _sqlite_rebuild(connection, table, references)
            async with connection.execute(f'PRAGMA foreign_key_check("{table}")') as cursor:
                broken = list(await cursor.fetchall())
            if broken:
                raise RuntimeError(f"{table}: rows point at another tenant's rows: {broken[:5]}")
            await connection.execute("COMMIT")
        except BaseException:
            await connection.execute("ROLLBACK")
            raise
    finally:
        await connection.close()


async def _sqlite_rebuild(
    conn: aiosqlite.Connection, table: str, references: Mapping[str, str]
) -> None:
    """Swap ``table`` for a copy with the composite foreign keys (foreign keys are off here)."""
    async with conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ) as cursor:
        schema = [dict(row) for row in await cursor.fetchall()]
    create = next(row["sql"] for row in schema if row["type"] == "table")
    others = [row["sql"] for row in schema if row["type"] != "table"]
    head = f'CREATE TABLE "{table}"'
    if not create.startswith(head) or not create.endswith(")"):
        raise RuntimeError(f"unexpected schema for {table}: {create[:80]}")
    constraints = "".join(
        f', CONSTRAINT {table}_{column}_same_tenant FOREIGN KEY ("tenant", "{column}") '
        f'REFERENCES "{parent}" ("tenant", "id") ON UPDATE CASCADE ON DELETE CASCADE'
        for column, parent in references.items()
        if f"{table}_{column}_same_tenant" not in create
    )
    new = f"{table}__rebuild"
    await conn.execute(f'CREATE TABLE "{new}"' + create[len(head) : -1] + constraints + ")")
    await conn.execute(f'INSERT INTO "{new}" SELECT * FROM "{table}"')
    await conn.execute(f'DROP TABLE "{table}"')
    await conn.execute(f'ALTER TABLE "{new}" RENAME TO "{table}"')
    for statement in others:
        await conn.execute(statement)
