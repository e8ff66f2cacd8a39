"""Queries of the court side: confirmation applications, court decisions, the effective
agreement they rest on, and the court's review queue. Case rows change only through the core
repo (``mediation.repo.update_case``, optimistic locking)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from mediation.court.schemas import ConfirmationRow, DecisionRow
from mediation.tables import Agreement, CaseParty, Confirmation, CourtDecision
from wusong.core.db import as_row, as_rows, as_uuid
from wusong.core.errors import NotFound
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.tenancy import TenantContext

F = Confirmation
_CONFIRMATION_COLUMNS = (
    F.id, F.case.as_alias("case_id"), F.agreement.as_alias("agreement_id"), F.court,
    F.applied_on, F.status, F.court_case_no, F.accepted_on, F.decided_on, F.refusal_reason,
    F.note, F.version,
)  # fmt: skip
D = CourtDecision
_DECISION_COLUMNS = (
    D.id, D.case.as_alias("case_id"), D.confirmation.as_alias("confirmation_id"), D.decision,
    D.court_case_no, D.reason, D.note, D.decided_on, D.decided_by_name, D.created_at,
)  # fmt: skip


async def effective_agreement(ctx: TenantContext, case_id: UUID) -> dict[str, Any] | None:
    """The case's agreement in force (id, version_no, effective_on), if any."""
    row = (
        await scoped(ctx, Agreement)
        .select(Agreement.id, Agreement.version_no, Agreement.effective_on)
        .where((Agreement.case == case_id) & (Agreement.status == "effective"))
        .order_by(Agreement.version_no, ascending=False)
        .first()
    )
    return dict(row) if row is not None else None


async def party_identity(ctx: TenantContext, case_id: UUID, party_id: UUID) -> tuple[str, str]:
    """A party's name and ID-number cipher ('' when none was given); 404 when not the case's."""
    row = (
        await scoped(ctx, CaseParty)
        .select(CaseParty.name, CaseParty.id_cipher)
        .where((CaseParty.id == party_id) & (CaseParty.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该当事人")
    return str(row["name"]), str(row["id_cipher"])


async def list_confirmations(ctx: TenantContext, case_id: UUID) -> list[ConfirmationRow]:
    rows = (
        await scoped(ctx, F)
        .select(*_CONFIRMATION_COLUMNS)
        .where(F.case == case_id)
        .order_by(F.applied_on, F.created_at, ascending=False)
    )
    return as_rows(ConfirmationRow, rows)


async def insert_confirmation(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, F, **values)


async def get_confirmation(
    ctx: TenantContext, case_id: UUID, confirmation_id: UUID
) -> ConfirmationRow:
    row = (
        await scoped(ctx, F)
        .select(*_CONFIRMATION_COLUMNS)
        .where((F.id == confirmation_id) & (F.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该司法确认申请")
    return as_row(ConfirmationRow, row)


async def update_confirmation(
    ctx: TenantContext, confirmation_id: UUID, expected: int, changes: dict[str, Any]
) -> bool:
    """Apply ``changes`` if the application is still at version ``expected``."""
    values: dict[Any, Any] = {**changes, "updated_at": datetime.now(UTC), "version": expected + 1}
    rows = (
        await scoped(ctx, F)
        .update(values)
        .where((F.id == confirmation_id) & (F.version == expected))
        .returning(F.id)
    )
    return bool(rows)


async def list_decisions(ctx: TenantContext, case_id: UUID) -> list[DecisionRow]:
    rows = (
        await scoped(ctx, D)
        .select(*_DECISION_COLUMNS)
        .where(D.case == case_id)
        .order_by(D.decided_on, D.created_at)
    )
    return as_rows(DecisionRow, rows)


async def insert_decision(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, D, **values)


async def get_decision(ctx: TenantContext, decision_id: UUID) -> DecisionRow:
    row = await scoped(ctx, D).select(*_DECISION_COLUMNS).where(D.id == decision_id).first()
    if row is None:
        raise NotFound("未找到该审查决定")
    return as_row(DecisionRow, row)


async def filing(ctx: TenantContext, case_id: UUID) -> DecisionRow | None:
    """The court's filing (立案) of a returned referred case, if recorded."""
    row = (
        await scoped(ctx, D)
        .select(*_DECISION_COLUMNS)
        .where((D.case == case_id) & (D.decision == "filed"))
        .first()
    )
    return as_row(DecisionRow, row) if row is not None else None


# The court's queue: referred cases returned and not yet filed, and open applications, oldest
# first (tenant-first indexes on cases, case_confirmations and court_decisions).
_QUEUE_FROM = (
    "SELECT 'referral' AS kind, c.id AS case_id, c.case_no, c.title, c.referring_court AS court, "
    "c.returned_on AS since, c.status, NULL AS confirmation_id, '' AS court_case_no, "
    "NULL AS accepted_on FROM cases c "
    "WHERE c.tenant = {tenant} AND c.source = 'court' AND c.returned_on IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM court_decisions d WHERE d.tenant = {tenant} "
    "AND d.\"case\" = c.id AND d.decision = 'filed') "
    "UNION ALL "
    "SELECT 'confirmation' AS kind, k.id AS case_id, k.case_no, k.title, f.court, "
    "f.applied_on AS since, f.status, f.id AS confirmation_id, f.court_case_no, f.accepted_on "
    'FROM case_confirmations f JOIN cases k ON k.tenant = {tenant} AND k.id = f."case" '
    "WHERE f.tenant = {tenant} AND f.status IN ('applied', 'accepted')"
)
_QUEUE = TenantStatement(
    f"SELECT * FROM ({_QUEUE_FROM}) q ORDER BY q.since, q.case_no LIMIT {{}} OFFSET {{}}"
)
_QUEUE_COUNT = TenantStatement(f"SELECT COUNT(*) AS n FROM ({_QUEUE_FROM}) q")


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


async def queue(ctx: TenantContext, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the court's queue (plain rows; the service adds deadlines) and its size."""
    rows = await _QUEUE.fetch(ctx, limit, offset)
    total = await _QUEUE_COUNT.fetch(ctx)
    found = []
    for row in rows:
        item = dict(row)
        item["case_id"] = as_uuid(item["case_id"])
        item["confirmation_id"] = (
            as_uuid(item["confirmation_id"]) if item["confirmation_id"] else None
        )
        item["since"] = _day(item["since"])
        item["accepted_on"] = _day(item["accepted_on"])
        found.append(item)
    return found, int(total[0]["n"])
