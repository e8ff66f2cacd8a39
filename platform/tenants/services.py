"""Tenants use cases: plain async functions that validate, write, audit and raise domain errors.

They run inside their caller's unit of work (a request, a CLI command, a job) and never open a
transaction of their own. Sign-in and password change need several units (a failed attempt
must be recorded even when the rest fails); ``tenants.auth`` sequences those for its callers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tenants import audit, repo, sessions
from tenants.rules import (
    check_area_division_code,
    check_parent_city_code,
    check_password,
    check_role,
    check_slug,
    check_tenant_division_code,
    check_username,
    clean_text,
)
from tenants.schemas import (
    AREA_KINDS,
    AreaCreate,
    AreaRow,
    AreaScope,
    AreaUpdate,
    MemberAreas,
    MemberAreasSet,
    MemberCreate,
    MemberUpdate,
    PasswordReset,
    TenantCreate,
    TenantRow,
    TokenCreate,
    TokenCreated,
)
from tenants.security import hash_password, new_secret
from tenants.tables import Area
from wusong.core.db import set_tenant
from wusong.core.errors import FieldErrors, Forbidden, Invalid, PreconditionFailed
from wusong.core.scoped import require_owned
from wusong.core.tenancy import Role, TenantContext, system_context

# ---- tenants (platform operator, CLI) -------------------------------------------------------


async def create_tenant(data: TenantCreate, actor_name: str = "platform") -> TenantRow:
    """Create a tenant and open its audit chain (the unit of work is then bound to it)."""
    errors = FieldErrors()
    slug = check_slug(errors, data.slug)
    name = clean_text(errors, "name", "名称", data.name, 60)
    division_code = check_tenant_division_code(errors, data.division_code)
    parent_city = clean_text(
        errors, "parent_city", "上级市名称", data.parent_city, 60, required=False
    )
    code = check_parent_city_code(
        errors, data.parent_city_code, division_code, county=name, city=parent_city
    )
    errors.raise_if_any()
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
            "parent_city_code": code,
        }
    )
    await set_tenant(tenant.id)
    ctx = system_context(tenant, actor_name)
    await audit.record(ctx, "tenant.create", "tenant", tenant.id, {"slug": slug, "name": name})
    return tenant


async def set_tenant_active(slug: str, active: bool) -> TenantRow:
    tenant = await repo.tenant_by_slug(slug)
    if tenant is None:
        raise Invalid({"tenant": f"没有标识为 {slug} 的区县"})
    await repo.set_tenant_active(tenant.id, active)
    await set_tenant(tenant.id)
    ctx = system_context(tenant, "platform")
    await audit.record(
        ctx, "tenant.activate" if active else "tenant.deactivate", "tenant", tenant.id
    )
    return tenant


# ---- areas ---------------------------------------------------------------------------------


async def create_area(ctx: TenantContext, data: AreaCreate) -> AreaRow:
    errors = FieldErrors()
    kind = data.kind
    if kind not in AREA_KINDS:
        errors.add("kind", "类型须为乡镇/街道或村/社区")
    name = clean_text(errors, "name", "名称", data.name, 60)
    parent: AreaRow | None = None
    if kind == "village":
        if data.parent_id is None:
            errors.add("parent_id", "村/社区须选择所属乡镇/街道")
        else:
            parent = await _parent_township(ctx, errors, data.parent_id)
    elif data.parent_id is not None:
        await require_owned(ctx, Area, data.parent_id, field="parent_id", label="上级区域")
        errors.add("parent_id", "乡镇/街道不能有上级区域")
    code = check_area_division_code(
        errors,
        data.division_code,
        kind,
        ctx.division_code,
        parent.division_code if parent else None,
    )
    errors.raise_if_any()
    if await repo.division_code_taken(ctx, code):
        raise Invalid({"division_code": f"区划代码 {code} 已存在"})
    area = await repo.insert_area(
        ctx,
        {
            "id": uuid4(),
            "kind": kind,
            "name": name,
            "division_code": code,
            "parent": parent.id if parent else None,
        },
    )
    await audit.record(
        ctx, "area.create", "area", area.id, {"kind": kind, "name": name, "division_code": code}
    )
    return area


async def _parent_township(
    ctx: TenantContext, errors: FieldErrors, parent_id: UUID
) -> AreaRow | None:
    """The township a new village goes under; another tenant's id is just as unknown."""
    owned = await require_owned(ctx, Area, parent_id, field="parent_id", label="所属乡镇/街道")
    parent = await repo.get_area(ctx, owned)
    if parent.kind != "township":
        errors.add("parent_id", "所属乡镇/街道无效")
        return None
    if not parent.active:
        errors.add("parent_id", "所属乡镇/街道已停用")
    return parent


