"""The only module that queries the red-property tables, always through ``wusong.core.scoped``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from programs.red_property.schemas import ComplaintRow, ComplexRow, InspectionRow
from programs.red_property.tables import Complaint, Inspection, PropertyComplex
from wusong.core.db import as_row, as_rows, json_loaded
from wusong.core.errors import NotFound, PreconditionFailed
from wusong.core.scoped import insert, scoped
from wusong.core.tenancy import TenantContext

_COMPLEX_COLUMNS = (
    PropertyComplex.id,
    PropertyComplex.program.as_alias("program_id"),
    PropertyComplex.area.as_alias("area_id"),
    PropertyComplex.area.name.as_alias("area_name"),
    PropertyComplex.name,
    PropertyComplex.address,
    PropertyComplex.company,
    PropertyComplex.households,
    PropertyComplex.active,
    PropertyComplex.rated_on,
    PropertyComplex.rated_stars,
    PropertyComplex.rated_fee_level,
    PropertyComplex.rated_until,
    PropertyComplex.version,
    PropertyComplex.updated_at,
)


@dataclass(frozen=True)
class ComplexFilter:
    """What a complex list shows. ``due``: expired | soon (within 30 days) | never | lapsed
    (never or expired) | any (any of these)."""

    village: UUID | None = None
    areas: frozenset[UUID] | None = None  # the member's work areas (None: everywhere)
    stars: int | None = None
    due: str = ""
    q: str = ""
    active: bool | None = True


def _in_areas(column: Any, parent: Any, areas: frozenset[UUID]) -> Any:
    ids = list(areas) or [UUID(int=0)]
    return column.is_in(ids) | parent.is_in(ids)


async def list_complexes(
    ctx: TenantContext,
    program_id: UUID,
    filters: ComplexFilter,
    today: date,
    soon: date,
    *,
    limit: int = 500,
    offset: int = 0,
) -> list[ComplexRow]:
    c = PropertyComplex
    query = scoped(ctx, c).select(*_COMPLEX_COLUMNS).where(c.program == program_id)
    if filters.active is not None:
        query = query.where(c.active == filters.active)
    if filters.village is not None:
        query = query.where((c.area == filters.village) | (c.area.parent == filters.village))
    if filters.areas is not None:
        query = query.where(_in_areas(c.area, c.area.parent, filters.areas))
    if filters.stars is not None:
        query = query.where((c.rated_stars == filters.stars) & (c.rated_until >= today))
    if filters.due == "expired":
        query = query.where(c.rated_until < today)
    elif filters.due == "soon":
        query = query.where((c.rated_until >= today) & (c.rated_until <= soon))
    elif filters.due == "never":
        query = query.where(c.rated_until.is_null())
    elif filters.due == "lapsed":
        query = query.where(c.rated_until.is_null() | (c.rated_until < today))
    elif filters.due == "any":
        query = query.where(c.rated_until.is_null() | (c.rated_until <= soon))
    if filters.q:
        query = query.where(c.name.ilike(f"%{_like(filters.q)}%"))
    rows = await query.order_by(c.area.name).order_by(c.name).limit(limit).offset(offset)
    return as_rows(ComplexRow, rows)


def _like(text: str) -> str:
    return text.replace("%", "").replace("_", "")


async def get_complex(ctx: TenantContext, program_id: UUID, complex_id: UUID) -> ComplexRow:
    c = PropertyComplex
    row = (
        await scoped(ctx, c)
        .select(*_COMPLEX_COLUMNS)
        .where((c.id == complex_id) & (c.program == program_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该小区")
    return as_row(ComplexRow, row)


async def complex_name_taken(
    ctx: TenantContext, program_id: UUID, name: str, other_than: UUID | None = None
) -> bool:
    c = PropertyComplex
    query = scoped(ctx, c).exists().where((c.program == program_id) & (c.name == name))
    if other_than is not None:
        query = query.where(c.id != other_than)
    return bool(await query)


async def insert_complex(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, PropertyComplex, **values)


async def update_complex(
    ctx: TenantContext,
    program_id: UUID,
    complex_id: UUID,
    expected_version: int,
    changes: dict[str, Any],
) -> None:
    """Apply changes if the row is still at ``expected_version`` (optimistic locking)."""
    c = PropertyComplex
    rows = (
        await scoped(ctx, c)
        .update({**changes, "updated_at": datetime.now(UTC), "version": expected_version + 1})
        .where((c.id == complex_id) & (c.program == program_id) & (c.version == expected_version))
        .returning(c.id)
    )
    if not rows:
        await get_complex(ctx, program_id, complex_id)
        raise PreconditionFailed


# ---- inspections ---------------------------------------------------------------------------

_INSPECTION_COLUMNS = (
    Inspection.id,
    Inspection.program.as_alias("program_id"),
    Inspection.property_complex.as_alias("complex_id"),
    Inspection.property_complex.name.as_alias("complex_name"),
    Inspection.inspected_on,
    Inspection.config_version,
    Inspection.scores,
    Inspection.vetoes,
    Inspection.score,
    Inspection.stars,
    Inspection.fee_level,
    Inspection.fee_ceiling_fen,
    Inspection.valid_until,
    Inspection.notes,
    Inspection.inspector_name,
    Inspection.created_at,
)


def _loaded(row: dict[str, Any]) -> dict[str, Any]:
    return json_loaded(row, "scores", "vetoes")


async def insert_inspection(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, Inspection, **values)


async def refresh_rating(ctx: TenantContext, complex_id: UUID) -> None:
    """Keep the complex's latest inspection (by date, then by entry) on the complex."""
    i = Inspection
    latest = (
        await scoped(ctx, i)
        .select(i.id, i.inspected_on, i.stars, i.fee_level, i.valid_until)
        .where(i.property_complex == complex_id)
        .order_by(i.inspected_on, ascending=False)
        .order_by(i.created_at, ascending=False)
        .first()
    )
    if latest is None:
        return
    c = PropertyComplex
    await (
        scoped(ctx, c)
        .update(
            {
                c.latest_inspection: latest["id"],
                c.rated_on: latest["inspected_on"],
                c.rated_stars: latest["stars"],
                c.rated_fee_level: latest["fee_level"],
                c.rated_until: latest["valid_until"],
            }
        )
        .where(c.id == complex_id)
    )


