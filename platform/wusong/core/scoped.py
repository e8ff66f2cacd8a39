"""Tenant-scoped queries: the only way repository code touches a tenant table.

A tenant table is a Piccolo table with a ``tenant`` column. Repository code cannot express a
query on one without a TenantContext:

    scoped(ctx, Area).select(Area.id, Area.name).where(Area.active == True)
    scoped(ctx, Area).update({Area.name: "新名"}).where(Area.id == area_id)
    await insert(ctx, Area, kind="township", name="梨树镇", ...)   # stamps the tenant
    await insert_together(ctx, [(MediationCase, [case]), (CaseParty, parties)])
    await require_owned(ctx, Area, body.parent_id, field="parent_id", label="所属乡镇/街道")
    TenantStatement("SELECT ... FROM areas WHERE tenant = {tenant} AND kind = {}")

``tests/wusong/test_scoping_lint.py`` fails when platform code queries a tenant table any other
way (a short allow-list names the authentication statements and platform-wide operations).
PostgreSQL row-level security is the second wall, not the first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, Generic, TypeVar
from uuid import UUID

import msgspec
from piccolo.columns import JSON, JSONB, Column
from piccolo.columns.defaults.base import Default
from piccolo.query import Count, Delete, Exists, Select, Update
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from wusong.core.db import Statement, as_uuid, current_unit, is_postgres
from wusong.core.errors import Invalid, NotFound, UnitOfWorkError, UnscopedQuery
from wusong.core.tenancy import TenantContext

T = TypeVar("T", bound=Table)


@cache
def is_tenant_table(table: type[Table]) -> bool:
    return any(column._meta.name == "tenant" for column in table._meta.columns)


def _require_bound(ctx: TenantContext) -> None:
    """The unit of work (and so row-level security) must be bound to the context's tenant."""
    bound = current_unit().tenant_id
    if bound != ctx.tenant_id:
        raise UnitOfWorkError(
            f"the unit of work is bound to tenant {bound}, the context to {ctx.tenant_id}"
        )


def _check(ctx: TenantContext, table: type[Table]) -> Column:
    if not is_tenant_table(table):
        raise UnscopedQuery(f"{table.__name__} has no tenant column: query it directly")
    _require_bound(ctx)
    return table._meta.get_column_by_name("tenant")


class Scoped(Generic[T]):
    """Queries on one tenant table, each already filtered on the context's tenant."""

    def __init__(self, ctx: TenantContext, table: type[T]) -> None:
        self.table = table
        self._tenant = _check(ctx, table) == ctx.tenant_id

    def select(self, *columns: Any) -> Select:
        return self.table.select(*columns).where(self._tenant)

    def count(self) -> Count:
        return self.table.count().where(self._tenant)

    def exists(self) -> Exists:
        return self.table.exists().where(self._tenant)

    def update(self, values: dict[Any, Any]) -> Update:
        current_unit().require_writes()
        return self.table.update(values).where(self._tenant)

    def delete(self) -> Delete:
        current_unit().require_writes()
        return self.table.delete().where(self._tenant)


def scoped(ctx: TenantContext, table: type[T]) -> Scoped[T]:
    return Scoped(ctx, table)


async def insert(ctx: TenantContext, table: type[T], **values: Any) -> UUID:
    """Insert one row of a tenant table, stamped with the context's tenant; return its id."""
    rows = await _insert_rows(ctx, table, [values], "insert()")
    return as_uuid(rows[0])


async def insert_together(
    ctx: TenantContext, batches: Sequence[tuple[type[Table], list[dict[str, Any]]]]
) -> None:
    """Rows of several tenant tables (a case, its parties, its audit event) inserted together.

    On PostgreSQL one statement (data-modifying WITH clauses, compiled once per shape): one
    round trip where there were as many as tables, which matters inside a locked stretch. On
    SQLite one insert per table, in order. Keys must come from the columns' defaults or values
    (a key the database makes cannot be handed from one table to the next)."""
    for table, _rows in batches:
        _check(ctx, table)
    current_unit().require_writes()
    batches = [(table, rows) for table, rows in batches if rows]
    if not is_postgres():
        for table, rows in batches:
            await _insert_rows(ctx, table, rows, "insert_together()")
        return
    args: list[Any] = []
    for table, rows in batches:
        table_args, ids = _row_values(table, rows, "insert_together()")
        if any(value is None for value in ids):
            raise ValueError(f"insert_together(): {table.__name__} needs keys before inserting")
        args += table_args
    shape = tuple((table, len(rows)) for table, rows in batches)
    await _together_statement(shape).fetch(ctx, *args)


