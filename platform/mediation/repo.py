"""Queries of the case core: cases, parties, categories, settings and the number counter.
The only module that queries these tables (the sub-packages have their own repos)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
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
from tenants import audit
from tenants.tables import AuditEvent
from wusong.core.db import as_row, as_rows, is_postgres, json_loaded
from wusong.core.errors import NotFound, PreconditionFailed
from wusong.core.scoped import TenantStatement, insert, insert_together, scoped
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


# The county's counter of the year: the row stays locked until the case's transaction ends, so
# numbers are taken one at a time and a rollback gives its number back. PostgreSQL and SQLite
# (3.35+) both take this upsert.
_NEXT_NUMBER = TenantStatement(
    'INSERT INTO case_counters (id, tenant, "year", last_seq) VALUES ({}, {tenant}, {}, 1) '
    'ON CONFLICT (tenant, "year") DO UPDATE SET last_seq = case_counters.last_seq + 1 '
    "WHERE case_counters.tenant = {tenant} RETURNING last_seq"
)
# PostgreSQL: the audit chain, then the same upsert, in one round trip (migration
# mediation_2026_11_30t09_00_00: wusong_take_case_number).
_TAKE_NUMBER = TenantStatement(
    "SELECT case_seq, head_seq, head_hash FROM wusong_take_case_number({tenant}, {}, {})"
)


async def take_case_number(ctx: TenantContext, year: int) -> tuple[int, audit.ChainHead]:
    """The next case sequence number of the tenant's year (gap-free, never twice), and the
    tenant's audit chain taken for the case's event: both held until the transaction ends, the
    chain first (as every audited write takes it)."""
    if is_postgres():
        row = (await _TAKE_NUMBER.fetch(ctx, year, uuid4()))[0]
        return int(row["case_seq"]), audit.ChainHead.of(row["head_seq"], row["head_hash"])
    head = await audit.chain_head(ctx)
    rows = await _NEXT_NUMBER.fetch(ctx, uuid4(), year)
    return int(rows[0]["last_seq"]), head


async def insert_new_case(
    ctx: TenantContext,
    case: dict[str, Any],
    parties: list[dict[str, Any]],
    event: dict[str, Any],
) -> None:
    """A new case, its parties and its audit event (audit.chained_event) in one statement
    (PostgreSQL): the last step while the number and the chain are held."""
    await insert_together(ctx, [(C, [case]), (P, parties), (AuditEvent, [event])])


@dataclass(frozen=True)
class ReadScope:
    """The cases a member's lists show: a court reviewer's (court-referred or with a
    confirmation application), or a mediator's areas, programs and own cases."""

    court: bool = False
    area_ids: frozenset[UUID] = frozenset()
    program_ids: frozenset[UUID] = frozenset()
    membership_id: UUID | None = None
    user_id: UUID | None = None


# ---- the list: one statement per filter shape, compiled once ----------------------------------

_LIST_SELECT = (
    "SELECT c.id, c.case_no, c.title, c.category, c.source, c.status, c.area AS area_id, "
    "c.accepted_on, c.due_on, c.closed_on, c.party_names, c.mediator AS mediator_id "
    "FROM cases c WHERE c.tenant = {tenant}"
)
_LIST_ORDER = " ORDER BY c.accepted_on DESC, c.case_seq DESC LIMIT {} OFFSET {}"
_LIST_COUNT = "SELECT count(*) AS n FROM cases c WHERE c.tenant = {tenant}"
_NOTHING = "1 = 0"
# A party's cases: by the beginning of a name or by the keyed hash of an ID number, each a seek
# in a tenant-first index. starts_with(), not LIKE: under row-level security the planner may
# use only leakproof operators as index conditions, and LIKE (textlike) is not one, so ``name
# LIKE 'x%'`` read every party of the tenant; starts_with() is leakproof and seeks in
# case_parties_name (tenant, name varchar_pattern_ops). It also takes the name literally. SQLite:
# GLOB with every special character in a class (it has no escape character).
_PARTY = 'c.id IN (SELECT p."case" FROM case_parties p WHERE p.tenant = {tenant} AND '
_PARTY_NAME_PG = _PARTY + "starts_with(p.name, {}))"
_PARTY_NAME_SQLITE = _PARTY + "p.name GLOB {})"
_PARTY_ID_HASH = _PARTY + "p.id_hash = {})"
# A court reviewer's cases: referred by a court, or with a confirmation application.
_COURT_SCOPE = (
    "(c.source = 'court' OR c.id IN (SELECT k.\"case\" FROM case_confirmations k "
    "WHERE k.tenant = {tenant}))"
)


