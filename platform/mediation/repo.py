"""Queries of the case core: cases, parties, categories, settings and the number counter.
The only module that queries these tables (the sub-packages have their own repos)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from mediation.schemas import CaseFilter, CaseListRow, CaseRow, PartyRow
from mediation.status import AGREED
from mediation.tables import (
    CaseCategory,
    CaseParty,
    Confirmation,
    MediationCase,
    MediationSettings,
)
from wusong.core.db import as_row, as_rows, is_postgres, json_loaded
from wusong.core.errors import NotFound, PreconditionFailed
from wusong.core.scoped import TenantStatement, insert, insert_many, scoped
from wusong.core.tenancy import TenantContext

C = MediationCase
_CASE_COLUMNS = (
    C.id, C.case_no, C.case_year, C.case_seq, C.category, C.source,
    C.area.as_alias("area_id"), C.program.as_alias("program_id"),
    C.mediator.as_alias("mediator_id"), C.title, C.facts, C.claims, C.party_names, C.status,
    C.accepted_on, C.due_on, C.closed_on, C.outcome_reason, C.outcome_note, C.amount_agreed,
    C.referring_court, C.court_ref_no, C.referral_date, C.procedure, C.extended_on,
    C.extension_note, C.undisputed_facts, C.returned_on, C.created_by, C.created_by_name,
    C.created_at, C.updated_at, C.version,
)  # fmt: skip
_LIST_COLUMNS = (
    C.id, C.case_no, C.title, C.category, C.source, C.status, C.area.as_alias("area_id"),
    C.accepted_on, C.due_on, C.closed_on, C.party_names, C.mediator.as_alias("mediator_id"),
)  # fmt: skip
P = CaseParty
_PARTY_COLUMNS = (
    P.id, P.case.as_alias("case_id"), P.role, P.kind, P.name, P.id_masked, P.mobile, P.address,
    P.agent_name, P.agent_mobile, P.position,
)  # fmt: skip


# ---- cases -----------------------------------------------------------------------------------


async def get_case(ctx: TenantContext, case_id: UUID) -> CaseRow:
    row = await scoped(ctx, C).select(*_CASE_COLUMNS).where(C.id == case_id).first()
    if row is None:
        raise NotFound("未找到该案件")
    return as_row(CaseRow, row)


async def case_by_number(ctx: TenantContext, case_no: str) -> CaseRow | None:
    row = await scoped(ctx, C).select(*_CASE_COLUMNS).where(C.case_no == case_no).first()
    return as_row(CaseRow, row) if row is not None else None


async def insert_case(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, C, **values)


def inserted_case(case_id: UUID, values: dict[str, Any]) -> CaseRow:
    """The row just inserted with ``values``, as reading it back would give it."""
    row = {
        "id": case_id, "area_id": values.get("area"), "program_id": values.get("program"),
        "mediator_id": values.get("mediator"), "version": 1, "status": "open", "closed_on": None,
        "outcome_reason": "", "outcome_note": "", "amount_agreed": None, "referring_court": "",
        "court_ref_no": "", "referral_date": None, "procedure": "", "extended_on": None,
        "extension_note": "", "undisputed_facts": "", "returned_on": None,
        **{k: v for k, v in values.items() if k not in {"area", "program", "mediator"}},
    }  # fmt: skip
    return as_row(CaseRow, row)


async def update_case(
    ctx: TenantContext, case_id: UUID, expected: int, changes: dict[str, Any]
) -> int:
    """Apply ``changes`` if the case is still at version ``expected`` (optimistic locking);
    return the new version. PreconditionFailed when another change came first."""
    values: dict[Any, Any] = {**changes, "updated_at": datetime.now(UTC), "version": expected + 1}
    rows = (
        await scoped(ctx, C)
        .update(values)
        .where((C.id == case_id) & (C.version == expected))
        .returning(C.id)
    )
    if not rows:
        await get_case(ctx, case_id)  # 404 when it is not this tenant's
        raise PreconditionFailed
    return expected + 1


# PostgreSQL and SQLite (3.35+) both take this upsert; the row stays locked until the case's
# transaction ends, so numbers are taken one at a time and a rollback gives its number back.
_NEXT_NUMBER = TenantStatement(
    'INSERT INTO case_counters (id, tenant, "year", last_seq) VALUES ({}, {tenant}, {}, 1) '
    'ON CONFLICT (tenant, "year") DO UPDATE SET last_seq = case_counters.last_seq + 1 '
    "WHERE case_counters.tenant = {tenant} RETURNING last_seq"
)


async def next_case_seq(ctx: TenantContext, year: int) -> int:
    """The next case sequence number of the tenant's year (gap-free, never twice)."""
    rows = await _NEXT_NUMBER.fetch(ctx, uuid4(), year)
    return int(rows[0]["last_seq"])


