"""The schema keeps tenants apart by itself: UNIQUE (tenant, id) on every tenant table, and every
reference between tenant tables is a composite (tenant, x) → (tenant, id) foreign key.

Read from the migrated database of either engine, for every table with a tenant column, so
tables added later are held to it without editing this test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TENANT_B, Member, make_area, make_tenant


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    from piccolo.querystring import QueryString

    from wusong.core.db import get_engine
    from wusong.core.scoped import tenant_table_names  # noqa: F401 - loads every app's tables

    return list(await get_engine().run_querystring(QueryString(sql, *args)))


async def _unique_column_sets(table: str, postgres: bool) -> set[tuple[str, ...]]:
    if postgres:
        rows = await _rows(
            "SELECT array_agg(a.attname ORDER BY a.attname) AS cols FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
            "WHERE c.relname = {} AND i.indisunique GROUP BY i.indexrelid",
            table,
        )
        return {tuple(row["cols"]) for row in rows}
    found = set()
    for index in await _rows(f'PRAGMA index_list("{table}")'):
        if index["unique"]:
            cols = await _rows(f'PRAGMA index_info("{index["name"]}")')
            found.add(tuple(sorted(col["name"] for col in cols)))
    return found


async def _foreign_keys(
    table: str, postgres: bool
) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """(columns, referenced table, referenced columns) of every foreign key of ``table``."""
    if postgres:
        rows = await _rows(
            "SELECT con.conname, ref.relname AS parent, "
            "ARRAY(SELECT attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) "
            "  JOIN pg_attribute ON attrelid = con.conrelid AND attnum = k.n ORDER BY k.o) "
            "  AS cols, "
            "ARRAY(SELECT attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) "
            "  JOIN pg_attribute ON attrelid = con.confrelid AND attnum = k.n ORDER BY k.o) "
            "  AS parent_cols "
            "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
            "JOIN pg_class ref ON ref.oid = con.confrelid "
            "WHERE con.contype = 'f' AND c.relname = {}",
            table,
        )
        return [(tuple(r["cols"]), r["parent"], tuple(r["parent_cols"])) for r in rows]
    keys: dict[int, list[dict[str, Any]]] = {}
    for row in await _rows(f'PRAGMA foreign_key_list("{table}")'):
        keys.setdefault(row["id"], []).append(row)
    return [
        (
            tuple(r["from"] for r in sorted(parts, key=lambda r: r["seq"])),
            parts[0]["table"],
            tuple(r["to"] for r in sorted(parts, key=lambda r: r["seq"])),
        )
        for parts in keys.values()
    ]


async def test_every_tenant_table_has_unique_tenant_and_id_and_composite_references(
    backend: str,
) -> None:
    from wusong.core.scoped import tenant_table_names

    postgres = backend == "postgres"
    tables = tenant_table_names()
    assert {"areas", "memberships", "api_tokens", "audit_events"} <= tables
    problems = []
    for table in sorted(tables):
        if ("id", "tenant") not in await _unique_column_sets(table, postgres):
            problems.append(f"{table}: no UNIQUE (tenant, id)")
        keys = await _foreign_keys(table, postgres)
        for columns, parent, _ in keys:
            if parent not in tables or columns == ("tenant",):
                continue
            (column,) = [c for c in columns if c != "tenant"] or ["?"]
            composite = (("tenant", column), parent, ("tenant", "id"))
            if composite not in keys:
                problems.append(
                    f"{table}.{column} → {parent} is not (tenant, {column}) → (tenant, id)"
                )
    assert not problems, "\n".join(problems)


async def test_a_cross_tenant_reference_cannot_be_stored(admin_a: Member, backend: str) -> None:
    """Past every helper, in raw SQL: the database itself refuses another tenant's parent."""
    import sqlite3

    import asyncpg

    from tenants.tables import Area
    from wusong.core.db import unit_of_work

    town_a = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    tenant_b = await make_tenant(TENANT_B)
    errors = (sqlite3.IntegrityError, asyncpg.exceptions.ForeignKeyViolationError)
    with pytest.raises(errors):
        async with unit_of_work(writes=True, tenant_id=tenant_b.id):
            await Area.raw(
                "INSERT INTO areas (id, tenant, parent, kind, name, division_code) "
                "VALUES ({}, {}, {}, 'village', '越界村', '220302101201')",
                "00000000-0000-4000-8000-00000000000a",
                tenant_b.id,
                town_a.id,
            )
