"""Tenants use cases: plain async functions that validate, write, audit and raise domain errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tenants import audit, repo, sessions
from tenants.schemas import (
    AREA_KINDS,
    USERNAME_RE,
    FieldErrors,
    check_area_division_code,
    check_password,
    check_role,
    check_slug,
    check_tenant_division_code,
    check_username,
    clean_text,
)
from tenants.security import hash_password, new_secret, verify_password
from wusong import db
from wusong.errors import (
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    TooManyAttempts,
    Unauthorized,
)
from wusong.settings import Settings
from wusong.tenancy import TenantContext, tenant_context

# ---- tenants (platform operator, CLI) -------------------------------------------------------


async def create_tenant(
    slug: str, name: str, division_code: str, parent_city: str = "", parent_city_code: str = ""
) -> dict[str, Any]:
    errors = FieldErrors()
    slug = check_slug(errors, slug)
    name = clean_text(errors, "name", "名称", name, 60)
    division_code = check_tenant_division_code(errors, division_code)
    parent_city = parent_city.strip()
    if len(parent_city) > 60:
        errors.add("parent_city", "上级市名称不能超过 60 个字")
    if parent_city_code and (not parent_city_code.isdigit() or len(parent_city_code) != 12):
        errors.add("parent_city_code", "上级市区划代码须为 12 位数字")
    errors.raise_if_any()
    async with db.transaction(write=True):
        taken = await repo.tenant_exists(slug=slug, division_code=division_code)
        if taken["slug"]:
            raise Invalid({"slug": f"标识 {slug} 已被使用"})
        if taken["division_code"]:
            raise Invalid({"division_code": f"区划代码 {division_code} 已被使用"})
        tenant = await repo.insert_tenant(
            {
                "slug": slug,
                "name": name,
                "division_code": division_code,
                "parent_city": parent_city,
                "parent_city_code": parent_city_code,
            }
        )
        async with tenant_context(
            tenant["id"], slug, name, division_code, write=True, actor_name="platform"
        ) as ctx:
            await audit.record(
                ctx, "tenant.create", "tenant", tenant["id"], {"slug": slug, "name": name}
            )
    return tenant


async def set_tenant_active(slug: str, active: bool) -> dict[str, Any]:
    async with db.transaction(write=True):
        tenant = await repo.tenant_by_slug(slug)
        if tenant is None:
            raise NotFound(f"no tenant {slug!r}")
        await repo.set_tenant_active(tenant["id"], active)
        async with system_context(tenant, write=True, actor_name="platform") as ctx:
            await audit.record(
                ctx, "tenant.activate" if active else "tenant.deactivate", "tenant", tenant["id"]
            )
    return tenant


def system_context(tenant: dict[str, Any], *, write: bool, actor_name: str = "system") -> Any:
    return tenant_context(
        tenant["id"],
        tenant["slug"],
        tenant["name"],
        tenant["division_code"],
        write=write,
        actor_name=actor_name,
    )


# ---- areas ---------------------------------------------------------------------------------


async def create_area(ctx: TenantContext, data: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    kind = data.get("kind")
    if kind not in AREA_KINDS:
        errors.add("kind", "类型须为乡镇/街道或村/社区")
    name = clean_text(errors, "name", "名称", data.get("name"), 60)
    parent: dict[str, Any] | None = None
    parent_id = data.get("parent_id")
    if kind == "village":
        if not parent_id:
            errors.add("parent_id", "村/社区须选择所属乡镇/街道")
        else:
            parent = await _area_or_invalid(ctx, parent_id)
            if parent is None or parent["kind"] != "township":
                errors.add("parent_id", "所属乡镇/街道无效")
                parent = None
            elif not parent["active"]:
                errors.add("parent_id", "所属乡镇/街道已停用")
    elif parent_id:
        errors.add("parent_id", "乡镇/街道不能有上级区域")
    code = check_area_division_code(
        errors,
        data.get("division_code"),
        str(kind),
        ctx.division_code,
        parent["division_code"] if parent else None,
    )
    errors.raise_if_any()
    if await repo.division_code_taken(ctx, code):
        raise Invalid({"division_code": f"区划代码 {code} 已存在"})
    area_id = uuid4()
    area = await repo.insert_area(
        ctx,
        {
            "id": area_id,
            "kind": kind,
            "name": name,
            "division_code": code,
            "parent": parent["id"] if parent else None,
        },
    )
    await audit.record(
        ctx, "area.create", "area", area_id, {"kind": kind, "name": name, "division_code": code}
    )
    return area


async def _area_or_invalid(ctx: TenantContext, area_id: Any) -> dict[str, Any] | None:
    try:
        return await repo.get_area(
            ctx, area_id if isinstance(area_id, UUID) else UUID(str(area_id))
        )
    except (ValueError, NotFound):
        return None


async def update_area(
    ctx: TenantContext, area_id: UUID, expected_version: int, data: dict[str, Any]
) -> dict[str, Any]:
    """Rename and/or (de)activate an area. A township with active villages stays active."""
    current = await repo.get_area(ctx, area_id)
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    if data.get("name") is not None:
        name = clean_text(errors, "name", "名称", data["name"], 60)
        if name != current["name"]:
            changes["name"] = name
    active = data.get("active")
    if active is not None:
        if not isinstance(active, bool):
            errors.add("active", "状态无效")
        elif active != current["active"]:
            if (
                not active
                and current["kind"] == "township"
                and await repo.count_active_children(ctx, area_id)
            ):
                errors.add("active", "该乡镇/街道下仍有启用的村/社区，请先停用它们")
            if active and current["parent_id"]:
                parent = await repo.get_area(ctx, current["parent_id"])
                if not parent["active"]:
                    errors.add("active", "所属乡镇/街道已停用，请先启用它")
            changes["active"] = active
    errors.raise_if_any()
    if not changes:
        if expected_version != current["version"]:
            raise PreconditionFailed
        return current
    area = await repo.update_area(ctx, area_id, expected_version, changes)
    before = {key: current[key] for key in changes}
    await audit.record(
        ctx,
        "area.update",
        "area",
        area_id,
        {"area": current["name"], "before": before, "after": changes},
    )
    return area


# ---- users and memberships -----------------------------------------------------------------


async def create_member(
    ctx: TenantContext, data: dict[str, Any], *, must_change_password: bool = True
) -> UUID:
    """Create a new user in this tenant; by default the password is temporary."""
    errors = FieldErrors()
    username = check_username(errors, data.get("username"))
    display_name = clean_text(errors, "display_name", "姓名", data.get("display_name"), 40)
    role = check_role(errors, data.get("role"))
    password = check_password(errors, data.get("password"))
    errors.raise_if_any()
    if await repo.user_by_username(username) is not None:
        # Usernames are global: say no more than "unavailable" about other counties' accounts.
        raise Invalid({"username": f"用户名 {username} 不可用，请换一个"})
    user = await repo.insert_user(
        {
            "username": username,
            "display_name": display_name,
            "password_hash": await hash_password(password),
            "must_change_password": must_change_password,
        }
    )
    membership_id = await repo.insert_membership(ctx, user["id"], role)
    await audit.record(
        ctx,
        "user.create",
        "membership",
        membership_id,
        {"username": username, "display_name": display_name, "role": role},
    )
    return membership_id


async def add_existing_user(ctx: TenantContext, username: str, role: str) -> UUID:
    """Give an existing user a role in this tenant (platform operator, CLI)."""
    errors = FieldErrors()
    role = check_role(errors, role)
    errors.raise_if_any()
    user = await repo.user_by_username(username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    if await repo.member_by_user(ctx, user["id"]) is not None:
        raise Invalid({"username": f"用户 {username} 已是本区县成员"})
    membership_id = await repo.insert_membership(ctx, user["id"], role)
    await audit.record(
        ctx, "user.create", "membership", membership_id, {"username": username, "role": role}
    )
    return membership_id


async def update_member(ctx: TenantContext, membership_id: UUID, data: dict[str, Any]) -> None:
    """Change a member's role or active flag. Deactivation ends their sessions and tokens here."""
    member = await repo.get_member(ctx, membership_id)
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    if data.get("role") is not None:
        role = check_role(errors, data["role"])
        if role != member["role"]:
            changes["role"] = role
    active = data.get("active")
    if active is not None and active != bool(member["active"]):
        changes["active"] = bool(active)
    errors.raise_if_any()
    if member["user_id"] == ctx.user_id and (
        changes.get("active") is False or ("role" in changes and changes["role"] != "admin")
    ):
        raise Invalid({"role": "不能停用自己或取消自己的管理员角色"})
    if not changes:
        return
    await repo.update_membership(ctx, membership_id, changes)
    if changes.get("active") is False:
        await repo.revoke_user_tokens(ctx, member["user_id"])
        if not await repo.other_active_memberships(ctx, member["user_id"]):
            await sessions.delete_user_sessions(member["user_id"])
    action = "user.update"
    if "active" in changes:
        action = "user.activate" if changes["active"] else "user.deactivate"
    before = {key: member[key] for key in changes}
    await audit.record(
        ctx,
        action,
        "membership",
        membership_id,
        {"username": member["username"], "before": before, "after": changes},
    )