@dataclass(frozen=True)
class ReadScope:
    """The cases a member's lists show: a court reviewer's (court-referred or with a
    confirmation application), or a mediator's areas, programs and own cases."""

    court: bool = False
    area_ids: frozenset[UUID] = frozenset()
    program_ids: frozenset[UUID] = frozenset()
    membership_id: UUID | None = None
    user_id: UUID | None = None


async def _scope_where(ctx: TenantContext, scope: ReadScope) -> Any:
    if scope.court:
        confirmed = await scoped(ctx, Confirmation).select(Confirmation.case)
        ids = [row["case"] for row in confirmed]
        return (C.source == "court") | C.id.is_in(ids or [uuid4()])
    where: Any = C.id.is_null()  # nothing, widened by each grant below
    if scope.area_ids:
        where = where | C.area.is_in(list(scope.area_ids))
    if scope.program_ids:
        where = where | C.program.is_in(list(scope.program_ids))
    if scope.membership_id is not None:
        where = where | (C.mediator == scope.membership_id)
    if scope.user_id is not None:
        where = where | (C.created_by == scope.user_id)
    return where


def _filtered(ctx: TenantContext, query: Any, f: CaseFilter, mine: UUID | None) -> Any:
    if f.status == "agreed":
        query = query.where(C.status.is_in(sorted(AGREED)))
    elif f.status:
        query = query.where(C.status == f.status)
    if f.category:
        query = query.where(C.category == f.category)
    if f.source:
        query = query.where(C.source == f.source)
    if f.village_id is not None:
        query = query.where(C.area == f.village_id)
    if f.program_id is not None:
        query = query.where(C.program == f.program_id)
    if f.mine:
        query = query.where(C.mediator == mine) if mine else query.where(C.id.is_null())
    if f.overdue:
        from wusong.core.clock import local_today

        query = query.where((C.status == "open") & (C.due_on < local_today()))
    if f.accepted_from is not None:
        query = query.where(C.accepted_on >= f.accepted_from)
    if f.accepted_to is not None:
        query = query.where(C.accepted_on <= f.accepted_to)
    if f.closed_from is not None:
        query = query.where(C.closed_on >= f.closed_from)
    if f.closed_to is not None:
        query = query.where(C.closed_on <= f.closed_to)
    if f.case_no:
        query = _case_no_filter(query, f.case_no)
    return query


def _case_no_filter(query: Any, text: str) -> Any:
    """A whole case number, or the digits of its sequence (with or without the year)."""
    if "号" in text or "字" in text:
        return query.where(C.case_no == text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return query.where(C.id.is_null())
    if len(digits) > 6:  # year and sequence: 20260012
        return query.where((C.case_year == int(digits[:4])) & (C.case_seq == int(digits[4:])))
    return query.where(C.case_seq == int(digits))


async def list_cases(
    ctx: TenantContext,
    f: CaseFilter,
    *,
    mine: UUID | None,
    only_ids: list[UUID] | None,
    scope: ReadScope | None,
    limit: int,
    offset: int,
    with_total: bool = True,
) -> tuple[list[CaseListRow], bool, int | None]:
    """One page of cases, newest first, whether more follow, and (``with_total``: it costs a
    count of every match) how many match. ``only_ids``: restrict to these (a party search's
    cases); ``scope``: what the member may read (None: everything)."""
    query = _filtered(ctx, scoped(ctx, C).select(*_LIST_COLUMNS), f, mine)
    count = _filtered(ctx, scoped(ctx, C).count(), f, mine)
    if scope is not None:
        where = await _scope_where(ctx, scope)
        query = query.where(where)
        count = count.where(where)
    if only_ids is not None:
        query = query.where(C.id.is_in(only_ids or [uuid4()]))
        count = count.where(C.id.is_in(only_ids or [uuid4()]))
    ordered = query.order_by(C.accepted_on, C.case_seq, ascending=False)
    rows = await ordered.limit(limit + 1).offset(offset)  # one more: are there more?
    total = int(await count) if with_total else None
    return as_rows(CaseListRow, rows[:limit]), len(rows) > limit, total


# starts_with(), not LIKE: under row-level security the planner may use only leakproof
# operators as index conditions, and LIKE (textlike) is not one, so ``name LIKE 'x%'`` read every
# party of the tenant; starts_with() is leakproof and seeks in case_parties_name (tenant, name
# varchar_pattern_ops). It also takes the name literally: nothing to escape.
_PARTY_PREFIX_PG = TenantStatement(
    'SELECT DISTINCT p."case" AS case_id FROM case_parties p '
    "WHERE p.tenant = {tenant} AND starts_with(p.name, {}) LIMIT 500"
)
_PARTY_PREFIX_SQLITE = TenantStatement(
    'SELECT DISTINCT p."case" AS case_id FROM case_parties p '
    "WHERE p.tenant = {tenant} AND p.name GLOB {} LIMIT 500"
)
_PARTY_BY_ID_HASH = TenantStatement(
    'SELECT DISTINCT p."case" AS case_id FROM case_parties p '
    "WHERE p.tenant = {tenant} AND p.id_hash = {} LIMIT 500"
)


def _glob_prefix(name: str) -> str:
    # GLOB has no escape character: a class matches a special character literally
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name) + "*"


