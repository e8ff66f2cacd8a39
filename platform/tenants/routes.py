"""Tenant pages (Chinese): home, township/village tree, users, audit log, own API tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tenants import audit, repo, services
from tenants.schemas import (
    AREA_KINDS,
    AreaCreate,
    AreaEdit,
    AreaId,
    AreaRow,
    MemberAreasForm,
    MemberCreate,
    MembershipId,
    MemberUpdate,
    PasswordReset,
    TokenCreate,
    TokenId,
    TokenRow,
)
from wusong.core.api import whole_number
from wusong.core.clock import day_after, local_day
from wusong.core.settings import get_settings
from wusong.core.tenancy import ADMIN, EVERYONE, Role, TenantContext
from wusong.core.views import CheckboxForm, FormPage, View, ViewDep, checked
from wusong.core.web import Form, access, redirect

AUDIT_PAGE = 50


# ---- the forms -------------------------------------------------------------------------------


async def _area_form_options(view: View, values: dict[str, str]) -> dict[str, Any]:
    areas = await repo.all_areas(view.ctx)
    return {"townships": [a for a in areas if a.kind == "township" and a.active]}


async def _edited_area(view: View, values: dict[str, str]) -> dict[str, Any]:
    return {"area": await repo.get_area(view.ctx, view.request.path_params["area_id"])}


async def _edited_member(view: View, values: dict[str, str]) -> dict[str, Any]:
    member = await repo.get_member(view.ctx, view.request.path_params["member_id"])
    return await _member_context(view, member)


async def _member_context(view: View, member: Any) -> dict[str, Any]:
    """The member page: the member, whether their identity is the platform's to change, and
    where they work (with the townships and villages to choose from)."""
    return {
        "member": member,
        "shared": await services.identity_shared(view.ctx, member.user_id),
        "work": await services.member_areas(view.ctx, member.id),
        "area_tree": services.area_tree(await repo.all_areas(view.ctx)),
    }


async def _tokens(view: View, values: dict[str, str]) -> dict[str, Any]:
    return {"tokens": await repo.list_tokens(view.ctx, view.ctx.acting_user)}


# The new token's secret between the POST and the GET that shows it once (never in the URL).
NEW_TOKEN_COOKIE = "wusong_new_token"


def new_token_cookie(token: str, path: str) -> Cookie:
    return Cookie(
        key=NEW_TOKEN_COOKIE,
        value=token,
        path=path,
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=get_settings().production,
    )


def _new_token(secret: str, tokens: list[TokenRow]) -> str | None:
    """The secret from the cookie, only when it is one of this user's live tokens here."""
    if not secret.startswith("wst_") or not secret.isascii() or len(secret) > 100:
        return None
    live = {t.prefix for t in tokens if t.revoked_at is None}
    return secret if secret[:12] in live else None


AREA_FORM = FormPage(AreaCreate, "tenants/area_form.html", context=_area_form_options)
AREA_EDIT_FORM = FormPage(AreaEdit, "tenants/area_edit.html", context=_edited_area)
AREA_ACTIVE_FORM = FormPage(
    AreaEdit, back=lambda view: view.url(f"/areas#area-{view.request.path_params['area_id']}")
)
USER_FORM = FormPage(MemberCreate, "tenants/user_form.html")
ROLE_FORM = FormPage(MemberUpdate, "tenants/user_detail.html", context=_edited_member)
RESET_FORM = FormPage(PasswordReset, "tenants/user_detail.html", context=_edited_member)
AREAS_FORM = FormPage(MemberAreasForm, "tenants/user_detail.html", context=_edited_member)
MEMBER_ACTIVE_FORM = FormPage(
    MemberUpdate, back=lambda view: view.url(f"/users/{view.request.path_params['member_id']}")
)
TOKEN_FORM = FormPage(TokenCreate, "tenants/tokens.html", context=_tokens)


