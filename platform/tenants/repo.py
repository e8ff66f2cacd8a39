"""The only module that queries tenants, areas, users, memberships and API tokens.

Tenant-scoped functions take the TenantContext first, always filter on it and stamp it on
insert; row-level security on PostgreSQL is the second line of defence, not the first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

from tenants.tables import ApiToken, Area, Membership, Tenant, User
from wusong.db import Statement
from wusong.errors import NotFound, PreconditionFailed
from wusong.tenancy import TenantContext

# ---- tenants (platform operator) ------------------------------------------------------------


async def tenant_by_slug(slug: str) -> dict[str, Any] | None:
    return await Tenant.select().where(Tenant.slug == slug).first()


async def tenant_exists(*, slug: str, division_code: str) -> dict[str, bool]:
    by_slug = await Tenant.exists().where(Tenant.slug == slug)
    by_code = await Tenant.exists().where(Tenant.division_code == division_code)
    return {"slug": by_slug, "division_code": by_code}


async def insert_tenant(values: dict[str, Any]) -> dict[str, Any]:
    rows = await Tenant.insert(Tenant(**values)).returning(*Tenant.all_columns())
    return rows[0]


async def list_tenants() -> list[dict[str, Any]]:
    return await Tenant.raw(
        """
        SELECT t.id, t.slug, t.name, t.division_code, t.parent_city, t.active,
               (SELECT COUNT(*) FROM memberships m WHERE m.tenant = t.id AND m.active = true)
                 AS members
        FROM tenants t ORDER BY t.division_code
        """
    )


async def set_tenant_active(tenant_id: UUID, active: bool) -> None:
    await Tenant.update({Tenant.active: active}).where(Tenant.id == tenant_id)


# ---- areas ---------------------------------------------------------------------------------

_AREA_COLUMNS = (
    Area.id,
    Area.kind,
    Area.name,
    Area.division_code,
    Area.parent.as_alias("parent_id"),
    Area.active,
    Area.version,
    Area.updated_at,
)


async def list_areas(
    ctx: TenantContext,
    *,
    offset: int = 0,
    limit: int = 20,
    kind: str | None = None,
    parent_id: UUID | None = None,
    active: bool | None = None,
    with_total: bool = False,
) -> tuple[list[dict[str, Any]], bool, int | None]:
    """One page of areas, whether more follow, and the total only when asked (it costs a scan)."""
    filters = {"kind": kind or None, "parent": parent_id, "active": active}
    used = tuple(name for name, value in filters.items() if value is not None)
    statement = _area_page_statement(used)
    args = [ctx.tenant_id, *(filters[name] for name in used)]
    rows = await statement.fetch(*args, limit + 1, offset)
    total = None
    if with_total:
        where: Any = Area.tenant == ctx.tenant_id
        for name in used:
            where &= getattr(Area, name) == filters[name]
        total = await Area.count().where(where)
    return rows[:limit], len(rows) > limit, total


@lru_cache(maxsize=16)
def _area_page_statement(filters: tuple[str, ...]) -> Statement:
    """The area page query for one combination of filters, compiled once."""
    conditions = "".join(f' AND "{name}" = {{}}' for name in filters)
    return Statement(
        "SELECT id, kind, name, division_code, parent AS parent_id, active, version, updated_at "
        f"FROM areas WHERE tenant = {{}}{conditions} ORDER BY division_code LIMIT {{}} OFFSET {{}}"
    )


async def all_areas(ctx: TenantContext) -> list[dict[str, Any]]:
    return (
        await Area.select(*_AREA_COLUMNS)
        .where(Area.tenant == ctx.tenant_id)
        .order_by(Area.division_code)
    )


async def get_area(ctx: TenantContext, area_id: UUID) -> dict[str, Any]:
    row = (
        await Area.select(*_AREA_COLUMNS)
        .where((Area.tenant == ctx.tenant_id) & (Area.id == area_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该区域")
    return row


async def division_code_taken(ctx: TenantContext, code: str) -> bool:
    return await Area.exists().where((Area.tenant == ctx.tenant_id) & (Area.division_code == code))


async def insert_area(ctx: TenantContext, values: dict[str, Any]) -> dict[str, Any]:
    await Area.insert(Area(tenant=ctx.tenant_id, **values))
    return await get_area(ctx, values["id"])


async def update_area(
    ctx: TenantContext, area_id: UUID, expected_version: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply changes if the row is still at ``expected_version`` (optimistic locking)."""
    values: dict[Any, Any] = {
        **changes,
        "updated_at": datetime.now(UTC),
        "version": expected_version + 1,
    }
    rows = (
        await Area.update(values)
        .where(
            (Area.tenant == ctx.tenant_id)
            & (Area.id == area_id)
            & (Area.version == expected_version)
        )
        .returning(Area.id)
    )
    if not rows:
        await get_area(ctx, area_id)  # 404 when it is not ours at all
        raise PreconditionFailed
    return await get_area(ctx, area_id)


async def count_active_children(ctx: TenantContext, area_id: UUID) -> int:
    return await Area.count().where(
        (Area.tenant == ctx.tenant_id) & (Area.parent == area_id) & (Area.active == True)  # noqa: E712
    )


# ---- users and memberships -----------------------------------------------------------------

_MEMBER_SQL = """
SELECT m.id, m.role, m.active, m.version, m.created_at,
       u.id AS user_id, u.username, u.display_name, u.must_change_password
FROM memberships m JOIN users u ON u.id = m."user"
WHERE m.tenant = {}
"""


