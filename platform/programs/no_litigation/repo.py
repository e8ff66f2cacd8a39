"""The only module that queries the no-litigation tables, always through ``wusong.core.scoped``.

Statuses are computed by the database: one grouped query per page or indicator, over the
evaluations stored with each count (see ``tables.LawsuitCount``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from programs.no_litigation.rules import rate_per_10k, settled_percent
from programs.no_litigation.schemas import (
    CountRow,
    PilotRow,
    StatusSummary,
    VillageStatus,
)
from programs.no_litigation.tables import LawsuitCount, PilotVillage
from programs.tables import ProgramArea, ProgramConfig
from wusong.core.db import as_row, as_rows, as_uuid
from wusong.core.errors import NotFound, PreconditionFailed
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.tenancy import TenantContext

# ---- pilot villages --------------------------------------------------------------------------

_PILOTS = """
    SELECT v.id, v.area AS village_id, a.name AS village_name, a.division_code,
      COALESCE(t.name, '') AS township_name, v.population, v.households, v.version, v.updated_at
    FROM nolit_villages v
    JOIN areas a ON a.id = v.area AND a.tenant = {tenant}
    LEFT JOIN areas t ON t.id = a.parent AND t.tenant = {tenant}
    WHERE v.tenant = {tenant} AND v.program = {}
"""
_LIST_PILOTS = TenantStatement(_PILOTS + " ORDER BY a.division_code")
_GET_PILOT = TenantStatement(_PILOTS + " AND v.id = {}")
_PILOT_BY_AREA = TenantStatement(_PILOTS + " AND v.area = {}")


async def list_pilots(ctx: TenantContext, program_id: UUID) -> list[PilotRow]:
    return as_rows(PilotRow, await _LIST_PILOTS.fetch(ctx, program_id))


async def get_pilot(ctx: TenantContext, program_id: UUID, pilot_id: UUID) -> PilotRow:
    rows = await _GET_PILOT.fetch(ctx, program_id, pilot_id)
    if not rows:
        raise NotFound("未找到该试点村（社区）")
    return as_row(PilotRow, rows[0])


async def pilot_by_area(ctx: TenantContext, program_id: UUID, area_id: UUID) -> PilotRow | None:
    rows = await _PILOT_BY_AREA.fetch(ctx, program_id, area_id)
    return as_row(PilotRow, rows[0]) if rows else None


async def insert_pilot(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, PilotVillage, **values)


async def _update_versioned(
    ctx: TenantContext,
    table: type[PilotVillage] | type[LawsuitCount],
    program_id: UUID,
    row_id: UUID,
    expected: int,
    changes: dict[str, Any],
) -> bool:
    """Apply changes if the row is still at version ``expected`` (optimistic locking)."""
    values: dict[Any, Any] = {**changes, "updated_at": datetime.now(UTC), "version": expected + 1}
    rows = (
        await scoped(ctx, table)
        .update(values)
        .where((table.id == row_id) & (table.program == program_id) & (table.version == expected))
        .returning(table.id)
    )
    return bool(rows)


async def update_pilot(
    ctx: TenantContext, program_id: UUID, pilot_id: UUID, expected: int, changes: dict[str, Any]
) -> PilotRow:
    if not await _update_versioned(ctx, PilotVillage, program_id, pilot_id, expected, changes):
        await get_pilot(ctx, program_id, pilot_id)  # 404 when it is not this program's
        raise PreconditionFailed
    return await get_pilot(ctx, program_id, pilot_id)


async def program_covers(ctx: TenantContext, program_id: UUID, area_ids: list[UUID]) -> bool:
    """Whether the program covers any of these areas (a village, or its township)."""
    return bool(
        await scoped(ctx, ProgramArea)
        .exists()
        .where((ProgramArea.program == program_id) & ProgramArea.area.is_in(area_ids))
    )


async def add_program_area(ctx: TenantContext, program_id: UUID, area_id: UUID) -> None:
    await insert(ctx, ProgramArea, program=program_id, area=area_id)


# ---- rubric versions -------------------------------------------------------------------------


async def rubric_versions(ctx: TenantContext, program_id: UUID) -> list[dict[str, Any]]:
    """Every saved rubric of the program, newest first (decoded JSON)."""
    rows = (
        await scoped(ctx, ProgramConfig)
        .select(
            ProgramConfig.version_no,
            ProgramConfig.config,
            ProgramConfig.created_at,
            ProgramConfig.created_by,
        )
        .where(ProgramConfig.program == program_id)
        .order_by(ProgramConfig.version_no, ascending=False)
    )
    for row in rows:
        if isinstance(row["config"], str):
            row["config"] = json.loads(row["config"])
    return list(rows)


# ---- counts ----------------------------------------------------------------------------------

_COUNTS = """
    SELECT c.id, c.pilot AS pilot_id, c.area AS village_id, a.name AS village_name,
      c.period_key AS period, c.lawsuits, c.disputes_received, c.disputes_settled, c.population,
      c.config_version, c.status, c.failed_lawsuits, c.failed_rate, c.failed_settled, c.note,
      c.recorded_by_name, c.version, c.updated_at
    FROM nolit_counts c
    JOIN areas a ON a.id = c.area AND a.tenant = {tenant}
    WHERE c.tenant = {tenant} AND c.program = {}
