"""Cases with known figures, for the case-indicator tests: hand-built rows (closed, settled,
with agreements, follow-ups and confirmations) inserted straight into the mediation tables.

The studio's figures (period 2025, and the same days of 2024):

    accepted  5 (#1 #2 #3 #4 #6)            | 3 (#7 #8 #5)
    closed    5 (#1 #2 #3 #5 #6)            | 2 (#7 #8)
    settled   3 (#1 #2 partly, #5)          | 1 (#7)
    rate      60.0 %                        | 50.0 %
    median    16 days (2 10 16 20 30)       | 20.5 days (10 31)
    amount    6200.75 (1000.50+200.25+5000) | 300.00
    due       2 (#1 #2; #5's deadline is in 2099), performed fully 1 (#1) | 1 (#7), 0
    confirmations applied 3, confirmed 1, refused 1 | 1, 1, 0
    overdue   1 (#4, open and past due today)

A shared court of the same tenant has one settled case (99 yuan) in 2025 in 宝山村 and one
(#11, 50 yuan) accepted and settled in 2024, applied for confirmation on 28 December 2024 and
confirmed on 5 January 2025; one case of no program is open, not yet due, in 郭家店村: these
count on the dashboard only. Every case's mediation deadline is 30 days after acceptance unless
said otherwise: only #4 is open past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from tests.factories import in_tenant
from tests.reports.seed import Seeded, seed_studio

FAR = date(2099, 1, 1)


@dataclass
class CaseSeeded:
    studio: Seeded
    cases: dict[int, UUID]


async def add_case(
    ctx: Any,
    seq: int,
    category: str,
    source: str,
    accepted_on: date,
    *,
    area: UUID | None,
    program: UUID | None,
    status: str = "open",
    closed_on: date | None = None,
    due_on: date | None = None,
    amount: str | None = None,
) -> UUID:
    from mediation.tables import MediationCase
    from wusong.core.scoped import insert

    return await insert(
        ctx,
        MediationCase,
        case_no=f"（{accepted_on.year}）梨调字第{seq:04d}号",
        case_year=accepted_on.year,
        case_seq=seq,
        category=category,
        source=source,
        area=area,
        program=program,
        status=status,
        accepted_on=accepted_on,
        due_on=due_on or accepted_on + timedelta(days=30),
        closed_on=closed_on,
        amount_agreed=Decimal(amount) if amount is not None else None,
    )


async def add_agreement(ctx: Any, case_id: UUID, effective_on: date, deadline: date) -> UUID:
    from mediation.tables import Agreement, AgreementTerm
    from wusong.core.scoped import insert

    agreement = await insert(
        ctx, Agreement, case=case_id, status="effective", effective_on=effective_on,
        signed_on=effective_on,
    )  # fmt: skip
    await insert(ctx, AgreementTerm, agreement=agreement, obligation="赔偿", deadline=deadline)
    return agreement


async def seed_cases(tenant: Any, code: str = "220322") -> CaseSeeded:
    from mediation.tables import Confirmation, FollowUp
    from wusong.core.scoped import insert

    seeded = await seed_studio(tenant, code)
    studio, bao, guo = seeded.studio.id, seeded.baoshan, seeded.guojia
    d = date
    cases: dict[int, UUID] = {}
    async with in_tenant(tenant) as ctx:
        rows: list[tuple[int, str, str, date, dict[str, Any]]] = [
            (1, "neighbour", "application", d(2025, 1, 10),
             {"area": bao, "status": "settled", "closed_on": d(2025, 1, 20), "amount": "1000.50"}),
            (2, "neighbour", "court", d(2025, 2, 1),
             {"area": bao, "status": "partly_settled", "closed_on": d(2025, 2, 21),
              "amount": "200.25"}),
            (3, "contract", "application", d(2025, 3, 1),
             {"area": guo, "status": "failed", "closed_on": d(2025, 3, 31)}),
            (4, "contract", "hotline", d(2025, 12, 20), {"area": guo, "due_on": d(2026, 1, 19)}),
            (5, "forest_land", "initiative", d(2024, 12, 20),
             {"area": None, "status": "settled", "closed_on": d(2025, 1, 5), "amount": "5000"}),
            (6, "neighbour", "application", d(2025, 6, 1),
             {"area": bao, "status": "withdrawn", "closed_on": d(2025, 6, 3)}),
            (7, "neighbour", "application", d(2024, 3, 1),
             {"area": bao, "status": "settled", "closed_on": d(2024, 3, 11), "amount": "300"}),
            (8, "contract", "court", d(2024, 5, 1),
             {"area": guo, "status": "failed", "closed_on": d(2024, 6, 1)}),
        ]  # fmt: skip
        for seq, category, source, accepted_on, extra in rows:
            cases[seq] = await add_case(
                ctx, seq, category, source, accepted_on, program=studio, **extra
            )
        first = await add_agreement(ctx, cases[1], d(2025, 1, 20), d(2025, 3, 1))
        second = await add_agreement(ctx, cases[2], d(2025, 2, 21), d(2025, 4, 1))
        fifth = await add_agreement(ctx, cases[5], d(2025, 1, 5), FAR)
        seventh = await add_agreement(ctx, cases[7], d(2024, 3, 11), d(2024, 3, 12))
        # #7 was never visited: due but not counted as performed
        await insert(ctx, FollowUp, case=cases[1], visited_on=d(2025, 3, 2), performance="partial")
        await insert(ctx, FollowUp, case=cases[1], visited_on=d(2025, 3, 9), performance="full")
        await insert(ctx, FollowUp, case=cases[2], visited_on=d(2025, 4, 2), performance="partial")
        for case, agreement, applied, status, decided in (
            (1, first, d(2025, 2, 1), "confirmed", d(2025, 2, 10)),
            (5, fifth, d(2025, 1, 20), "refused", d(2025, 1, 25)),
            (2, second, d(2025, 3, 1), "applied", None),
            (7, seventh, d(2024, 3, 20), "confirmed", d(2024, 4, 1)),
        ):
            await insert(
                ctx, Confirmation, case=cases[case], agreement=agreement, court="郭家店人民法庭",
                applied_on=applied, status=status, decided_on=decided,
            )  # fmt: skip
        cases[9] = await add_case(
            ctx, 9, "neighbour", "application", d(2025, 1, 10), area=bao,
            program=seeded.other.id, status="settled", closed_on=d(2025, 1, 12), amount="99",
        )  # fmt: skip
        cases[10] = await add_case(
            ctx, 10, "contract", "department", d(2025, 5, 5), area=guo, program=None, due_on=FAR
        )
        cases[11] = await add_case(
            ctx, 11, "other", "app", d(2024, 11, 20), area=None, program=seeded.other.id,
            status="settled", closed_on=d(2024, 12, 15), amount="50",
        )  # fmt: skip
        eleventh = await add_agreement(ctx, cases[11], d(2024, 12, 15), FAR)
        await insert(
            ctx, Confirmation, case=cases[11], agreement=eleventh, court="梨树县人民法院",
            applied_on=d(2024, 12, 28), status="confirmed", decided_on=d(2025, 1, 5),
        )  # fmt: skip
    return CaseSeeded(seeded, cases)


ALLOWED = {
    "status", "category", "source", "village_id", "program_id", "accepted_from", "accepted_to",
    "closed_from", "closed_to", "overdue",
}  # fmt: skip


async def cases_behind(tenant: Any, link: str) -> list[UUID]:
    """The ids of the cases the core case list shows for ``link``: its query parameters read
    as the list page reads them (``parse_filter``) and run through the list's own query (as
    an administrator, who reads every case)."""
    from urllib.parse import parse_qs, urlsplit

    from mediation import repo
    from mediation.routes import parse_filter

    parts = urlsplit(link)
    assert parts.path.endswith("/cases"), link
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert set(query) <= ALLOWED, link
    params = {name: query.get(name, "") for name in ALLOWED}
    params["village"], params["program"] = params.pop("village_id"), params.pop("program_id")
    found = parse_filter(mine="", case_no="", **params)
    async with in_tenant(tenant, writes=False) as ctx:
        rows, _, total = await repo.list_cases(
            ctx, found, mine=None, scope=None, limit=1000, offset=0
        )
    assert len(rows) == total
    return [row.id for row in rows]