async def update_area(
    ctx: TenantContext, area_id: UUID, data: AreaUpdate, expected_version: int
) -> AreaRow:
    """Rename and/or (de)activate an area. A township with active villages stays active."""
    current = await repo.get_area(ctx, area_id)
    if not 0 < expected_version < 2**31:  # no row has such a version: stale by definition
        raise PreconditionFailed
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    if data.name is not None:
        name = clean_text(errors, "name", "名称", data.name, 60)
        if name != current.name:
            changes["name"] = name
    if data.active is not None and data.active != current.active:
        if (
            not data.active
            and current.kind == "township"
            and await repo.count_active_children(ctx, area_id)
        ):
            errors.add("active", "该乡镇/街道下仍有启用的村/社区，请先停用它们")
        if data.active and current.parent_id:
            parent = await repo.get_area(ctx, current.parent_id)
            if not parent.active:
                errors.add("active", "所属乡镇/街道已停用，请先启用它")
        changes["active"] = data.active
    errors.raise_if_any()
    if not changes:
        if expected_version != current.version:
            raise PreconditionFailed
        return current
    area = await repo.update_area(ctx, area_id, expected_version, changes)
    before = {key: getattr(current, key) for key in changes}
    await audit.record(
        ctx,
        "area.update",
        "area",
        area_id,
        {"area": current.name, "before": before, "after": changes},
    )
    return area


# ---- users and memberships -----------------------------------------------------------------


async def create_member(
    ctx: TenantContext,
    data: MemberCreate,
    *,
    must_change_password: bool = True,
    password_hash: str | None = None,
) -> UUID:
    """Create a new user in this tenant; by default the password is temporary.

    ``password_hash``: ``hash_password(data.password)`` computed once by a caller creating many
    accounts with one password (the demo's 90 inspectors), instead of one argon2 run each.
    """
    errors = FieldErrors()
    username = check_username(errors, data.username)
    display_name = clean_text(errors, "display_name", "姓名", data.display_name, 40)
    role = check_role(errors, data.role)
    password = check_password(errors, data.password)
    errors.raise_if_any()
    if await repo.user_by_username(username) is not None:
        # Usernames are global: say no more than "unavailable" about other counties' accounts.
        raise Invalid({"username": f"用户名 {username} 不可用，请换一个"})
    user_id = await repo.insert_user(
        {
            "username": username,
            "display_name": display_name,
            "password_hash": password_hash or await hash_password(password),
            "must_change_password": must_change_password,
        }
    )
    membership_id = await repo.insert_membership(ctx, user_id, role)
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
    checked = check_role(errors, role)
    errors.raise_if_any()
    user = await repo.user_by_username(username)
    if user is None:
        raise Invalid({"username": f"没有用户 {username}"})
    if await repo.member_by_user(ctx, user.id) is not None:
        raise Invalid({"username": f"用户 {username} 已是本区县成员"})
    membership_id = await repo.insert_membership(ctx, user.id, checked)
    await audit.record(
        ctx, "user.create", "membership", membership_id, {"username": username, "role": checked}
    )
    return membership_id