async def _insert_rows(
    ctx: TenantContext, table: type[Table], rows: list[dict[str, Any]], caller: str
) -> list[Any]:
    """The rows as Piccolo's insert would write them (every column: the value given, else the
    column's default), through a statement compiled once per table and row count; their ids."""
    _check(ctx, table)
    current_unit().require_writes()
    args, ids = _row_values(table, rows, caller)
    if any(value is None for value in ids):  # a key the database makes: ask for it back
        returned = await _insert_statement(table, len(rows), True).fetch(ctx, *args)
        return [r[table._meta.primary_key._meta.db_column_name] for r in returned]
    await _insert_statement(table, len(rows), False).fetch(ctx, *args)
    return ids


def _row_values(
    table: type[Table], rows: list[dict[str, Any]], caller: str
) -> tuple[list[Any], list[Any]]:
    """The statement's arguments for ``rows`` (tenant excluded: the statement stamps it), and
    each row's key; the checks, defaults and conversions of Piccolo's own insert."""
    columns, names = _insert_columns(table)
    args: list[Any] = []
    ids: list[Any] = []
    for row in rows:
        if not row.keys() <= names:
            if "tenant" in row:
                raise UnscopedQuery(f"{caller} stamps the tenant itself; do not pass one")
            raise ValueError(f"Unrecognized columns - {sorted(row.keys() - names)}")
        for name, column, plain, null, key in columns:
            if name in row:
                value = row[name]
            else:
                value = column.get_default_value()
                if isinstance(value, Default):
                    value = value.python()
                if value is None and not null:
                    raise ValueError(f"{name} wasn't provided")
            if not (plain and type(value) in _PLAIN):
                value = convert_to_sql_value(value=value, column=column)
            args.append(value)
            if key:
                ids.append(value)
    return args, ids


# Values Piccolo's conversion passes through unchanged (except into a JSON column).
_PLAIN = frozenset({str, int, float, bool, UUID, date, datetime, Decimal, type(None)})


@cache
def _insert_columns(
    table: type[Table],
) -> tuple[tuple[tuple[str, Column, bool, bool, bool], ...], frozenset[str]]:
    """The columns an insert writes (all but the tenant, which the statement stamps): name,
    column, whether plain values pass unconverted, nullable, primary key; and their names."""
    columns = tuple(
        (
            c._meta.name,
            c,
            not isinstance(c, JSON | JSONB),
            bool(c._meta.null),
            bool(c._meta.primary_key),
        )
        for c in table._meta.columns
        if c._meta.name != "tenant"
    )
    return columns, frozenset(name for name, *_ in columns)


def _insert_sql(table: type[Table], count: int) -> str:
    columns = table._meta.columns
    names = ", ".join(f'"{c._meta.db_column_name}"' for c in columns)
    one = "(" + ", ".join("{tenant}" if c._meta.name == "tenant" else "{}" for c in columns) + ")"
    return f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES {", ".join([one] * count)}'


@lru_cache(maxsize=256)
def _insert_statement(table: type[Table], count: int, returning: bool) -> TenantStatement:
    sql = _insert_sql(table, count)
    if returning:
        sql += f' RETURNING "{table._meta.primary_key._meta.db_column_name}"'
    return TenantStatement(sql)


@lru_cache(maxsize=64)
def _together_statement(shape: tuple[tuple[type[Table], int], ...]) -> TenantStatement:
    *first, (last, last_count) = shape
    clauses = [f"w{i} AS ({_insert_sql(t, n)})" for i, (t, n) in enumerate(first)]
    head = f"WITH {', '.join(clauses)} " if clauses else ""
    return TenantStatement(head + _insert_sql(last, last_count))