@dataclass(frozen=True)
class RecordFilter:
    """What inspections and complaints are filtered on: the complex, where and when."""

    complex_id: UUID | None = None
    village: UUID | None = None
    areas: frozenset[UUID] | None = None
    start: date | None = None
    end: date | None = None  # exclusive


def _records(query: Any, table: Any, day: Any, filters: RecordFilter) -> Any:
    area: Any = table.property_complex.area
    if filters.complex_id is not None:
        query = query.where(table.property_complex == filters.complex_id)
    if filters.village is not None:
        query = query.where((area == filters.village) | (area.parent == filters.village))
    if filters.areas is not None:
        query = query.where(_in_areas(area, area.parent, filters.areas))
    if filters.start is not None:
        query = query.where(day >= filters.start)
    if filters.end is not None:
        query = query.where(day < filters.end)
    return query


@dataclass(frozen=True)
class InspectionFilter(RecordFilter):
    stars: int | None = None


async def list_inspections(
    ctx: TenantContext,
    program_id: UUID,
    filters: InspectionFilter,
    *,
    limit: int = 200,
    offset: int = 0,
) -> list[InspectionRow]:
    i = Inspection
    query = scoped(ctx, i).select(*_INSPECTION_COLUMNS).where(i.program == program_id)
    query = _records(query, i, i.inspected_on, filters)
    if filters.stars is not None:
        query = query.where(i.stars == filters.stars)
    rows = (
        await query.order_by(i.inspected_on, ascending=False)
        .order_by(i.created_at, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return as_rows(InspectionRow, [_loaded(r) for r in rows])


async def get_inspection(
    ctx: TenantContext, program_id: UUID, inspection_id: UUID
) -> InspectionRow:
    i = Inspection
    row = (
        await scoped(ctx, i)
        .select(*_INSPECTION_COLUMNS)
        .where((i.id == inspection_id) & (i.program == program_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该督察记录")
    return as_row(InspectionRow, _loaded(row))


# ---- complaints ----------------------------------------------------------------------------

_COMPLAINT_COLUMNS = (
    Complaint.id,
    Complaint.program.as_alias("program_id"),
    Complaint.property_complex.as_alias("complex_id"),
    Complaint.property_complex.name.as_alias("complex_name"),
    Complaint.received_on,
    Complaint.category,
    Complaint.collective,
    Complaint.summary,
    Complaint.status,
    Complaint.recorded_by_name,
    Complaint.version,
)


@dataclass(frozen=True)
class ComplaintFilter(RecordFilter):
    collective: bool | None = None
    status: str = ""
    category: str = ""


async def insert_complaint(ctx: TenantContext, values: dict[str, Any]) -> UUID:
    return await insert(ctx, Complaint, **values)


async def list_complaints(
    ctx: TenantContext,
    program_id: UUID,
    filters: ComplaintFilter,
    *,
    limit: int = 200,
    offset: int = 0,
) -> list[ComplaintRow]:
    k = Complaint
    query = scoped(ctx, k).select(*_COMPLAINT_COLUMNS).where(k.program == program_id)
    query = _records(query, k, k.received_on, filters)
    if filters.collective is not None:
        query = query.where(k.collective == filters.collective)
    if filters.status:
        query = query.where(k.status == filters.status)
    if filters.category:
        query = query.where(k.category == filters.category)
    rows = (
        await query.order_by(k.received_on, ascending=False)
        .order_by(k.created_at, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return as_rows(ComplaintRow, rows)


async def get_complaint(ctx: TenantContext, program_id: UUID, complaint_id: UUID) -> ComplaintRow:
    k = Complaint
    row = (
        await scoped(ctx, k)
        .select(*_COMPLAINT_COLUMNS)
        .where((k.id == complaint_id) & (k.program == program_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该投诉")
    return as_row(ComplaintRow, row)


async def set_complaint_status(
    ctx: TenantContext, complaint_id: UUID, status: str, expected_version: int
) -> None:
    k = Complaint
    rows = (
        await scoped(ctx, k)
        .update({k.status: status, k.version: expected_version + 1})
        .where((k.id == complaint_id) & (k.version == expected_version))
        .returning(k.id)
    )
    if not rows:
        raise PreconditionFailed
