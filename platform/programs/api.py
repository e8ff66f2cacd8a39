"""Programs JSON API under /api/v1/t/{tenant}/programs: programs, their covered areas,
configuration versions, staff and activity log."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from programs import repo, services
from programs.repo import ActivityFilter
from programs.routes import RECORDERS
from programs.schemas import (
    ActivityCreate,
    ActivityId,
    ActivityRow,
    ConfigSave,
    ConfigVersion,
    ProgramAreasSet,
    ProgramCreate,
    ProgramDetail,
    ProgramId,
    ProgramListRow,
    ProgramUpdate,
    StaffAdd,
    StaffRow,
    Transition,
)
from tenants import repo as tenants_repo
from tenants.schemas import MembershipId
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.errors import NotFound
from wusong.core.tenancy import ADMIN, EVERYONE
from wusong.core.web import Ctx, access

ProgramKindParam = Literal[
    "mediation_studio",
    "shared_court",
    "no_litigation_village",
    "red_property",
    "village_rules",
    "help_team",
]
StatusParam = Literal["draft", "active", "closed"]
ActivityKindParam = Literal[
    "consultation",
    "guidance",
    "post_judgment_qa",
    "legal_education",
    "online_filing",
    "online_hearing",
]


def _detail(detail: ProgramDetail, status_code: int = 200) -> Response[ProgramDetail]:
    return Response(detail, status_code=status_code, headers={"ETag": etag(detail.program.version)})


class ProgramApi(Controller):
    path = "/programs"
    tags = ["programs"]

    @get("/", name="api.programs.list", opt=access(EVERYONE))
    async def list_programs(
        self,
        ctx: Ctx,
        kind: FromQuery[ProgramKindParam | None] = None,
        status: FromQuery[StatusParam | None] = None,
        mine: FromQuery[bool] = False,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> Page[ProgramListRow]:
        """Programs (oldest first); ``mine=true``: those the member staffs or that cover one
        of their work areas."""
        rows = await services.list_programs(ctx, kind=kind, status=status, mine=mine)
        return Page(
            items=rows[offset : offset + limit],
            offset=offset,
            limit=limit,
            has_more=offset + limit < len(rows),
            total=len(rows),
        )

    @post("/", name="api.programs.create", opt=access(ADMIN, writes=True), status_code=201)
    async def create_program(
        self, ctx: Ctx, data: JSONBody[ProgramCreate]
    ) -> Response[ProgramDetail]:
        """A new program in draft with configuration version 1 (``config``: its type's shape)."""
        program = await services.create_program(ctx, data)
        return _detail(await services.program_detail(ctx, program.id), 201)

    @get("/{program_id:uuid}", name="api.programs.detail", opt=access(EVERYONE))
    async def get_program(
        self, ctx: Ctx, program_id: FromPath[ProgramId]
    ) -> Response[ProgramDetail]:
        return _detail(await services.program_detail(ctx, program_id))

    @patch("/{program_id:uuid}", name="api.programs.update", opt=access(ADMIN, writes=True))
    async def update_program(
        self,
        ctx: Ctx,
        program_id: FromPath[ProgramId],
        data: JSONBody[ProgramUpdate],
        if_match: IfMatch = None,
    ) -> Response[ProgramDetail]:
        """Change the common fields (If-Match: the program's ETag)."""
        if not if_match:
            await repo.get_program(ctx, program_id)
        await services.update_program(ctx, program_id, data, expected_version(if_match))
        return _detail(await services.program_detail(ctx, program_id))

    @put("/{program_id:uuid}/areas", name="api.programs.set_areas", opt=access(ADMIN, writes=True))
    async def set_areas(
        self, ctx: Ctx, program_id: FromPath[ProgramId], data: JSONBody[ProgramAreasSet]
    ) -> Response[ProgramDetail]:
        """Replace the townships and villages the program covers."""
        await services.set_program_areas(ctx, program_id, data)
        return _detail(await services.program_detail(ctx, program_id))

    @post(
        "/{program_id:uuid}/activate",
        name="api.programs.activate",
        opt=access(ADMIN, writes=True),
        status_code=200,
    )
    async def activate(
        self, ctx: Ctx, program_id: FromPath[ProgramId], if_match: IfMatch = None
    ) -> Response[ProgramDetail]:
        """Draft → active; 409 with the reason when it is not ready (no covered areas, no start
        date, an incomplete configuration)."""
        version = expected_version(if_match) if if_match else None
        await services.activate_program(ctx, program_id, Transition(version=version))
        return _detail(await services.program_detail(ctx, program_id))

    @post(
        "/{program_id:uuid}/close",
        name="api.programs.close",
        opt=access(ADMIN, writes=True),
        status_code=200,
    )
    async def close(
        self, ctx: Ctx, program_id: FromPath[ProgramId], if_match: IfMatch = None
    ) -> Response[ProgramDetail]:
        """Active → closed."""
        version = expected_version(if_match) if if_match else None
        await services.close_program(ctx, program_id, Transition(version=version))
        return _detail(await services.program_detail(ctx, program_id))

    # ---- configuration -------------------------------------------------------------------

    @get("/{program_id:uuid}/config", name="api.programs.config", opt=access(EVERYONE))
    async def get_config(
        self, ctx: Ctx, program_id: FromPath[ProgramId]
    ) -> Response[ConfigVersion]:
        """The configuration in force; its ETag is its version number."""
        await repo.get_program(ctx, program_id)
        found = await repo.config_version(ctx, program_id)
        if found is None:
            raise NotFound("该项目还没有配置")
        return Response(found, headers={"ETag": etag(found.version_no)})

    @put(
        "/{program_id:uuid}/config",
        name="api.programs.save_config",
        opt=access(ADMIN, writes=True),
    )
    async def save_config(
        self,
        ctx: Ctx,
        program_id: FromPath[ProgramId],
        data: JSONBody[ConfigSave],
        if_match: IfMatch = None,
    ) -> Response[ConfigVersion]:
        """Save a new configuration version (If-Match: the version in force); past versions
        never change. A wrong configuration is a 422 naming ``config.<field>``."""
        if not if_match:
            await repo.get_program(ctx, program_id)
        saved = await services.save_config(ctx, program_id, data, expected_version(if_match))
        return Response(saved, headers={"ETag": etag(saved.version_no)})

    @get("/{program_id:uuid}/configs", name="api.programs.configs", opt=access(EVERYONE))
    async def config_history(
        self, ctx: Ctx, program_id: FromPath[ProgramId]
    ) -> list[ConfigVersion]:
        """Every saved configuration, the newest first (who saved it, when)."""
        await repo.get_program(ctx, program_id)
        return await repo.config_versions(ctx, program_id)

    # ---- staff ---------------------------------------------------------------------------

    @get("/{program_id:uuid}/staff", name="api.programs.staff", opt=access(EVERYONE))
    async def staff(self, ctx: Ctx, program_id: FromPath[ProgramId]) -> list[StaffRow]:
        return await services.list_staff(ctx, program_id)

    @post(
        "/{program_id:uuid}/staff",
        name="api.programs.staff_add",
        opt=access(ADMIN, writes=True),
        status_code=201,
    )
    async def add_staff(
        self, ctx: Ctx, program_id: FromPath[ProgramId], data: JSONBody[StaffAdd]
    ) -> StaffRow:
        return await services.add_staff(ctx, program_id, data)

    @delete(
        "/{program_id:uuid}/staff/{membership_id:uuid}",
        name="api.programs.staff_remove",
        opt=access(ADMIN, writes=True),
        status_code=204,
    )
    async def remove_staff(
        self,
        ctx: Ctx,
        program_id: FromPath[ProgramId],
        membership_id: FromPath[MembershipId],
    ) -> None:
        await services.remove_staff(ctx, program_id, membership_id)

    # ---- activities ----------------------------------------------------------------------

    @get("/{program_id:uuid}/activities", name="api.programs.activities", opt=access(EVERYONE))
    async def activities(
        self,
        ctx: Ctx,
        program_id: FromPath[ProgramId],
        kind: FromQuery[ActivityKindParam | None] = None,
        start: Annotated[date | None, QueryParameter(name="from")] = None,
        end: Annotated[date | None, QueryParameter(name="to")] = None,
        village: FromQuery[UUID | None] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> Page[ActivityRow]:
        """The program's activities, the newest first; ``from``/``to`` (inclusive ISO days),
        ``village`` (an area id), with the total."""
        program = await services.activity_program(ctx, program_id)
        f = ActivityFilter(kind=kind, start=start, end=end, village=village)
        rows, total = await repo.list_activities(ctx, program.id, f, offset=offset, limit=limit)
        names = {a.id: a.name for a in await tenants_repo.all_areas(ctx)}
        for row in rows:
            row.area_name = names.get(row.area_id, "") if row.area_id else ""
        return Page(
            items=rows, offset=offset, limit=limit, has_more=offset + len(rows) < total, total=total
        )

    @post(
        "/{program_id:uuid}/activities",
        name="api.programs.activity_create",
        opt=access(RECORDERS, writes=True),
        status_code=201,
    )
    async def log_activity(
        self, ctx: Ctx, program_id: FromPath[ProgramId], data: JSONBody[ActivityCreate]
    ) -> ActivityRow:
        """Log one activity (staff of the program, in their work areas, while it runs)."""
        row = await services.log_activity(ctx, program_id, data)
        names = {a.id: a.name for a in await tenants_repo.all_areas(ctx)}
        row.area_name = names.get(row.area_id, "") if row.area_id else ""
        return row

    @delete(
        "/{program_id:uuid}/activities/{activity_id:uuid}",
        name="api.programs.activity_delete",
        opt=access(RECORDERS, writes=True),
        status_code=204,
    )
    async def delete_activity(
        self, ctx: Ctx, program_id: FromPath[ProgramId], activity_id: FromPath[ActivityId]
    ) -> None:
        """Delete a mistaken entry (its recorder or an admin)."""
        await services.delete_activity(ctx, program_id, activity_id)