class TenantPages(Controller):
    path = "/"

    @get("/", name="tenant.home", opt=access(EVERYONE))
    async def home(self, view: ViewDep) -> Template:
        ctx = view.ctx
        counts = await repo.home_counts(ctx)
        by_role: dict[str, int] = {}
        recent: list[Any] = []
        work = None
        if not ctx.is_admin and ctx.user_id is not None:
            me = await repo.member_by_user(ctx, ctx.user_id)
            work = await services.member_areas(ctx, me.id) if me else None
        if ctx.is_admin:
            by_role = await repo.members_by_role(ctx)
            filters = audit.AuditFilter()
            recent, _ = await audit.list_events(
                ctx, filters, view.catalog.audit_actions, limit=5, with_total=False
            )
        return await view.render(
            "tenants/home.html", counts=counts, by_role=by_role, recent=recent, work=work
        )

    # ---- areas ---------------------------------------------------------------------------

    @get("/areas", name="areas.tree", opt=access(EVERYONE))
    async def area_tree(self, view: ViewDep) -> Template:
        areas = await repo.all_areas(view.ctx)
        villages: dict[Any, list[Any]] = {}
        for area in areas:
            if area.kind == "village":
                villages.setdefault(area.parent_id, []).append(area)
        townships = [a for a in areas if a.kind == "township"]
        return await view.render("tenants/areas.html", townships=townships, villages=villages)

    @get("/areas/new", name="areas.new", opt=access(ADMIN, form=AREA_FORM))
    async def area_new(
        self, view: ViewDep, kind: FromQuery[str] = "township", parent: FromQuery[str] = ""
    ) -> Template:
        values = {"kind": kind if kind in AREA_KINDS else "township", "parent_id": parent}
        return await view.show_form(values)

    @post("/areas/new", name="areas.create", opt=access(ADMIN, writes=True, form=AREA_FORM))
    async def area_create(self, view: ViewDep, data: Form) -> Redirect:
        area = await view.submit(data, services.create_area)
        return redirect(
            view.url(f"/areas#area-{area.id}"), f"已新增{AREA_KINDS[area.kind]}：{area.name}"
        )

    @get("/areas/{area_id:uuid}/edit", name="areas.edit", opt=access(ADMIN, form=AREA_EDIT_FORM))
    async def area_edit(self, view: ViewDep, area_id: FromPath[AreaId]) -> Template:
        area = await repo.get_area(view.ctx, area_id)
        values = {"name": area.name, "version": str(area.version)}
        return await view.show_form(values, loaded={"area": area})

    @post(
        "/areas/{area_id:uuid}/edit",
        name="areas.update",
        opt=access(ADMIN, writes=True, form=AREA_EDIT_FORM),
    )
    async def area_update(self, view: ViewDep, area_id: FromPath[AreaId], data: Form) -> Redirect:
        rename = {"name": data.get("name", ""), "version": data.get("version", "")}
        await view.submit(rename, _edit_area, area_id)
        return redirect(view.url(f"/areas#area-{area_id}"), "已保存")

    @post(
        "/areas/{area_id:uuid}/active",
        name="areas.set_active",
        opt=access(ADMIN, writes=True, form=AREA_ACTIVE_FORM),
    )
    async def area_set_active(
        self, view: ViewDep, area_id: FromPath[AreaId], data: Form
    ) -> Redirect:
        switch = {"active": data.get("active", ""), "version": data.get("version", "")}
        area = await view.submit(switch, _edit_area, area_id)
        return redirect(
            view.url(f"/areas#area-{area_id}"),
            f"已{'启用' if area.active else '停用'}：{area.name}",
        )

    # ---- users ---------------------------------------------------------------------------

    @get("/users", name="users.list", opt=access(ADMIN))
    async def user_list(
        self, view: ViewDep, role: FromQuery[str] = "", status: FromQuery[str] = ""
    ) -> Template:
        active = {"active": True, "inactive": False}.get(status)
        known_role = role if role in {r.value for r in Role} else None
        members = await repo.list_members(view.ctx, role=known_role, active=active)
        assigned = await repo.all_member_areas(view.ctx)
        names = {a.id: a.name for a in await repo.all_areas(view.ctx)}
        areas = {m.id: services.areas_label(assigned.get(m.id, []), names) for m in members}
        return await view.render(
            "tenants/users.html",
            members=members,
            areas=areas,
            filter_role=role,
            filter_status=status,
        )

    @get("/users/new", name="users.new", opt=access(ADMIN, form=USER_FORM))
    async def user_new(self, view: ViewDep) -> Template:
        return await view.show_form({"role": Role.MEDIATOR.value})

    @post("/users/new", name="users.create", opt=access(ADMIN, writes=True, form=USER_FORM))
    async def user_create(self, view: ViewDep, data: Form) -> Redirect:
        await view.submit(data, services.create_member)
        username = data.get("username", "").strip()
        return redirect(view.url("/users"), f"已新增用户 {username}，首次登录须修改密码")

    @get("/users/{member_id:uuid}", name="users.detail", opt=access(ADMIN, form=ROLE_FORM))
    async def user_detail(self, view: ViewDep, member_id: FromPath[MembershipId]) -> Template:
        member = await repo.get_member(view.ctx, member_id)
        loaded = await _member_context(view, member)
        return await view.show_form(
            {"role": member.role.value, "version": str(member.version)}, loaded=loaded
        )

    @post(
        "/users/{member_id:uuid}",
        name="users.update",
        opt=access(ADMIN, writes=True, form=ROLE_FORM),
    )
    async def user_update(
        self, view: ViewDep, member_id: FromPath[MembershipId], data: Form
    ) -> Redirect:
        form = {"role": data.get("role", ""), "version": data.get("version", "")}
        await view.submit(form, services.update_member, member_id)
        return redirect(view.url(f"/users/{member_id}"), "已保存角色")

    @post(
        "/users/{member_id:uuid}/areas",
        name="users.set_areas",
        opt=access(ADMIN, writes=True, form=AREAS_FORM),
    )
    async def user_set_areas(
        self, view: ViewDep, member_id: FromPath[MembershipId], data: CheckboxForm
    ) -> Redirect:
        form = await checked(view, {"county": data.get("county", "")}, "area_ids")
        work = await view.submit(form, services.set_member_areas, member_id)
        return redirect(view.url(f"/users/{member_id}#areas"), f"已保存工作区域：{work.label}")

    @post(
        "/users/{member_id:uuid}/active",
        name="users.set_active",
        opt=access(ADMIN, writes=True, form=MEMBER_ACTIVE_FORM),
    )
    async def user_set_active(
        self, view: ViewDep, member_id: FromPath[MembershipId], data: Form
    ) -> Redirect:
        switch = {"active": data.get("active", ""), "version": data.get("version", "")}
        await view.submit(switch, services.update_member, member_id)
        active = switch["active"] in {"1", "true"}
        message = "已启用该用户" if active else "已停用该用户：其登录会话与 API 令牌立即失效"
        return redirect(view.url(f"/users/{member_id}"), message)

    @post(
        "/users/{member_id:uuid}/password",
        name="users.reset_password",
        opt=access(ADMIN, writes=True, form=RESET_FORM),
    )
    async def user_reset_password(
        self, view: ViewDep, member_id: FromPath[MembershipId], data: Form
    ) -> Redirect:
        await view.submit(data, services.reset_password, member_id)
        return redirect(view.url(f"/users/{member_id}"), "已重置密码：该用户下次登录时须修改密码")

    # ---- audit log -----------------------------------------------------------------------

    @get("/audit", name="audit.list", opt=access(ADMIN))
    async def audit_log(
        self,
        view: ViewDep,
        action: FromQuery[str] = "",
        actor: FromQuery[str] = "",
        since: FromQuery[str] = "",
        until: FromQuery[str] = "",
        page: FromQuery[str] = "",
    ) -> Template:
        actions = view.catalog.audit_actions
        page_no = max(1, min(whole_number(page, default=1), 10_000))
        filters = audit.AuditFilter(
            action=action if action in actions or action == audit.SECURITY_FILTER else None,
            actor=actor.strip()[:40] or None,
            since=local_day(since),
            until=day_after(until),
        )
        events, total = await audit.list_events(
            view.ctx, filters, actions, offset=(page_no - 1) * AUDIT_PAGE, limit=AUDIT_PAGE
        )
        total = total or 0
        return await view.render(
            "tenants/audit.html",
            events=events,
            total=total,
            page_no=page_no,
            pages=max(1, -(-total // AUDIT_PAGE)),
            filters={"action": action, "actor": actor, "since": since, "until": until},
            actors=await audit.actor_names(view.ctx),
        )

    # ---- own API tokens ------------------------------------------------------------------

    @get("/account/tokens", name="tokens.list", opt=access(EVERYONE, form=TOKEN_FORM))
    async def token_list(self, view: ViewDep) -> Template:
        # Post/redirect/get: the new secret arrives once, in a short-lived HttpOnly cookie
        # that this answer clears, so reloading shows it no more and creates nothing.
        loaded = await _tokens(view, {})
        secret = view.request.cookies.get(NEW_TOKEN_COOKIE, "")
        shown = _new_token(secret, loaded["tokens"])
        extra: dict[str, Any] = {"new_token": shown} if shown else {}
        response = await view.show_form({}, loaded=loaded, **extra)
        if secret:
            response.delete_cookie(NEW_TOKEN_COOKIE, path=view.url("/account/tokens"))
        return response

    @post(
        "/account/tokens", name="tokens.create", opt=access(EVERYONE, writes=True, form=TOKEN_FORM)
    )
    async def token_create(self, view: ViewDep, data: Form) -> Redirect:
        created = await view.submit(
            data, lambda ctx, form: services.create_token(ctx, ctx.acting_user, form)
        )
        response = redirect(view.url("/account/tokens"))
        response.set_cookie(new_token_cookie(created.token, view.url("/account/tokens")))
        return response

    @post(
        "/account/tokens/{token_id:uuid}/revoke",
        name="tokens.revoke",
        opt=access(EVERYONE, writes=True),
    )
    async def token_revoke(self, view: ViewDep, token_id: FromPath[TokenId]) -> Redirect:
        await services.revoke_token(view.ctx, view.ctx.acting_user, token_id)
        return redirect(view.url("/account/tokens"), "已吊销该令牌")


async def _edit_area(ctx: TenantContext, area_id: UUID, form: AreaEdit) -> AreaRow:
    """The page forms carry the version they were rendered with; the API sends If-Match."""
    return await services.update_area(ctx, area_id, form, form.version)