async def require_owned(
    ctx: TenantContext,
    table: type[Table],
    value: Any,
    *,
    field: str | None = None,
    label: str = "所选记录",
) -> UUID:
    """The id of a row of this tenant, from a request body.

    Anything else (malformed, unknown, another tenant's) is one answer: a 422 naming ``field``
    when the id came from a form or JSON field, a 404 otherwise. The two never differ for
    another tenant's id and an id that does not exist, so nothing about other tenants leaks.
    """
    try:
        row_id = value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        row_id = None
    if row_id is not None and await scoped(ctx, table).exists().where(
        table._meta.primary_key == row_id
    ):
        return row_id
    if field is None:
        raise NotFound
    raise Invalid({field: f"{label}无效或不属于本区县"})


# ---- hot-path SQL ----------------------------------------------------------------------------

_REFERENCE = re.compile(
    r'\b(?:FROM|JOIN)\s+"?([a-z_]+)"?(?:\s+(?:AS\s+)?(?!WHERE\b|ON\b|JOIN\b|LEFT\b|INNER\b|'
    r"ORDER\b|GROUP\b|LIMIT\b|AND\b)([a-z_]+))?",
    re.IGNORECASE,
)


@cache
def tenant_table_names() -> frozenset[str]:
    """Every table of every app with a ``tenant`` column."""
    from piccolo.conf.apps import Finder

    return frozenset(t._meta.tablename for t in Finder().get_table_classes() if is_tenant_table(t))


def unscoped_references(sql: str) -> list[str]:
    """Tenant tables this SQL reads without a ``tenant = {tenant}`` predicate of their own."""
    missing = []
    predicates = sql.count("{tenant}")
    references = 0
    for match in _REFERENCE.finditer(sql):
        table, alias = match.group(1), match.group(2)
        if table not in tenant_table_names():
            continue
        references += 1
        name = re.escape(alias or table)
        own = rf'\b{name}\."?tenant"?\s*=\s*\{{tenant\}}'
        if alias is None:  # an unaliased table may also say just "tenant = {tenant}"
            own += r'|(?<![\w."])"?tenant"?\s*=\s*\{tenant\}'
        if not re.search(own, sql):
            missing.append(alias or table)
    if references > predicates and not missing:
        missing.append(f"{references} tenant table references, {predicates} {{tenant}} predicates")
    return missing


class TenantStatement:
    """A fixed SQL statement over tenant tables; ``{tenant}`` marks each tenant predicate.

    Every tenant table the SQL reads needs its own ``tenant = {tenant}``; the first call checks
    this and raises UnscopedQuery naming the table otherwise. ``{}`` are the other arguments.
    """

    def __init__(self, sql: str) -> None:
        self.template = sql
        slots = re.findall(r"\{tenant\}|\{\}", sql)
        self._tenant_slots = tuple(slot == "{tenant}" for slot in slots)
        self._statement = Statement(sql.replace("{tenant}", "{}"))
        self._checked = False

    def check(self) -> None:
        missing = unscoped_references(self.template)
        if missing:
            raise UnscopedQuery(f"tenant tables without their tenant predicate: {missing}")
        self._checked = True

    async def fetch(self, ctx: TenantContext, *args: Any) -> list[dict[str, Any]]:
        if not self._checked:
            self.check()
        _require_bound(ctx)
        if len(args) != self._tenant_slots.count(False):
            raise TypeError(
                f"expected {self._tenant_slots.count(False)} arguments, got {len(args)}"
            )
        values = iter(args)
        full = [ctx.tenant_id if is_tenant else next(values) for is_tenant in self._tenant_slots]
        return await self._statement.fetch(*full)


# ---- references in paths and bodies ------------------------------------------------------------


def ref(table: type[Table], variant: str | None = None) -> msgspec.Meta:
    """Mark a UUID as the id of a row of ``table``: ``AreaId = Annotated[UUID, ref(Area)]``.

    Path parameters and body fields typed this way tell the isolation walker which of another
    tenant's rows to try in them; services still check them with require_owned(). ``variant``
    narrows the rows a route accepts (``ref(Program, "red_property")``: only programs of that
    type), so the walker tries a row of the right kind (its target ``programs:red_property``).
    """
    name = table._meta.tablename
    return msgspec.Meta(extra={"references": f"{name}:{variant}" if variant else name})


def referenced_table(annotation: Any) -> str | None:
    """The table a ``ref()``-annotated type points at (looking through Optional and Annotated)."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.extra and "references" in meta.extra:
            return str(meta.extra["references"])
    for arg in getattr(annotation, "__args__", ()):
        found = referenced_table(arg)
        if found:
            return found
    return None