class _Where:
    """The conditions of a list query and their values, in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, sql: str, *values: Any) -> None:
        self.parts.append(sql)
        self.args.extend(values)

    def any_of(self, alternatives: list[tuple[str, list[Any]]]) -> None:
        """One condition true when any alternative is (none: nothing matches)."""
        if not alternatives:
            self.add(_NOTHING)
            return
        self.add("(" + " OR ".join(sql for sql, _ in alternatives) + ")")
        for _, values in alternatives:
            self.args.extend(values)


def _in(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    return f"{column} IN ({', '.join('{}' for _ in values)})", values


def _glob_prefix(name: str) -> str:
    # GLOB has no escape character: a class matches a special character literally
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name) + "*"


def _conditions(f: CaseFilter, mine: UUID | None, scope: ReadScope | None) -> _Where:
    w = _Where()
    if f.status == "agreed":
        sql, values = _in("c.status", sorted(AGREED))
        w.add(sql, *values)
    elif f.status:
        w.add("c.status = {}", f.status)
    if f.category:
        w.add("c.category = {}", f.category)
    if f.source:
        w.add("c.source = {}", f.source)
    if f.village_id is not None:
        w.add("c.area = {}", f.village_id)
    if f.program_id is not None:
        w.add("c.program = {}", f.program_id)
    if f.mine:
        w.add("c.mediator = {}", mine) if mine else w.add(_NOTHING)
    if f.overdue:
        from wusong.core.clock import local_today

        w.add("c.status = 'open' AND c.due_on < {}", local_today())
    for sql, value in (
        ("c.accepted_on >= {}", f.accepted_from),
        ("c.accepted_on <= {}", f.accepted_to),
        ("c.closed_on >= {}", f.closed_from),
        ("c.closed_on <= {}", f.closed_to),
    ):
        if value is not None:
            w.add(sql, value)
    if f.case_no:
        _case_no(w, f.case_no)
    if f.id_hash:
        w.add(_PARTY_ID_HASH, f.id_hash)
    elif f.party_name:
        if is_postgres():
            w.add(_PARTY_NAME_PG, f.party_name)
        else:
            w.add(_PARTY_NAME_SQLITE, _glob_prefix(f.party_name))
    if scope is not None:
        _scope(w, scope)
    return w


def _case_no(w: _Where, text: str) -> None:
    """A whole case number, or the digits of its sequence (with or without the year)."""
    if "号" in text or "字" in text:
        w.add("c.case_no = {}", text)
        return
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        w.add(_NOTHING)
    elif len(digits) > 6:  # year and sequence: 20260012
        w.add("c.case_year = {} AND c.case_seq = {}", int(digits[:4]), int(digits[4:]))
    else:
        w.add("c.case_seq = {}", int(digits))


def _scope(w: _Where, scope: ReadScope) -> None:
    if scope.court:
        w.add(_COURT_SCOPE)
        return
    grants: list[tuple[str, list[Any]]] = []
    if scope.area_ids:
        grants.append(_in("c.area", sorted(scope.area_ids)))
    if scope.program_ids:
        grants.append(_in("c.program", sorted(scope.program_ids)))
    if scope.membership_id is not None:
        grants.append(("c.mediator = {}", [scope.membership_id]))
    if scope.user_id is not None:
        grants.append(("c.created_by = {}", [scope.user_id]))
    w.any_of(grants)


@lru_cache(maxsize=256)
def _list_statement(conditions: tuple[str, ...], count: bool) -> TenantStatement:
    where = "".join(f" AND {sql}" for sql in conditions)
    return TenantStatement((_LIST_COUNT + where) if count else (_LIST_SELECT + where + _LIST_ORDER))


async def list_cases(
    ctx: TenantContext,
    f: CaseFilter,
    *,
    mine: UUID | None,
    scope: ReadScope | None,
    limit: int,
    offset: int,
    with_total: bool = True,
) -> tuple[list[CaseListRow], bool, int | None]:
    """One page of cases, newest first, whether more follow, and (``with_total``: it costs a
    count of every match) how many match. A party name or ID-number hash in ``f`` narrows to
    that party's cases; ``scope``: what the member may read (None: everything). One statement
    per combination of filters, compiled once."""
    w = _conditions(f, mine, scope)
    shape = tuple(w.parts)
    rows = await _list_statement(shape, False).fetch(ctx, *w.args, limit + 1, offset)
    total = None
    if with_total:
        total = int((await _list_statement(shape, True).fetch(ctx, *w.args))[0]["n"])
    return as_rows(CaseListRow, rows[:limit]), len(rows) > limit, total


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


async def update_party(
    ctx: TenantContext, case_id: UUID, party_id: UUID, changes: dict[str, Any]
) -> None:
    await scoped(ctx, P).update(changes).where((P.id == party_id) & (P.case == case_id))


async def delete_party(ctx: TenantContext, case_id: UUID, party_id: UUID) -> None:
    await scoped(ctx, P).delete().where((P.id == party_id) & (P.case == case_id))


# ---- categories and settings -----------------------------------------------------------------


_OWN_CATEGORIES = TenantStatement(
    "SELECT id, name, confirmable, active FROM case_categories WHERE tenant = {tenant} "
    "ORDER BY created_at"
)


async def own_categories(ctx: TenantContext) -> list[dict[str, Any]]:
    return [
        {**row, "confirmable": bool(row["confirmable"]), "active": bool(row["active"])}
        for row in await _OWN_CATEGORIES.fetch(ctx)
    ]


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


_SETTINGS = TenantStatement(
    "SELECT config, version FROM mediation_settings WHERE tenant = {tenant} LIMIT 1"
)


async def settings_row(ctx: TenantContext) -> dict[str, Any] | None:
    rows = await _SETTINGS.fetch(ctx)
    return json_loaded(rows[0], "config") if rows else None


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
