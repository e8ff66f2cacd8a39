"""Tenants JSON API under /api/v1/t/{tenant}: bearer tokens only, errors as JSON naming fields."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from tenants import audit, repo, services
from tenants.schemas import (
    AREA_KINDS,
    AreaCreate,
    AreaOut,
    AreaUpdate,
    AuditEventOut,
    MemberOut,
    MeOut,
    Page,
    TokenCreate,
    TokenCreated,
    TokenOut,
)
from wusong.errors import Forbidden, PreconditionFailed, PreconditionRequired
from wusong.web import Ctx

ADMIN = {"admin"}
Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    """The version a client last saw, from If-Match; 428 when absent, 412 when unparseable."""
    if not if_match:
        raise PreconditionRequired
    value = if_match.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise PreconditionFailed
    return int(value)


def _area(row: dict[str, Any]) -> AreaOut:
    return AreaOut(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        division_code=row["division_code"],
        parent_id=row["parent_id"],
        active=bool(row["active"]),
        version=row["version"],
        updated_at=row["updated_at"],
    )


class TenantApi(Controller):
    path = "/"
    tags = ["tenants"]

    @get("/me", name="api.me")
    async def me(self, ctx: Ctx) -> MeOut:
        member = await repo.member_by_user(ctx, ctx.user_id) if ctx.user_id else None
        if member is None:  # pragma: no cover - the middleware already checked membership
            raise Forbidden
        return MeOut(
            user_id=member["user_id"],
            username=member["username"],
            display_name=member["display_name"],
            tenant=ctx.tenant_slug,
            tenant_name=ctx.tenant_name,
            role=ctx.role,
        )

    @get("/areas", name="api.areas.list")
    async def list_areas(
        self,
        ctx: Ctx,
        kind: FromQuery[str | None] = None,
        parent_id: FromQuery[UUID | None] = None,
        active: FromQuery[bool | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
        count: FromQuery[bool] = False,
    ) -> Page:
        """A page of areas ordered by division code; ``count=true`` adds the total."""
        rows, has_more, total = await repo.list_areas(
            ctx,
            offset=offset,
            limit=limit,
            kind=kind if kind in AREA_KINDS else None,
            parent_id=parent_id,
            active=active,
            with_total=count,
        )
        return Page(
            items=[_area(r) for r in rows],
            offset=offset,
            limit=limit,
            has_more=has_more,
            total=total,
        )

    @post("/areas", name="api.areas.create", opt={"roles": ADMIN}, status_code=201)
    async def create_area(self, ctx: Ctx, data: JSONBody[AreaCreate]) -> Response[AreaOut]:
        row = await services.create_area(
            ctx,
            {
                "kind": data.kind,
                "name": data.name,
                "division_code": data.division_code,
                "parent_id": data.parent_id,
            },
        )
        return Response(_area(row), status_code=201, headers={"ETag": etag(row["version"])})

    @get("/areas/{area_id:uuid}", name="api.areas.detail")
    async def get_area(self, ctx: Ctx, area_id: FromPath[UUID]) -> Response[AreaOut]:
        row = await repo.get_area(ctx, area_id)
        return Response(_area(row), headers={"ETag": etag(row["version"])})

    @patch("/areas/{area_id:uuid}", name="api.areas.update", opt={"roles": ADMIN})
    async def update_area(
        self,
        ctx: Ctx,
        area_id: FromPath[UUID],
        data: JSONBody[AreaUpdate],
        if_match: IfMatch = None,
    ) -> Response[AreaOut]:
        await repo.get_area(ctx, area_id)  # 404 before 428 for ids that are not ours
        row = await services.update_area(
            ctx, area_id, expected_version(if_match), {"name": data.name, "active": data.active}
        )
        return Response(_area(row), headers={"ETag": etag(row["version"])})

    @get("/users", name="api.users.list", opt={"roles": ADMIN})
    async def list_users(self, ctx: Ctx) -> list[MemberOut]:
        return [
            MemberOut(
                id=m["id"],
                user_id=m["user_id"],
                username=m["username"],
                display_name=m["display_name"],
                role=m["role"],
                active=bool(m["active"]),
                version=m["version"],
            )
            for m in await repo.list_members(ctx)
        ]

    @get("/tokens", name="api.tokens.list")
    async def list_tokens(self, ctx: Ctx) -> list[TokenOut]:
        assert ctx.user_id is not None
        return [TokenOut(**row) for row in await repo.list_tokens(ctx, ctx.user_id)]

    @post("/tokens", name="api.tokens.create", status_code=201)
    async def create_token(self, ctx: Ctx, data: JSONBody[TokenCreate]) -> TokenCreated:
        assert ctx.user_id is not None
        token_id, token = await services.create_token(ctx, ctx.user_id, data.name)
        return TokenCreated(id=token_id, name=data.name.strip(), token=token)

    @delete("/tokens/{token_id:uuid}", name="api.tokens.revoke", status_code=204)
    async def revoke_token(self, ctx: Ctx, token_id: FromPath[UUID]) -> None:
        assert ctx.user_id is not None
        await services.revoke_token(ctx, ctx.user_id, token_id)

    @get("/audit", name="api.audit.list", opt={"roles": ADMIN})
    async def list_audit(
        self,
        ctx: Ctx,
        action: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        object_type: FromQuery[str | None] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page:
        rows, total = await audit.list_events(
            ctx,
            audit.AuditFilter(action=action, actor=actor, object_type=object_type),
            offset=offset,
            limit=limit,
        )
        items = [
            AuditEventOut(
                id=r["id"],
                seq=r["seq"],
                at=r["at"],
                actor_name=r["actor_name"],
                action=r["action"],
                object_type=r["object_type"],
                object_id=r["object_id"],
                diff=r["diff"] if isinstance(r["diff"], dict) else {},
                hash=r["hash"],
            )
            for r in rows
        ]
        return Page(
            items=items,
            offset=offset,
            limit=limit,
            has_more=offset + len(items) < total,
            total=total,
        )
