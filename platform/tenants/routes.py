"""Tenant pages (Chinese): home, township/village tree, users, audit log, own API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tenants import audit, repo, services, sessions
from tenants.schemas import AREA_KINDS, ROLES
from wusong.errors import Invalid
from wusong.tenancy import TenantContext
from wusong.web import Ctx, Form, form_error, page, redirect

ADMIN = {"admin"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDIT_PAGE = 50


def _base(ctx: TenantContext) -> str:
    return f"/t/{ctx.tenant_slug}"


def _int(value: str | None, default: int) -> int:
    """A small whole number from a form or query; anything else is the default."""
    if value and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return default


async def _nav_context(request: Request[Any, Any, Any], ctx: TenantContext) -> dict[str, Any]:
    tenants = await sessions.user_tenants(ctx.user_id) if ctx.user_id else []
    return {"ctx": ctx, "tenants": tenants, "roles": ROLES, "area_kinds": AREA_KINDS}


class TenantPages(Controller):
    path = "/"

    @get("/", name="tenant.home")
    async def home(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        counts = await repo.home_counts(ctx)
        by_role = await repo.members_by_role(ctx) if ctx.is_admin else {}
        recent: list[dict[str, Any]] = []
        if ctx.is_admin:
            recent, _ = await audit.list_events(ctx, audit.AuditFilter(), limit=5)
        return page(
            request,
            "tenants/home.html",
            counts=counts,
            by_role=by_role,
            recent=recent,
            action_labels=audit.ACTION_LABELS,
            **await _nav_context(request, ctx),
        )

    # ---- areas ---------------------------------------------------------------------------

    @get("/areas", name="areas.tree")
    async def area_tree(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        areas = await repo.all_areas(ctx)
        townships = [a for a in areas if a["kind"] == "township"]
        villages: dict[Any, list[dict[str, Any]]] = {}
        for area in areas:
            if area["kind"] == "village":
                villages.setdefault(area["parent_id"], []).append(area)
        return page(
            request,
            "tenants/areas.html",
            townships=townships,
            villages=villages,
            **await _nav_context(request, ctx),
        )

    @get("/areas/new", name="areas.new", opt={"roles": ADMIN})
    async def area_new(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        kind: FromQuery[str] = "township",
        parent: FromQuery[str] = "",
    ) -> Template:
        form = {"kind": kind if kind in AREA_KINDS else "township", "parent_id": parent}
        return page(
            request, "tenants/area_form.html", **await self._area_form_context(request, ctx, form)
        )

    @post("/areas/new", name="areas.create", opt={"roles": ADMIN})
    async def area_create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: Form
    ) -> Template | Redirect:
        try:
            area = await services.create_area(ctx, dict(data))
        except Invalid as error:
            return form_error(
                request,
                "tenants/area_form.html",
                error,
                **await self._area_form_context(request, ctx, dict(data)),
            )
        return redirect(
            f"{_base(ctx)}/areas#area-{area['id']}",
            f"已新增{AREA_KINDS[area['kind']]}：{area['name']}",
        )

    async def _area_form_context(
        self, request: Request[Any, Any, Any], ctx: TenantContext, form: dict[str, Any]
    ) -> dict[str, Any]:
        townships = [
            a for a in await repo.all_areas(ctx) if a["kind"] == "township" and a["active"]
        ]
        return {"form": form, "townships": townships, **await _nav_context(request, ctx)}

    @get("/areas/{area_id:uuid}/edit", name="areas.edit", opt={"roles": ADMIN})
    async def area_edit(
        self, request: Request[Any, Any, Any], ctx: Ctx, area_id: FromPath[UUID]
    ) -> Template:
        area = await repo.get_area(ctx, area_id)
        return page(
            request,
            "tenants/area_edit.html",
            area=area,
            form={"name": area["name"], "version": area["version"]},
            **await _nav_context(request, ctx),
        )

    @post("/areas/{area_id:uuid}/edit", name="areas.update", opt={"roles": ADMIN})
    async def area_update(
        self, request: Request[Any, Any, Any], ctx: Ctx, area_id: FromPath[UUID], data: Form
    ) -> Template | Redirect:
        area = await repo.get_area(ctx, area_id)
        try:
            await services.update_area(
                ctx, area_id, _int(data.get("version"), -1), {"name": data.get("name", "")}
            )
        except Invalid as error:
            return form_error(
                request,
                "tenants/area_edit.html",
                error,
                dict(data),
                area=area,
                **await _nav_context(request, ctx),
            )
        return redirect(f"{_base(ctx)}/areas#area-{area_id}", "已保存")

    @post("/areas/{area_id:uuid}/active", name="areas.set_active", opt={"roles": ADMIN})
    async def area_set_active(
        self, request: Request[Any, Any, Any], ctx: Ctx, area_id: FromPath[UUID], data: Form
    ) -> Redirect:
        active = data.get("active") == "1"
        try:
            area = await services.update_area(
                ctx, area_id, _int(data.get("version"), -1), {"active": active}
            )
        except Invalid as error:
            return redirect(f"{_base(ctx)}/areas#area-{area_id}", error.message, "error")
        return redirect(
            f"{_base(ctx)}/areas#area-{area_id}",
            f"已{'启用' if active else '停用'}：{area['name']}",
        )

    # ---- users ---------------------------------------------------------------------------

    @get("/users", name="users.list", opt={"roles": ADMIN})
    async def user_list(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        role: FromQuery[str] = "",
        status: FromQuery[str] = "",
    ) -> Template:
        active = {"active": True, "inactive": False}.get(status)
        members = await repo.list_members(ctx, role=role if role in ROLES else None, active=active)
        return page(
            request,
            "tenants/users.html",
            members=members,
            filter_role=role,
            filter_status=status,
            **await _nav_context(request, ctx),
        )

    @get("/users/new", name="users.new", opt={"roles": ADMIN})
    async def user_new(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return page(
            request,
            "tenants/user_form.html",
            form={"role": "mediator"},
            **await _nav_context(request, ctx),
        )

    @post("/users/new", name="users.create", opt={"roles": ADMIN})
    async def user_create(
        self, request: Request[Any, Any, Any], ctx: Ctx, data: Form
    ) -> Template | Redirect:
        try:
            await services.create_member(ctx, dict(data))
        except Invalid as error:
            form = {k: v for k, v in data.items() if k != "password"}
            return form_error(
                request, "tenants/user_form.html", error, form, **await _nav_context(request, ctx)
            )
        return redirect(
            f"{_base(ctx)}/users",
            f"已新增用户 {data.get('username', '').strip()}，首次登录须修改密码",
        )

    @get("/users/{member_id:uuid}", name="users.detail", opt={"roles": ADMIN})
    async def user_detail(
        self, request: Request[Any, Any, Any], ctx: Ctx, member_id: FromPath[UUID]
    ) -> Template:
        member = await repo.get_member(ctx, member_id)
        return page(
            request,
            "tenants/user_detail.html",
            member=member,
            form={"role": member["role"]},
            **await _nav_context(request, ctx),
        )

    @post("/users/{member_id:uuid}", name="users.update", opt={"roles": ADMIN})
    async def user_update(
        self, request: Request[Any, Any, Any], ctx: Ctx, member_id: FromPath[UUID], data: Form
    ) -> Template | Redirect:
        member = await repo.get_member(ctx, member_id)
        try:
            await services.update_member(ctx, member_id, {"role": data.get("role")})
        except Invalid as error:
            return form_error(
                request,
                "tenants/user_detail.html",
                error,
                dict(data),
                member=member,
                **await _nav_context(request, ctx),
            )
        return redirect(f"{_base(ctx)}/users/{member_id}", "已保存角色")

    @post("/users/{member_id:uuid}/active", name="users.set_active", opt={"roles": ADMIN})
    async def user_set_active(
        self, request: Request[Any, Any, Any], ctx: Ctx, member_id: FromPath[UUID], data: Form
    ) -> Redirect:
        active = data.get("active") == "1"
        try:
            await services.update_member(ctx, member_id, {"active": active})
        except Invalid as error:
            return redirect(f"{_base(ctx)}/users/{member_id}", error.message, "error")
        message = "已启用该用户" if active else "已停用该用户：其登录会话与 API 令牌立即失效"
        return redirect(f"{_base(ctx)}/users/{member_id}", message)

    @post("/users/{member_id:uuid}/password", name="users.reset_password", opt={"roles": ADMIN})
    async def user_reset_password(
        self, request: Request[Any, Any, Any], ctx: Ctx, member_id: FromPath[UUID], data: Form
    ) -> Template | Redirect:
        member = await repo.get_member(ctx, member_id)
        try:
            await services.reset_password(ctx, member_id, data.get("password", ""))
        except Invalid as error:
            return form_error(
                request,
                "tenants/user_detail.html",
                error,
                {"role": member["role"]},
                member=member,
                **await _nav_context(request, ctx),
            )
        return redirect(f"{_base(ctx)}/users/{member_id}", "已重置密码：该用户下次登录时须修改密码")

    # ---- audit log -----------------------------------------------------------------------

    @get("/audit", name="audit.list", opt={"roles": ADMIN})
    async def audit_log(
        self,
        request: Request[Any, Any, Any],
        ctx: Ctx,
        action: FromQuery[str] = "",
        actor: FromQuery[str] = "",
        since: FromQuery[str] = "",
        until: FromQuery[str] = "",
    ) -> Template:
        page_no = max(1, min(_int(request.query_params.get("page"), 1), 10_000))
        filters = audit.AuditFilter(
            action=action if action in audit.ACTION_LABELS else None,
            actor=actor.strip()[:40] or None,
            since=_local_day(since),
            until=_day_after(until),
        )
        events, total = await audit.list_events(
            ctx, filters, offset=(page_no - 1) * AUDIT_PAGE, limit=AUDIT_PAGE
        )
        return page(
            request,
            "tenants/audit.html",
            events=events,
            total=total,
            page_no=page_no,
            pages=max(1, -(-total // AUDIT_PAGE)),
            filters={"action": action, "actor": actor, "since": since, "until": until},
            actors=await audit.actor_names(ctx),
            action_labels=audit.ACTION_LABELS,
            **await _nav_context(request, ctx),
        )

    # ---- own API tokens ------------------------------------------------------------------

    @get("/account/tokens", name="tokens.list")
    async def token_list(self, request: Request[Any, Any, Any], ctx: Ctx) -> Template:
        return await self._tokens_page(request, ctx)

    async def _tokens_page(
        self,
        request: Request[Any, Any, Any],
        ctx: TenantContext,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        tokens = await repo.list_tokens(ctx, ctx.user_id) if ctx.user_id else []
        return page(
            request,
            "tenants/tokens.html",
            status_code=status_code,
            tokens=tokens,
            **extra,
            **await _nav_context(request, ctx),
        )

    @post("/account/tokens", name="tokens.create")
    async def token_create(self, request: Request[Any, Any, Any], ctx: Ctx, data: Form) -> Template:
        assert ctx.user_id is not None
        try:
            _, token = await services.create_token(ctx, ctx.user_id, data.get("name"))
        except Invalid as error:
            return await self._tokens_page(request, ctx, 422, errors=error.errors, form=dict(data))
        return await self._tokens_page(request, ctx, new_token=token)

    @post("/account/tokens/{token_id:uuid}/revoke", name="tokens.revoke")
    async def token_revoke(
        self, request: Request[Any, Any, Any], ctx: Ctx, token_id: FromPath[UUID]
    ) -> Redirect:
        assert ctx.user_id is not None
        await services.revoke_token(ctx, ctx.user_id, token_id)
        return redirect(f"{_base(ctx)}/account/tokens", "已吊销该令牌")


def _day_after(value: str) -> datetime | None:
    day = _local_day(value)
    return day + timedelta(days=1) if day else None


def _local_day(value: str) -> datetime | None:
    """A yyyy-mm-dd date from a filter, as the start of that day in Asia/Shanghai."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None
