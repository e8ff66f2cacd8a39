"""Red property JSON API under /api/v1/t/{tenant}/programs/{program_id}/… (the programs tag)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from programs.red_property import repo, services
from programs.red_property.schemas import (
    ComplaintCreate,
    ComplaintId,
    ComplaintRow,
    ComplaintUpdate,
    ComplexCreate,
    ComplexId,
    ComplexRow,
    ComplexUpdate,
    InspectionCreate,
    InspectionRow,
    RatingRow,
    RedProgramId,
    RubricOut,
    RubricSave,
)
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.tenancy import ADMIN, EVERYONE, Role
from wusong.core.web import Ctx, access

INSPECTORS = frozenset({Role.INSPECTOR})
COMPLAINT_ROLES = services.COMPLAINT_ROLES
Due = Literal["any", "expired", "soon", "never", "lapsed"]


class RedPropertyApi(Controller):
    path = "/programs/{program_id:uuid}"
    tags = ["programs"]

    @get("/complexes", name="api.red_property.complexes", opt=access(EVERYONE))
    async def list_complexes(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        village: FromQuery[UUID | None] = None,
        stars: FromQuery[int | None] = None,
        due: FromQuery[Due | None] = None,
        q: FromQuery[str] = "",
        active: FromQuery[bool] = True,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[ComplexRow]:
        """Complexes of the program; ``stars``: current rating; ``due``: due for re-inspection
        (expired, expiring within 30 days, never rated, or any of these)."""
        await services.get_program(ctx, program_id)
        today = services.today()
        filters = repo.ComplexFilter(
            village=village, stars=stars, due=due or "", q=q.strip()[:40], active=active
        )
        rows = await repo.list_complexes(
            ctx, program_id, filters, today, today + timedelta(days=30),
            limit=limit + 1, offset=offset,
        )  # fmt: skip
        return Page(items=rows[:limit], offset=offset, limit=limit, has_more=len(rows) > limit)

    @post(
        "/complexes",
        name="api.red_property.complexes.create",
        opt=access(ADMIN, writes=True),
        status_code=201,
    )
    async def create_complex(
        self, ctx: Ctx, program_id: FromPath[RedProgramId], data: JSONBody[ComplexCreate]
    ) -> Response[ComplexRow]:
        row = await services.create_complex(ctx, program_id, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @get("/complexes/{complex_id:uuid}", name="api.red_property.complex", opt=access(EVERYONE))
    async def get_complex(
        self, ctx: Ctx, program_id: FromPath[RedProgramId], complex_id: FromPath[ComplexId]
    ) -> Response[ComplexRow]:
        row = await repo.get_complex(ctx, program_id, complex_id)
        return Response(row, headers={"ETag": etag(row.version)})

    @patch(
        "/complexes/{complex_id:uuid}",
        name="api.red_property.complexes.update",
        opt=access(ADMIN, writes=True),
    )
    async def update_complex(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: JSONBody[ComplexUpdate],
        if_match: IfMatch = None,
    ) -> Response[ComplexRow]:
        """Edit or deactivate (``{"active": false}``) a complex; If-Match: its ETag."""
        if not if_match:
            await repo.get_complex(ctx, program_id, complex_id)
        row = await services.update_complex(
            ctx, program_id, complex_id, data, expected_version(if_match)
        )
        return Response(row, headers={"ETag": etag(row.version)})

    @get("/rubric", name="api.red_property.rubric", opt=access(EVERYONE))
    async def get_rubric(self, ctx: Ctx, program_id: FromPath[RedProgramId]) -> Response[RubricOut]:
        rubric = await services.rubric_out(ctx, program_id)
        return Response(rubric, headers={"ETag": etag(rubric.version_no)})

    @put("/rubric", name="api.red_property.rubric.save", opt=access(ADMIN, writes=True))
    async def save_rubric(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        data: JSONBody[RubricSave],
        if_match: IfMatch = None,
    ) -> Response[RubricOut]:
        """Save a new rubric version; If-Match: the ETag of the version it replaces."""
        if not if_match:
            await services.get_program(ctx, program_id)
        rubric = await services.save_rubric(ctx, program_id, data, expected_version(if_match))
        return Response(rubric, headers={"ETag": etag(rubric.version_no)})

    @get("/inspections", name="api.red_property.inspections", opt=access(EVERYONE))
    async def list_inspections(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        complex_id: FromQuery[UUID | None] = None,
        village: FromQuery[UUID | None] = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        stars: FromQuery[int | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[InspectionRow]:
        """Inspections, newest first; ``date_from``/``date_to`` inclusive."""
        await services.get_program(ctx, program_id)
        filters = repo.InspectionFilter(
            complex_id=complex_id, village=village, start=date_from,
            end=date_to + timedelta(days=1) if date_to else None, stars=stars,
        )  # fmt: skip
        rows = await repo.list_inspections(ctx, program_id, filters, limit=limit + 1, offset=offset)
        return Page(items=rows[:limit], offset=offset, limit=limit, has_more=len(rows) > limit)

    @post(
        "/complexes/{complex_id:uuid}/inspections",
        name="api.red_property.inspections.create",
        opt=access(INSPECTORS, writes=True),
        status_code=201,
    )
    async def record_inspection(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: JSONBody[InspectionCreate],
    ) -> InspectionRow:
        """Record an inspection (property inspectors only); the rating is computed."""
        return await services.record_inspection(ctx, program_id, complex_id, data)

    @get("/ratings", name="api.red_property.ratings", opt=access(EVERYONE))
    async def ratings(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[RatingRow]:
        """Every active complex's current rating (stars null: never rated or expired)."""
        await services.get_program(ctx, program_id)
        today = services.today()
        rows = await repo.list_complexes(
            ctx, program_id, repo.ComplexFilter(), today, today,
            limit=limit + 1, offset=offset,
        )  # fmt: skip
        items = [
            RatingRow(
                complex_id=r.id,
                complex_name=r.name,
                stars=r.rated_stars if r.rating_valid(today) else None,
                fee_level=r.rated_fee_level if r.rating_valid(today) else "",
                rated_on=r.rated_on,
                valid_until=r.rated_until,
                valid=r.rating_valid(today),
            )
            for r in rows[:limit]
        ]
        return Page(items=items, offset=offset, limit=limit, has_more=len(rows) > limit)

    @get("/complaints", name="api.red_property.complaints", opt=access(EVERYONE))
    async def list_complaints(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        complex_id: FromQuery[UUID | None] = None,
        village: FromQuery[UUID | None] = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        collective: FromQuery[bool | None] = None,
        status: FromQuery[Literal["open", "handled"] | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[ComplaintRow]:
        await services.get_program(ctx, program_id)
        filters = repo.ComplaintFilter(
            complex_id=complex_id, village=village, start=date_from,
            end=date_to + timedelta(days=1) if date_to else None,
            collective=collective, status=status or "",
        )  # fmt: skip
        rows = await repo.list_complaints(ctx, program_id, filters, limit=limit + 1, offset=offset)
        return Page(items=rows[:limit], offset=offset, limit=limit, has_more=len(rows) > limit)

    @post(
        "/complexes/{complex_id:uuid}/complaints",
        name="api.red_property.complaints.create",
        opt=access(COMPLAINT_ROLES, writes=True),
        status_code=201,
    )
    async def record_complaint(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        complex_id: FromPath[ComplexId],
        data: JSONBody[ComplaintCreate],
    ) -> Response[ComplaintRow]:
        row = await services.record_complaint(ctx, program_id, complex_id, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @patch(
        "/complaints/{complaint_id:uuid}",
        name="api.red_property.complaints.update",
        opt=access(COMPLAINT_ROLES, writes=True),
    )
    async def update_complaint(
        self,
        ctx: Ctx,
        program_id: FromPath[RedProgramId],
        complaint_id: FromPath[ComplaintId],
        data: JSONBody[ComplaintUpdate],
        if_match: IfMatch = None,
    ) -> Response[ComplaintRow]:
        """Mark a complaint handled or open; If-Match: its ETag."""
        if not if_match:
            await repo.get_complaint(ctx, program_id, complaint_id)
        version = expected_version(if_match)
        update = ComplaintUpdate(status=data.status, version=version)
        row = await services.update_complaint(ctx, program_id, complaint_id, update)
        return Response(row, headers={"ETag": etag(row.version)})