"""
_GET_COUNT = TenantStatement(_COUNTS + " AND c.id = {}")
_COUNT_FOR = TenantStatement(_COUNTS + " AND c.pilot = {} AND c.period_key = {}")


@lru_cache(maxsize=8)
def _count_page(filters: tuple[str, ...]) -> TenantStatement:
    conditions = "".join(f" AND c.{name} = {{}}" for name in filters)
    return TenantStatement(
        _COUNTS + conditions + " ORDER BY c.period_start DESC, a.division_code LIMIT {} OFFSET {}"
    )


def _count_row(row: dict[str, Any]) -> CountRow:
    flags = ("lawsuits", "rate", "settled")
    row["failed"] = [key for key in flags if row.pop(f"failed_{key}")]
    return as_row(CountRow, row)


async def get_count(ctx: TenantContext, program_id: UUID, count_id: UUID) -> CountRow:
    rows = await _GET_COUNT.fetch(ctx, program_id, count_id)
    if not rows:
        raise NotFound("未找到该统计记录")
    return _count_row(rows[0])


async def count_for(
    ctx: TenantContext, program_id: UUID, pilot_id: UUID, period_key: str
) -> CountRow | None:
    rows = await _COUNT_FOR.fetch(ctx, program_id, pilot_id, period_key)
    return _count_row(rows[0]) if rows else None


async def list_counts(
    ctx: TenantContext,
    program_id: UUID,
    *,
    village_id: UUID | None = None,
    period: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[CountRow], bool]:
    filters = {"area": village_id, "period_key": period}
    used = tuple(name for name, value in filters.items() if value is not None)
    args = [filters[name] for name in used]
    rows = await _count_page(used).fetch(ctx, program_id, *args, limit + 1, offset)
    return [_count_row(r) for r in rows[:limit]], len(rows) > limit


async def period_version(ctx: TenantContext, program_id: UUID, period_key: str) -> int | None:
    """The rubric version a period is bound to: the one its first count was evaluated under."""
    rows = (
        await scoped(ctx, LawsuitCount)
        .select(LawsuitCount.config_version)
        .where((LawsuitCount.program == program_id) & (LawsuitCount.period_key == period_key))
        .order_by(LawsuitCount.created_at)
        .first()
    )
    return int(rows["config_version"]) if rows else None


async def insert_count(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, LawsuitCount, **values)


async def update_count(
    ctx: TenantContext, program_id: UUID, count_id: UUID, expected: int, changes: dict[str, Any]
) -> None:
    if not await _update_versioned(ctx, LawsuitCount, program_id, count_id, expected, changes):
        await get_count(ctx, program_id, count_id)  # 404 when it is not this program's
        raise PreconditionFailed


# ---- statuses: computed by the database ------------------------------------------------------

# One row per pilot village of a program: its records inside [start, end), summed, and a status.
_PER_VILLAGE = """
    SELECT v.id AS pilot_id, v.area AS village_id, a.name AS village_name, a.division_code,
      v.population, COUNT(c.id) AS records, SUM(c.lawsuits) AS lawsuits,
      SUM(c.disputes_received) AS disputes_received, SUM(c.disputes_settled) AS disputes_settled,
      MAX(c.population) AS counted_population, MAX(c.failed_lawsuits) AS failed_lawsuits,
      MAX(c.failed_rate) AS failed_rate, MAX(c.failed_settled) AS failed_settled,
      MIN(c.config_version) AS config_version, MIN(CAST(c.id AS VARCHAR(36))) AS count_id,
      CASE WHEN COUNT(c.id) = 0 THEN 'missing'
           WHEN SUM(CASE WHEN c.status = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'
           ELSE 'met' END AS status
    FROM nolit_villages v
    JOIN areas a ON a.id = v.area AND a.tenant = {tenant}
    LEFT JOIN nolit_counts c ON c.pilot = v.id AND c.tenant = {tenant}
      AND c.period_start >= {} AND c.period_end <= {}
    WHERE v.tenant = {tenant} AND v.program = {}
    GROUP BY v.id, v.area, a.name, a.division_code, v.population
"""

_SUMMARY_COLUMNS = """
    SELECT COUNT(*) AS pilots,
      SUM(CASE WHEN s.status = 'met' THEN 1 ELSE 0 END) AS met,
      SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END) AS failed,
      SUM(CASE WHEN s.status = 'missing' THEN 1 ELSE 0 END) AS missing,
      SUM(s.lawsuits) AS lawsuits,
      SUM(CASE WHEN s.records > 0 THEN s.counted_population ELSE 0 END) AS counted_population,
      SUM(s.disputes_received) AS disputes_received, SUM(s.disputes_settled) AS disputes_settled
