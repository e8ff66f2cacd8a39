"""Queries of the proceedings: sessions, agreements (versions, terms, signatures) and follow-up
visits. The only module that queries these tables; the case row itself goes through
``mediation.repo``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from mediation.proceedings.schemas import (
    AgreementRow,
    FollowUpRow,
    SessionRow,
    SignatureRow,
    TermRow,
)
from mediation.rules import CENT
from mediation.tables import Agreement, AgreementTerm, FollowUp, MediationSession, Signature
from wusong.core.db import as_row, as_rows, as_uuid
from wusong.core.errors import NotFound, PreconditionFailed
from wusong.core.scoped import insert, scoped
from wusong.core.tenancy import TenantContext

S = MediationSession
_SESSION_COLUMNS = (
    S.id, S.case.as_alias("case_id"), S.held_on, S.mode, S.place, S.attendees, S.record,
    S.recorded_by_name, S.created_at,
)  # fmt: skip
A = Agreement
_AGREEMENT_COLUMNS = (
    A.id, A.case.as_alias("case_id"), A.version_no, A.supersedes.as_alias("supersedes_id"),
    A.status, A.facts, A.issues, A.responsibilities, A.signed_on.as_alias("agreed_on"),
    A.effective_on, A.amount_total, A.created_by_name, A.created_at, A.updated_at, A.version,
)  # fmt: skip
T = AgreementTerm
_TERM_COLUMNS = (
    T.id, T.obligor.as_alias("obligor_id"), T.obligation, T.amount, T.way, T.place, T.deadline,
    T.position,
)  # fmt: skip
G = Signature
_SIGNATURE_COLUMNS = (
    G.id, G.signer, G.party.as_alias("party_id"), G.method, G.signed_on, G.recorded_by_name,
)  # fmt: skip
F = FollowUp
_FOLLOWUP_COLUMNS = (
    F.id, F.case.as_alias("case_id"), F.visited_on, F.performance, F.note, F.recorded_by_name,
    F.created_at,
)  # fmt: skip


# ---- sessions --------------------------------------------------------------------------------


async def list_sessions(ctx: TenantContext, case_id: UUID) -> list[SessionRow]:
    rows = (
        await scoped(ctx, S)
        .select(*_SESSION_COLUMNS)
        .where(S.case == case_id)
        .order_by(S.held_on)
        .order_by(S.created_at)
    )
    return as_rows(SessionRow, rows)


async def insert_session(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, S, **values)


# ---- agreements ------------------------------------------------------------------------------


async def _terms(ctx: TenantContext, agreement_ids: list[UUID]) -> dict[UUID, list[TermRow]]:
    found: dict[UUID, list[TermRow]] = {i: [] for i in agreement_ids}
    if not agreement_ids:
        return found
    rows = (
        await scoped(ctx, T)
        .select(*_TERM_COLUMNS, T.agreement.as_alias("agreement_id"))
        .where(T.agreement.is_in(agreement_ids))
        .order_by(T.position)
    )
    for row in rows:
        found[as_uuid(row.pop("agreement_id"))].append(as_row(TermRow, row))
    return found


async def _signatures(
    ctx: TenantContext, agreement_ids: list[UUID]
) -> dict[UUID, list[SignatureRow]]:
    found: dict[UUID, list[SignatureRow]] = {i: [] for i in agreement_ids}
    if not agreement_ids:
        return found
    rows = (
        await scoped(ctx, G)
        .select(*_SIGNATURE_COLUMNS, G.agreement.as_alias("agreement_id"))
        .where(G.agreement.is_in(agreement_ids))
        .order_by(G.created_at)
    )
    for row in rows:
        found[as_uuid(row.pop("agreement_id"))].append(as_row(SignatureRow, row))
    return found


def money(value: Decimal | None) -> Decimal | None:
    """Yuan with two decimals (SQLite's NUMERIC drops trailing zeros: 3200.5)."""
    return None if value is None else Decimal(value).quantize(CENT)


async def _with_children(ctx: TenantContext, rows: list[dict[str, Any]]) -> list[AgreementRow]:
    agreements = as_rows(AgreementRow, rows)
    ids = [a.id for a in agreements]
    terms, signatures = await _terms(ctx, ids), await _signatures(ctx, ids)
    for agreement in agreements:
        agreement.amount_total = money(agreement.amount_total) or Decimal("0.00")
        for term in terms[agreement.id]:
            term.amount = money(term.amount)
        agreement.terms = terms[agreement.id]
        agreement.signatures = signatures[agreement.id]
    return agreements


async def list_agreements(ctx: TenantContext, case_id: UUID) -> list[AgreementRow]:
    """Every version of the case's agreement, newest first, with terms and signatures."""
    rows = (
        await scoped(ctx, A)
        .select(*_AGREEMENT_COLUMNS)
        .where(A.case == case_id)
        .order_by(A.version_no, ascending=False)
    )
    return await _with_children(ctx, rows)


async def get_agreement(ctx: TenantContext, case_id: UUID, agreement_id: UUID) -> AgreementRow:
    rows = (
        await scoped(ctx, A)
        .select(*_AGREEMENT_COLUMNS)
        .where((A.id == agreement_id) & (A.case == case_id))
    )
    if not rows:
        raise NotFound("未找到该调解协议")
    return (await _with_children(ctx, rows))[0]


async def insert_agreement(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, A, **values)


async def update_agreement(
    ctx: TenantContext, agreement_id: UUID, expected: int, changes: dict[str, Any]
) -> int:
    """Apply ``changes`` if the agreement is still at version ``expected``; the new version.
    PreconditionFailed when another change came first."""
    values: dict[Any, Any] = {**changes, "updated_at": datetime.now(UTC), "version": expected + 1}
    rows = (
        await scoped(ctx, A)
        .update(values)
        .where((A.id == agreement_id) & (A.version == expected))
        .returning(A.id)
    )
    if not rows:
        raise PreconditionFailed
    return expected + 1


async def replace_terms(
    ctx: TenantContext, agreement_id: UUID, terms: list[dict[str, Any]]
) -> None:
    await scoped(ctx, T).delete().where(T.agreement == agreement_id)
    for position, term in enumerate(terms):
        await insert(ctx, T, agreement=agreement_id, position=position, **term)


async def clear_signatures(ctx: TenantContext, agreement_id: UUID) -> None:
    await scoped(ctx, G).delete().where(G.agreement == agreement_id)


async def put_signature(
    ctx: TenantContext, agreement_id: UUID, signer: str, party_id: UUID | None,
    values: dict[str, Any],
) -> None:  # fmt: skip
    """Record a signer's signature, replacing the one it gave before (one per signer)."""
    same = (G.agreement == agreement_id) & (G.signer == signer)
    same &= G.party.is_null() if party_id is None else G.party == party_id
    await scoped(ctx, G).delete().where(same)
    await insert(ctx, G, agreement=agreement_id, signer=signer, party=party_id, **values)


async def party_in_agreements(ctx: TenantContext, party_id: UUID) -> bool:
    """Is the party an obligor or a signer in some version of the agreement (then it cannot be
    removed from the case: the agreement's text names it)."""
    if await scoped(ctx, T).exists().where(T.obligor == party_id):
        return True
    return bool(await scoped(ctx, G).exists().where(G.party == party_id))


# ---- follow-up visits ------------------------------------------------------------------------


async def list_followups(ctx: TenantContext, case_id: UUID) -> list[FollowUpRow]:
    rows = (
        await scoped(ctx, F)
        .select(*_FOLLOWUP_COLUMNS)
        .where(F.case == case_id)
        .order_by(F.visited_on)
        .order_by(F.created_at)
    )
    return as_rows(FollowUpRow, rows)


async def insert_followup(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, F, **values)