async def update_member(ctx: TenantContext, membership_id: UUID, data: MemberUpdate) -> None:
    """Change a member's role or active flag. Deactivation ends their sessions and tokens here."""
    member = await repo.get_member(ctx, membership_id)
    if data.version is not None and data.version != member.version:
        raise PreconditionFailed  # the page was loaded before someone else saved
    errors = FieldErrors()
    changes: dict[str, Any] = {}
    if data.role is not None:
        role = check_role(errors, data.role)
        if role != member.role:
            changes["role"] = role
    if data.active is not None and data.active != member.active:
        changes["active"] = data.active
    errors.raise_if_any()
    if member.user_id == ctx.user_id and (
        changes.get("active") is False or changes.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise Invalid({"role": "不能停用自己或取消自己的管理员角色"})
    if not changes:
        return
    await repo.update_membership(ctx, membership_id, changes, member.version)
    if changes.get("active") is False:
        await repo.revoke_user_tokens(ctx, member.user_id)
        if not await repo.other_active_memberships(ctx, member.user_id):
            await sessions.delete_user_sessions(member.user_id)
    action = "user.update"
    if "active" in changes:
        action = "user.activate" if changes["active"] else "user.deactivate"
    before = {key: getattr(member, key) for key in changes}
    await audit.record(
        ctx,
        action,
        "membership",
        membership_id,
        {"username": member.username, "before": before, "after": changes},
    )


IDENTITY_SHARED = (
    "该用户同时属于其他区县（含已停用的成员资格），其密码与账号状态只能由平台运营方处理："
    "请联系平台运营方执行 wusong user reset-password 用户名"
)


async def identity_shared(ctx: TenantContext, user_id: UUID) -> bool:
    """Whether the global identity of ``user_id`` is beyond this tenant's administrator.

    The rule for every action on the identity (password, the user's active flag, a forced
    password change): a county administrator may take it only when the user has no membership
    in any other tenant, active or not (an inactive one can be reactivated at any time, and
    would then carry what this administrator did). Everything else is the platform operator's.
    """
    return await repo.memberships_elsewhere(ctx, user_id) > 0


async def _require_own_identity(ctx: TenantContext, user_id: UUID) -> None:
    if await identity_shared(ctx, user_id):
        raise Forbidden(IDENTITY_SHARED)


async def reset_password(ctx: TenantContext, membership_id: UUID, data: PasswordReset) -> None:
    """An administrator sets a temporary password; the user must change it at next sign-in."""
    member = await repo.get_member(ctx, membership_id)
    # Checked before the input: the page shows no form for such a user, so say why at once.
    await _require_own_identity(ctx, member.user_id)
    errors = FieldErrors()
    password = check_password(errors, data.password)
    errors.raise_if_any()
    await repo.set_password(member.user_id, await hash_password(password), must_change=True)
    await sessions.delete_user_sessions(member.user_id)
    await repo.revoke_user_tokens(ctx, member.user_id)
    await audit.record(
        ctx, "user.password_reset", "membership", membership_id, {"username": member.username}
    )


async def reset_password_everywhere(
    username: str, data: PasswordReset, actor_name: str = "platform"
) -> list[TenantRow]:
    """The platform operator sets a temporary password for a user of any number of tenants.

    Sessions end, the user's tokens are revoked in every tenant, and each tenant where the user
    has a membership (active or not) gets an audit event. Returns those tenants.
    """
    errors = FieldErrors()
    password = check_password(errors, data.password)
    errors.raise_if_any()
    user = await repo.user_by_username(username.strip())
    if user is None:
        raise Invalid({"username": f"没有用户 {username.strip()}"})
    tenants = await repo.user_membership_tenants(user.id)  # binds the unit to the user
    await repo.set_password(user.id, await hash_password(password), must_change=True)
    await sessions.delete_user_sessions(user.id)
    for tenant in tenants:
        await set_tenant(tenant.id)
        ctx = system_context(tenant, actor_name)
        member = await repo.member_by_user(ctx, user.id)
        if member is None:  # pragma: no cover - listed because the membership exists
            continue
        await repo.revoke_user_tokens(ctx, user.id)
        await audit.record(
            ctx,
            "user.password_reset",
            "membership",
            member.id,
            {"username": user.username},
        )
    return tenants


# ---- API tokens ----------------------------------------------------------------------------


MAX_TOKEN_DAYS = 3650


async def create_token(ctx: TenantContext, user_id: UUID, data: TokenCreate) -> TokenCreated:
    """A new API token for ``user_id``, optionally expiring; the secret is returned once and
    stored as SHA-256. A security event in the audit log."""
    errors = FieldErrors()
    name = clean_text(errors, "name", "令牌名称", data.name, 60)
    days = data.expires_in_days
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        errors.add("expires_in_days", f"有效期须为 1 至 {MAX_TOKEN_DAYS} 天，或留空表示长期有效")
    errors.raise_if_any()
    expires_at = datetime.now(UTC) + timedelta(days=days) if days is not None else None
    token, token_hash = new_secret("wst")
    token_id = await repo.insert_token(ctx, user_id, name, token_hash, token[:12], expires_at)
    diff: dict[str, Any] = {"name": name}
    if expires_at is not None:
        diff["expires_at"] = expires_at.isoformat(timespec="seconds")
    await audit.record(ctx, audit.TOKEN_CREATE, "api_token", token_id, diff)
    return TokenCreated(id=token_id, name=name, token=token, expires_at=expires_at)


async def revoke_token(ctx: TenantContext, user_id: UUID, token_id: UUID) -> None:
    name, was_active = await repo.revoke_token(ctx, user_id, token_id)
    if was_active:
        await audit.record(ctx, audit.TOKEN_REVOKE, "api_token", token_id, {"name": name})


# ---- where members work --------------------------------------------------------------------


async def work_scope(ctx: TenantContext) -> AreaScope:
    """Where the acting member may write (admins and the platform: the whole county)."""
    if ctx.role is None or ctx.role is Role.ADMIN or ctx.user_id is None:
        return AreaScope(county=True)
    county, areas = await repo.work_areas(ctx, ctx.user_id)
    return AreaScope(county=county, area_ids=frozenset(areas))


COUNTY_WIDE = "全县"
UNASSIGNED = "未分配"


def areas_label(assigned: list[UUID | None], names: dict[UUID, str]) -> str:
    """How an assignment reads: 全县, the areas' names, or 未分配."""
    if None in assigned:
        return COUNTY_WIDE
    return "、".join(names.get(a, "") for a in assigned if a is not None) or UNASSIGNED


async def member_areas(ctx: TenantContext, membership_id: UUID) -> MemberAreas:
    """Where the member works (404 when the member is not this tenant's)."""
    await repo.get_member(ctx, membership_id)
    assigned = await repo.member_area_ids(ctx, membership_id)
    names = {a.id: a.name for a in await repo.all_areas(ctx)}
    return MemberAreas(
        membership_id=membership_id,
        county=None in assigned,
        area_ids=[a for a in assigned if a is not None],
        label=areas_label(assigned, names),
    )


async def set_member_areas(
    ctx: TenantContext, membership_id: UUID, data: MemberAreasSet
) -> MemberAreas:
    """Assign the member to the whole county, or to townships/villages of this tenant."""
    member = await repo.get_member(ctx, membership_id)
    for area_id in data.area_ids:
        await require_owned(ctx, Area, area_id, field="area_ids", label="工作区域")
    if data.county and data.area_ids:
        raise Invalid({"area_ids": "已选“全县”时不必再选乡镇或村"})
    wanted: list[UUID | None] = [None] if data.county else list(dict.fromkeys(data.area_ids))
    before = await repo.member_area_ids(ctx, membership_id)
    if set(before) != set(wanted):
        await repo.set_member_areas(ctx, membership_id, wanted)
        names = {a.id: a.name for a in await repo.all_areas(ctx)}
        await audit.record(
            ctx,
            "member.areas",
            "membership",
            membership_id,
            {
                "username": member.username,
                "before": {"areas": areas_label(before, names)},
                "after": {"areas": areas_label(wanted, names)},
            },
        )
    return await member_areas(ctx, membership_id)


def area_tree(areas: list[AreaRow]) -> list[tuple[AreaRow, list[AreaRow]]]:
    """Active townships, each with its active villages (for grouped checkboxes)."""
    villages: dict[Any, list[AreaRow]] = {}
    for area in areas:
        if area.kind == "village" and area.active:
            villages.setdefault(area.parent_id, []).append(area)
    return [(a, villages.get(a.id, [])) for a in areas if a.kind == "township" and a.active]