async def reset_password(ctx: TenantContext, membership_id: UUID, new_password: str) -> None:
    """An administrator sets a temporary password; the user must change it at next sign-in."""
    member = await repo.get_member(ctx, membership_id)
    errors = FieldErrors()
    password = check_password(errors, new_password)
    errors.raise_if_any()
    if await repo.other_active_memberships(ctx, member["user_id"]):
        # Resetting would hand this tenant's administrator another tenant's access.
        raise Forbidden("该用户同时属于其他区县，请联系平台运营方重置密码")
    await repo.set_password(member["user_id"], await hash_password(password), must_change=True)
    await sessions.delete_user_sessions(member["user_id"])
    await repo.revoke_user_tokens(ctx, member["user_id"])
    await audit.record(
        ctx, "user.password_reset", "membership", membership_id, {"username": member["username"]}
    )


async def change_own_password(
    settings: Settings,
    user_id: UUID,
    session_id: UUID | None,
    client_ip: str,
    form: dict[str, str],
) -> None:
    """Check the current password (throttled like sign-in), then set the new one."""
    async with db.transaction(write=False):
        user = await repo.user_by_id(user_id)
    if user is None:
        raise Unauthorized
    current = form.get("current_password", "")
    attempt_id = await _counted_attempt(settings, user["username"], client_ip)
    errors = FieldErrors()
    if not await verify_password(user["password_hash"], current):
        errors.add("current_password", "当前密码不正确")
    password = check_password(errors, form.get("new_password", ""), "new_password")
    if password and password != form.get("confirm_password", ""):
        errors.add("confirm_password", "两次输入的新密码不一致")
    if password and password == current:
        errors.add("new_password", "新密码不能与当前密码相同")
    if "current_password" in errors.errors:
        errors.raise_if_any()  # the attempt stays counted as a failure
    new_hash = await hash_password(password) if not errors.errors else ""
    async with db.transaction(write=True):
        await sessions.mark_attempt_succeeded(attempt_id, user["username"])
    errors.raise_if_any()
    async with db.transaction(write=True):
        await repo.set_password(user_id, new_hash, must_change=False)
        await sessions.delete_user_sessions(user_id, except_session=session_id)
        for membership in await sessions.user_tenants(user_id):
            tenant = await repo.tenant_by_slug(membership["slug"])
            if tenant is not None:
                async with system_context(tenant, write=True, actor_name=user["username"]) as ctx:
                    await audit.record(ctx, "user.password_change", "user", user_id)