"""


@lru_cache(maxsize=8)
def _statuses(filters: tuple[str, ...]) -> TenantStatement:
    conditions = "".join(f" AND s.{name} = {{}}" for name in filters)
    return TenantStatement(
        f"SELECT * FROM ({_PER_VILLAGE}) s WHERE 1 = 1{conditions} ORDER BY s.division_code"
    )


@lru_cache(maxsize=4)
def _summary(filters: tuple[str, ...]) -> TenantStatement:
    conditions = "".join(f" AND s.{name} = {{}}" for name in filters)
    return TenantStatement(f"{_SUMMARY_COLUMNS} FROM ({_PER_VILLAGE}) s WHERE 1 = 1{conditions}")


def _uuid(value: Any) -> UUID | None:
    return None if value is None else as_uuid(value)


def _failed(row: dict[str, Any]) -> list[str]:
    return [key for key in ("lawsuits", "rate", "settled") if row.get(f"failed_{key}")]


def village_status(row: dict[str, Any]) -> VillageStatus:
    """A per-village row of the grouped query as a typed row (rates formatted exactly)."""
    records = int(row["records"])
    lawsuits = int(row["lawsuits"]) if records else None
    population = int(row["counted_population"] or row["population"] or 0)
    rate = rate_per_10k(lawsuits, population) if lawsuits is not None else None
    received, settled = row["disputes_received"], row["disputes_settled"]
    share = settled_percent(received, settled)
    return VillageStatus(
        pilot_id=_uuid(row["pilot_id"]),  # type: ignore[arg-type]
        village_id=_uuid(row["village_id"]),  # type: ignore[arg-type]
        village_name=row["village_name"],
        population=population,
        records=records,
        lawsuits=lawsuits,
        rate_per_10k=str(rate) if rate is not None else None,
        disputes_received=received,
        disputes_settled=settled,
        settled_percent=str(share) if share is not None else None,
        status=row["status"],
        failed=_failed(row),
        count_id=_uuid(row["count_id"]) if records == 1 else None,
        config_version=row["config_version"],
    )


async def village_statuses(
    ctx: TenantContext,
    program_id: UUID,
    start: date,
    end: date,
    *,
    village_id: UUID | None = None,
    status: str | None = None,
) -> list[VillageStatus]:
    filters = {"village_id": village_id, "status": status}
    used = tuple(name for name, value in filters.items() if value is not None)
    args = [filters[name] for name in used]
    rows = await _statuses(used).fetch(ctx, start, end, program_id, *args)
    return [village_status(row) for row in rows]


async def status_summary(
    ctx: TenantContext,
    program_id: UUID,
    start: date,
    end: date,
    label: str,
    *,
    village_id: UUID | None = None,
) -> StatusSummary:
    used = ("village_id",) if village_id is not None else ()
    args = [village_id] if village_id is not None else []
    row = (await _summary(used).fetch(ctx, start, end, program_id, *args))[0]
    pilots, met = int(row["pilots"] or 0), int(row["met"] or 0)
    lawsuits = int(row["lawsuits"] or 0)
    rate = rate_per_10k(lawsuits, int(row["counted_population"] or 0))
    share = settled_percent(pilots, met)  # the same exact percentage: met of all pilots
    return StatusSummary(
        period=label,
        pilots=pilots,
        met=met,
        failed=int(row["failed"] or 0),
        missing=int(row["missing"] or 0),
        met_percent=str(share) if share is not None else None,
        lawsuits=lawsuits,
        rate_per_10k=str(rate) if rate is not None and row["counted_population"] else None,
        disputes_received=int(row["disputes_received"] or 0),
        disputes_settled=int(row["disputes_settled"] or 0),
    )


# The tenant dashboard: every pilot village of every running or closed no-litigation program.
_TENANT_STATUSES = """
    SELECT p.id AS program_id, p.name AS program_name, v.id AS pilot_id, v.area AS village_id,
      a.name AS village_name, a.division_code, v.population, COUNT(c.id) AS records,
      SUM(c.lawsuits) AS lawsuits, SUM(c.disputes_received) AS disputes_received,
      SUM(c.disputes_settled) AS disputes_settled, MAX(c.population) AS counted_population,
      MAX(c.failed_lawsuits) AS failed_lawsuits, MAX(c.failed_rate) AS failed_rate,
      MAX(c.failed_settled) AS failed_settled, MIN(c.config_version) AS config_version,
      MIN(CAST(c.id AS VARCHAR(36))) AS count_id,
      CASE WHEN COUNT(c.id) = 0 THEN 'missing'
           WHEN SUM(CASE WHEN c.status = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'
           ELSE 'met' END AS status
    FROM programs p
    JOIN nolit_villages v ON v.program = p.id AND v.tenant = {tenant}
    JOIN areas a ON a.id = v.area AND a.tenant = {tenant}
    LEFT JOIN nolit_counts c ON c.pilot = v.id AND c.tenant = {tenant}
      AND c.period_start >= {} AND c.period_end <= {}
    WHERE p.tenant = {tenant} AND p.kind = 'no_litigation_village' AND p.status <> 'draft'
"""
_TENANT_GROUP = (
    " GROUP BY p.id, p.name, v.id, v.area, a.name, a.division_code, v.population"
    " ORDER BY p.name, a.division_code"
)
_TENANT_ALL = TenantStatement(_TENANT_STATUSES + _TENANT_GROUP)
_TENANT_VILLAGE = TenantStatement(_TENANT_STATUSES + " AND v.area = {}" + _TENANT_GROUP)


async def tenant_village_statuses(
    ctx: TenantContext, start: date, end: date, village_id: UUID | None = None
) -> list[tuple[UUID, str, VillageStatus]]:
    """(program id, program name, village status) for every pilot village of the tenant."""
    if village_id is None:
        rows = await _TENANT_ALL.fetch(ctx, start, end)
    else:
        rows = await _TENANT_VILLAGE.fetch(ctx, start, end, village_id)
    return [(_uuid(r["program_id"]), r["program_name"], village_status(r)) for r in rows]  # type: ignore[misc]


async def latest_period(ctx: TenantContext, program_id: UUID) -> str | None:
    """The key of the latest period with a count."""
    row = (
        await scoped(ctx, LawsuitCount)
        .select(LawsuitCount.period_key)
        .where(LawsuitCount.program == program_id)
        .order_by(LawsuitCount.period_start, ascending=False)
        .first()
    )
    return str(row["period_key"]) if row else None


async def period_keys(ctx: TenantContext, program_id: UUID) -> list[str]:
    """Every period with a count, latest first."""
    rows = (
        await scoped(ctx, LawsuitCount)
        .select(LawsuitCount.period_key)
        .where(LawsuitCount.program == program_id)
        .distinct()
        .order_by(LawsuitCount.period_key, ascending=False)
    )
    return [str(r["period_key"]) for r in rows]