async def list_members(
    ctx: TenantContext, *, role: str | None = None, active: bool | None = None
) -> list[dict[str, Any]]:
    sql, args = _MEMBER_SQL, [cast(Any, ctx.tenant_id)]
    if role:
        sql += " AND m.role = {}"
        args.append(role)
    if active is not None:
        sql += " AND m.active = {}"
        args.append(active)
    return await Membership.raw(sql + " ORDER BY m.active DESC, u.username", *args)


async def get_member(ctx: TenantContext, membership_id: UUID) -> dict[str, Any]:
    rows = await Membership.raw(_MEMBER_SQL + " AND m.id = {}", ctx.tenant_id, membership_id)
    if not rows:
        raise NotFound("未找到该用户")
    return rows[0]


async def member_by_user(ctx: TenantContext, user_id: UUID) -> dict[str, Any] | None:
    rows = await Membership.raw(_MEMBER_SQL + ' AND m."user" = {}', ctx.tenant_id, user_id)
    return rows[0] if rows else None


async def user_by_username(username: str) -> dict[str, Any] | None:
    return await User.select().where(User.username == username).first()


async def user_by_id(user_id: UUID) -> dict[str, Any] | None:
    return await User.select().where(User.id == user_id).first()


async def insert_user(values: dict[str, Any]) -> dict[str, Any]:
    rows = await User.insert(User(**values)).returning(User.id, User.username)
    return rows[0]


async def insert_membership(ctx: TenantContext, user_id: UUID, role: str) -> UUID:
    rows = await Membership.insert(
        Membership(tenant=ctx.tenant_id, user=user_id, role=role)
    ).returning(Membership.id)
    return rows[0]["id"]


async def update_membership(
    ctx: TenantContext, membership_id: UUID, changes: dict[str, Any]
) -> None:
    rows = (
        await Membership.update(
            cast(dict[Any, Any], {**changes, "version": Membership.version + 1})
        )
        .where((Membership.tenant == ctx.tenant_id) & (Membership.id == membership_id))
        .returning(Membership.id)
    )
    if not rows:
        raise NotFound("未找到该用户")


async def other_active_memberships(ctx: TenantContext, user_id: UUID) -> int:
    return await Membership.count().where(
        (Membership.user == user_id)
        & (Membership.tenant != ctx.tenant_id)
        & (Membership.active == True)  # noqa: E712
    )


async def set_password(user_id: UUID, password_hash: str, *, must_change: bool) -> None:
    await User.update(
        {
            User.password_hash: password_hash,
            User.must_change_password: must_change,
            User.password_changed_at: datetime.now(UTC),
        }
    ).where(User.id == user_id)


async def set_user_active(user_id: UUID, active: bool) -> None:
    await User.update({User.active: active}).where(User.id == user_id)


# ---- API tokens ----------------------------------------------------------------------------

REVOKED_TOKENS_SHOWN = timedelta(days=30)


async def list_tokens(ctx: TenantContext, user_id: UUID) -> list[dict[str, Any]]:
    return (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(
            (ApiToken.tenant == ctx.tenant_id)
            & (ApiToken.user == user_id)
            # revoked tokens stay listed for a month, then only the audit log remembers them
            & (
                ApiToken.revoked_at.is_null()
                | (ApiToken.revoked_at > datetime.now(UTC) - REVOKED_TOKENS_SHOWN)
            )
        )
        .order_by(ApiToken.created_at, ascending=False)
    )


async def insert_token(
    ctx: TenantContext, user_id: UUID, name: str, token_hash: str, prefix: str
) -> UUID:
    rows = await ApiToken.insert(
        ApiToken(
            tenant=ctx.tenant_id, user=user_id, name=name, token_hash=token_hash, prefix=prefix
        )
    ).returning(ApiToken.id)
    return rows[0]["id"]


async def revoke_token(ctx: TenantContext, user_id: UUID, token_id: UUID) -> dict[str, Any]:
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.revoked_at)
        .where(
            (ApiToken.tenant == ctx.tenant_id)
            & (ApiToken.user == user_id)
            & (ApiToken.id == token_id)
        )
        .first()
    )
    if row is None:
        raise NotFound("未找到该令牌")
    if row["revoked_at"] is None:
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            ApiToken.id == token_id
        )
    return row


async def revoke_user_tokens(ctx: TenantContext, user_id: UUID) -> None:
    await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
        (ApiToken.tenant == ctx.tenant_id)
        & (ApiToken.user == user_id)
        & ApiToken.revoked_at.is_null()
    )


# ---- the tenant home page ------------------------------------------------------------------


async def home_counts(ctx: TenantContext) -> dict[str, int]:
    week_ago = datetime.now(UTC) - timedelta(days=7)
    rows = await Area.raw(
        """
        SELECT
          (SELECT COUNT(*) FROM areas WHERE tenant = {} AND kind = 'township' AND active = true)
            AS townships,
          (SELECT COUNT(*) FROM areas WHERE tenant = {} AND kind = 'village' AND active = true)
            AS villages,
          (SELECT COUNT(*) FROM memberships WHERE tenant = {} AND active = true) AS members,
          (SELECT COUNT(*) FROM audit_events WHERE tenant = {} AND at > {}) AS events_week
        """,
        ctx.tenant_id,
        ctx.tenant_id,
        ctx.tenant_id,
        ctx.tenant_id,
        week_ago,
    )
    return {key: int(value) for key, value in rows[0].items()}


async def members_by_role(ctx: TenantContext) -> dict[str, int]:
    rows = await Membership.raw(
        "SELECT role, COUNT(*) AS n FROM memberships WHERE tenant = {} AND active = true "
        "GROUP BY role",
        ctx.tenant_id,
    )
    return {row["role"]: int(row["n"]) for row in rows}