# ---- API tokens ----------------------------------------------------------------------------


async def create_token(ctx: TenantContext, user_id: UUID, name: Any) -> tuple[UUID, str]:
    errors = FieldErrors()
    clean = clean_text(errors, "name", "令牌名称", name, 60)
    errors.raise_if_any()
    token, token_hash = new_secret("wst")
    token_id = await repo.insert_token(ctx, user_id, clean, token_hash, token[:12])
    await audit.record(ctx, "token.create", "api_token", token_id, {"name": clean})
    return token_id, token


async def revoke_token(ctx: TenantContext, user_id: UUID, token_id: UUID) -> None:
    row = await repo.revoke_token(ctx, user_id, token_id)
    if row["revoked_at"] is None:
        await audit.record(ctx, "token.revoke", "api_token", token_id, {"name": row["name"]})


# ---- sign-in -------------------------------------------------------------------------------


async def _counted_attempt(settings: Settings, username: str, client_ip: str) -> UUID:
    """Record a password attempt as failed *before* checking it, then count.

    Counting after our own insert is what makes the limit hold under concurrent requests: the
    n-th attempt always sees at least n failures. A correct password marks it succeeded after.
    """
    since = datetime.now(UTC) - timedelta(minutes=settings.login_window_minutes)
    async with db.transaction(write=True):
        attempt_id = await sessions.record_attempt(username, client_ip)
    async with db.transaction(write=False):
        per_account, per_client = await sessions.recent_failures(username, client_ip, since)
    if (
        per_account > settings.login_max_failures_per_account
        or per_client > settings.login_max_failures_per_client
    ):
        raise TooManyAttempts(f"登录失败次数过多，请 {settings.login_window_minutes} 分钟后再试")
    return attempt_id


async def sign_in(
    settings: Settings, username: str, password: str, client_ip: str, user_agent: str
) -> str:
    """Check throttling and credentials; return a new session token. One generic failure."""
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        username = "(invalid)"  # counted and refused like any wrong name, never queried
    attempt_id = await _counted_attempt(settings, username, client_ip)
    async with db.transaction(write=False):
        user = await sessions.find_user_for_login(username)
        can_sign_in = user is not None and await sessions.user_can_sign_in(user["id"])
    ok = await verify_password(user["password_hash"] if user else None, password or "")
    if not (ok and user is not None and user["active"] and can_sign_in):
        raise Unauthorized("用户名或密码错误，或账号已停用")
    async with db.transaction(write=True):
        await sessions.mark_attempt_succeeded(attempt_id, username)
        return await sessions.create_session(user["id"], client_ip, user_agent)
