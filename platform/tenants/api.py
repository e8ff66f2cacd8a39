"""Tenants JSON API under /api/v1/t/{tenant}: bearer tokens only, errors as JSON naming fields."""

from __future__ import annotations

from typing import Literal, get_args
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from tenants import audit, repo, services
from tenants.schemas import (
    AREA_KINDS,
    AreaCreate,
    AreaId,
    AreaRow,
    AreaUpdate,
    AuditEventRow,
    MemberAreas,
    MemberAreasSet,
    MemberRow,
    MembershipId,
    MeOut,
    TokenCreate,
    TokenCreated,
    TokenId,
    TokenRow,
)
from wusong.core.api import IfMatch, Limit, Offset, Page, etag, expected_version
from wusong.core.domain import CatalogDep
from wusong.core.tenancy import ADMIN, EVERYONE
from wusong.core.web import Ctx, access

# The area kinds as a query parameter: validated (a 422 naming ``kind``) and listed in the OpenAPI.
AreaKind = Literal["township", "village"]
assert set(get_args(AreaKind)) == set(AREA_KINDS), "AreaKind lists the kinds of AREA_KINDS"


class TenantApi(Controller):
    path = "/"
    tags = ["tenants"]

    @get("/me", name="api.me", opt=access(EVERYONE))
    async def me(self, ctx: Ctx) -> MeOut:
        member = await repo.member_by_user(ctx, ctx.acting_user)
        assert member is not None  # the middleware checked the membership in this request
        return MeOut(
            user_id=member.user_id,
            username=member.username,
            display_name=member.display_name,
            tenant=ctx.tenant_slug,
            tenant_name=ctx.tenant_name,
            role=member.role,
        )

    @get("/areas", name="api.areas.list", opt=access(EVERYONE))
    async def list_areas(
        self,
        ctx: Ctx,
        kind: FromQuery[AreaKind | None] = None,
        parent_id: FromQuery[UUID | None] = None,
        active: FromQuery[bool | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
        count: FromQuery[bool] = False,
    ) -> Page[AreaRow]:
        """A page of areas ordered by division code; ``count=true`` adds the total."""
        rows, has_more, total = await repo.list_areas(
            ctx,
            offset=offset,
            limit=limit,
            kind=kind,
            parent_id=parent_id,
            active=active,
            with_total=count,
        )
        return Page(items=rows, offset=offset, limit=limit, has_more=has_more, total=total)

    @post("/areas", name="api.areas.create", opt=access(ADMIN, writes=True), status_code=201)
    async def create_area(self, ctx: Ctx, data: JSONBody[AreaCreate]) -> Response[AreaRow]:
        row = await services.create_area(ctx, data)
        return Response(row, status_code=201, headers={"ETag": etag(row.version)})

    @get("/areas/{area_id:uuid}", name="api.areas.detail", opt=access(EVERYONE))
    async def get_area(self, ctx: Ctx, area_id: FromPath[AreaId]) -> Response[AreaRow]:
        row = await repo.get_area(ctx, area_id)
        return Response(row, headers={"ETag": etag(row.version)})

    @patch("/areas/{area_id:uuid}", name="api.areas.update", opt=access(ADMIN, writes=True))
    async def update_area(
        self,
        ctx: Ctx,
        area_id: FromPath[AreaId],
        data: JSONBody[AreaUpdate],
        if_match: IfMatch = None,
    ) -> Response[AreaRow]:
        if not if_match:  # an id that is not ours is a 404 before a missing header is a 428
            await repo.get_area(ctx, area_id)
        row = await services.update_area(ctx, area_id, data, expected_version(if_match))
        return Response(row, headers={"ETag": etag(row.version)})

    @get("/users", name="api.users.list", opt=access(ADMIN))
    async def list_users(self, ctx: Ctx) -> list[MemberRow]:
        return await repo.list_members(ctx)

    @get("/users/{member_id:uuid}/areas", name="api.users.areas", opt=access(ADMIN))
    async def member_areas(self, ctx: Ctx, member_id: FromPath[MembershipId]) -> MemberAreas:
        """Where the member works: ``county`` (the whole county) or ``area_ids``."""
        return await services.member_areas(ctx, member_id)

    @put(
        "/users/{member_id:uuid}/areas",
        name="api.users.set_areas",
        opt=access(ADMIN, writes=True),
    )
    async def set_member_areas(
        self, ctx: Ctx, member_id: FromPath[MembershipId], data: JSONBody[MemberAreasSet]
    ) -> MemberAreas:
        """Replace where the member works (townships cover their villages)."""
        return await services.set_member_areas(ctx, member_id, data)

    @get("/tokens", name="api.tokens.list", opt=access(EVERYONE))
    async def list_tokens(self, ctx: Ctx) -> list[TokenRow]:
        return await repo.list_tokens(ctx, ctx.acting_user)

    @post("/tokens", name="api.tokens.create", opt=access(EVERYONE, writes=True), status_code=201)
    async def create_token(self, ctx: Ctx, data: JSONBody[TokenCreate]) -> TokenCreated:
        return await services.create_token(ctx, ctx.acting_user, data)

    @delete(
        "/tokens/{token_id:uuid}",
        name="api.tokens.revoke",
        opt=access(EVERYONE, writes=True),
        status_code=204,
    )
    async def revoke_token(self, ctx: Ctx, token_id: FromPath[TokenId]) -> None:
        await services.revoke_token(ctx, ctx.acting_user, token_id)

    @get("/audit", name="api.audit.list", opt=access(ADMIN))
    async def list_audit(
        self,
        ctx: Ctx,
        catalog: CatalogDep,
        action: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        object_type: FromQuery[str | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[AuditEventRow]:
        rows, total = await audit.list_events(
            ctx,
            audit.AuditFilter(action=action, actor=actor, object_type=object_type),
            catalog.audit_actions,
            offset=offset,
            limit=limit,
        )
        total = total or 0
        return Page(
            items=rows, offset=offset, limit=limit, has_more=offset + len(rows) < total, total=total
        )