async def cases_of_party(ctx: TenantContext, *, name: str = "", id_hash: str = "") -> list[UUID]:
    """The cases with a party whose name starts with ``name`` or whose ID number has this
    keyed hash (tenant-first indexes on both)."""
    if id_hash:
        rows = await _PARTY_BY_ID_HASH.fetch(ctx, id_hash)
    elif is_postgres():
        rows = await _PARTY_PREFIX_PG.fetch(ctx, name)
    else:
        rows = await _PARTY_PREFIX_SQLITE.fetch(ctx, _glob_prefix(name))
    return [r["case_id"] if isinstance(r["case_id"], UUID) else UUID(r["case_id"]) for r in rows]


async def has_confirmation(ctx: TenantContext, case_id: UUID) -> bool:
    return bool(await scoped(ctx, Confirmation).exists().where(Confirmation.case == case_id))


# ---- parties ---------------------------------------------------------------------------------


async def list_parties(ctx: TenantContext, case_id: UUID) -> list[PartyRow]:
    rows = (
        await scoped(ctx, P).select(*_PARTY_COLUMNS).where(P.case == case_id).order_by(P.position)
    )
    return as_rows(PartyRow, rows)


async def get_party(ctx: TenantContext, case_id: UUID, party_id: UUID) -> PartyRow:
    row = (
        await scoped(ctx, P)
        .select(*_PARTY_COLUMNS)
        .where((P.id == party_id) & (P.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该当事人")
    return as_row(PartyRow, row)


async def party_cipher(ctx: TenantContext, case_id: UUID, party_id: UUID) -> str:
    row = (
        await scoped(ctx, P)
        .select(P.id_cipher)
        .where((P.id == party_id) & (P.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该当事人")
    return str(row["id_cipher"])


async def insert_party(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, P, **values)


async def insert_parties(ctx: TenantContext, rows: list[dict[str, Any]]) -> None:
    """A new case's parties in one statement."""
    await insert_many(ctx, P, rows)


async def update_party(
    ctx: TenantContext, case_id: UUID, party_id: UUID, changes: dict[str, Any]
) -> None:
    await scoped(ctx, P).update(changes).where((P.id == party_id) & (P.case == case_id))


async def delete_party(ctx: TenantContext, case_id: UUID, party_id: UUID) -> None:
    await scoped(ctx, P).delete().where((P.id == party_id) & (P.case == case_id))


# ---- categories and settings -----------------------------------------------------------------


async def own_categories(ctx: TenantContext) -> list[dict[str, Any]]:
    return list(
        await scoped(ctx, CaseCategory)
        .select(CaseCategory.id, CaseCategory.name, CaseCategory.confirmable, CaseCategory.active)
        .order_by(CaseCategory.created_at)
    )


async def insert_category(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, CaseCategory, **values)


async def set_category_active(ctx: TenantContext, category_id: UUID, active: bool) -> bool:
    rows = (
        await scoped(ctx, CaseCategory)
        .update({CaseCategory.active: active})
        .where(CaseCategory.id == category_id)
        .returning(CaseCategory.id)
    )
    return bool(rows)


async def settings_row(ctx: TenantContext) -> dict[str, Any] | None:
    row = (
        await scoped(ctx, MediationSettings)
        .select(MediationSettings.config, MediationSettings.version)
        .first()
    )
    return json_loaded(row, "config") if row is not None else None


async def save_settings(ctx: TenantContext, config: dict[str, Any], expected: int) -> bool:
    """Store the settings if they are still at version ``expected`` (0: never saved)."""
    if expected == 0:
        if await settings_row(ctx) is not None:
            return False
        await insert(ctx, MediationSettings, config=config, version=1)
        return True
    rows = (
        await scoped(ctx, MediationSettings)
        .update(
            {
                MediationSettings.config: config,
                MediationSettings.version: expected + 1,
                MediationSettings.updated_at: datetime.now(UTC),
            }
        )
        .where(MediationSettings.version == expected)
        .returning(MediationSettings.id)
    )
    return bool(rows)
