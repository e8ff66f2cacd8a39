"""No-litigation village JSON API under /api/v1/t/{tenant}/programs/{program_id}/no-litigation."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from programs.no_litigation import repo, services
from programs.no_litigation.routes import WRITERS
from programs.no_litigation.schemas import (
    CountCreate,
    CountId,
    CountRow,
    CountUpdate,
    NoLitigationProgramId,
    PilotCreate,
    PilotId,
    PilotRow,
    PilotUpdate,
    RubricIn,
    RubricOut,
    StatusPage,
)
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.tenancy import ADMIN, EVERYONE
from wusong.core.web import Ctx, access

StatusFilter = Literal["met", "failed", "missing"]


class NoLitigationApi(Controller):
    path = "/programs/{program_id:uuid}/no-litigation"
    tags = ["programs"]

    @get("/rubric", name="api.no_litigation.rubric", opt=access(EVERYONE))
    async def get_rubric(
        self, ctx: Ctx, program_id: FromPath[NoLitigationProgramId]
    ) -> Response[RubricOut]:
        """The rubric in force; its ETag is the configuration version."""
        await services.no_litigation_program(ctx, program_id)
        found = await services.rubric(ctx, program_id)
        return Response(found, headers={"ETag": etag(found.version_no)})

    @put("/rubric", name="api.no_litigation.rubric.save", opt=access(ADMIN, writes=True))
    async def save_rubric(
        self,
        ctx: Ctx,
        program_id: FromPath[NoLitigationProgramId],
        data: JSONBody[RubricIn],
        if_match: IfMatch = None,
    ) -> Response[RubricOut]:
        """Save the rubric as a new version (If-Match: the version it replaces). Periods
        already evaluated keep the version they were evaluated under."""
        if not if_match:
            await services.no_litigation_program(ctx, program_id)
        config = msgspec.to_builtins(data.config)
        saved = await services.save_rubric(ctx, program_id, config, expected_version(if_match))
        return Response(saved, headers={"ETag": etag(saved.version_no)})

    # ---- pilot villages ------------------------------------------------------------------

    @get("/villages", name="api.no_litigation.villages", opt=access(EVERYONE))
    async def list_villages(
        self,
        ctx: Ctx,
        program_id: FromPath[NoLitigationProgramId],
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> Page[PilotRow]:
        await services.no_litigation_program(ctx, program_id)
        rows = await repo.list_pilots(ctx, program_id)
        items = rows[offset : offset + limit]
        return Page(items, offset, limit, offset + limit < len(rows), len(rows))

    @post(
        "/villages",
        name="api.no_litigation.villages.add",
        opt=access(ADMIN, writes=True),
        status_code=201,
    )
    async def add_village(
        self, ctx: Ctx, program_id: FromPath[NoLitigationProgramId], data: JSONBody[PilotCreate]
    ) -> Response[PilotRow]:
        row = await services.add_pilot(ctx, program_id, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @get("/villages/{pilot_id:uuid}", name="api.no_litigation.village", opt=access(EVERYONE))
    async def get_village(
        self, ctx: Ctx, program_id: FromPath[NoLitigationProgramId], pilot_id: FromPath[PilotId]
    ) -> Response[PilotRow]:
        row = await repo.get_pilot(ctx, program_id, pilot_id)
        return Response(row, headers={"ETag": etag(row.version)})

    @patch(
        "/villages/{pilot_id:uuid}",
        name="api.no_litigation.village.update",
        opt=access(ADMIN, writes=True),
    )
    async def update_village(
        self,
        ctx: Ctx,
        program_id: FromPath[NoLitigationProgramId],
        pilot_id: FromPath[PilotId],
        data: JSONBody[PilotUpdate],
        if_match: IfMatch = None,
    ) -> Response[PilotRow]:
        if not if_match:
            await repo.get_pilot(ctx, program_id, pilot_id)
        row = await services.update_pilot(
            ctx, program_id, pilot_id, data, expected_version(if_match)
        )
        return Response(row, headers={"ETag": etag(row.version)})

    # ---- counts --------------------------------------------------------------------------

    @get("/counts", name="api.no_litigation.counts", opt=access(EVERYONE))
    async def list_counts(
        self,
        ctx: Ctx,
        program_id: FromPath[NoLitigationProgramId],
        village_id: FromQuery[UUID | None] = None,
        period: FromQuery[str | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[CountRow]:
        """Counts, latest period first; ``village_id`` and ``period`` (2024, 2024-Q3) filter."""
        await services.no_litigation_program(ctx, program_id)
        rows, has_more = await repo.list_counts(
            ctx, program_id, village_id=village_id, period=period, offset=offset, limit=limit
        )
        return Page(rows, offset, limit, has_more)

    @post(
        "/counts", name="api.no_litigation.counts.add", opt=access(WRITERS, writes=True),
        status_code=201,
    )  # fmt: skip
    async def add_count(
        self, ctx: Ctx, program_id: FromPath[NoLitigationProgramId], data: JSONBody[CountCreate]
    ) -> Response[CountRow]:
        """A village's counts for a period; a second entry for the same village and period is a
        409 (correct the existing record with PATCH instead)."""
        row = await services.record_count(ctx, program_id, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @get("/counts/{count_id:uuid}", name="api.no_litigation.count", opt=access(EVERYONE))
    async def get_count(
        self, ctx: Ctx, program_id: FromPath[NoLitigationProgramId], count_id: FromPath[CountId]
    ) -> Response[CountRow]:
        row = await repo.get_count(ctx, program_id, count_id)
        return Response(row, headers={"ETag": etag(row.version)})

    @patch(
        "/counts/{count_id:uuid}",
        name="api.no_litigation.count.update",
        opt=access(WRITERS, writes=True),
    )
    async def update_count(
        self,
        ctx: Ctx,
        program_id: FromPath[NoLitigationProgramId],
        count_id: FromPath[CountId],
        data: JSONBody[CountUpdate],
        if_match: IfMatch = None,
    ) -> Response[CountRow]:
        if not if_match:
            await repo.get_count(ctx, program_id, count_id)
        row = await services.correct_count(
            ctx, program_id, count_id, data, expected_version(if_match)
        )
        return Response(row, headers={"ETag": etag(row.version)})

    # ---- statuses ------------------------------------------------------------------------

    @get("/statuses", name="api.no_litigation.statuses", opt=access(EVERYONE))
    async def statuses(
        self,
        ctx: Ctx,
        program_id: FromPath[NoLitigationProgramId],
        period: FromQuery[str | None] = None,
        village_id: FromQuery[UUID | None] = None,
        status: FromQuery[StatusFilter | None] = None,
    ) -> StatusPage:
        """Each pilot village's status in ``period`` (default: the latest with counts) and the
        share of villages that meet the rubric."""
        await services.no_litigation_program(ctx, program_id)
        current = await services.rubric(ctx, program_id)
        chosen = await services.choose_period(
            ctx, program_id, current.config.granularity, period or ""
        )
        rows = await repo.village_statuses(
            ctx, program_id, chosen.start, chosen.end, village_id=village_id, status=status
        )
        summary = await repo.status_summary(
            ctx, program_id, chosen.start, chosen.end, chosen.key, village_id=village_id
        )
        return StatusPage(summary=summary, villages=rows)
