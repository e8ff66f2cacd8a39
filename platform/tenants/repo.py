"""The only module that queries tenants, areas, users, memberships and API tokens.

Tenant tables are queried through ``wusong.core.scoped`` (the tenant filter is part of the
query, not something to remember); row-level security on PostgreSQL is the second wall.
Functions return typed rows (``tenants.schemas``), never raw dicts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from tenants.rules import username_key
from tenants.schemas import AreaRow, MemberRow, TenantListRow, TenantRow, TokenRow, UserRow
from tenants.tables import ApiToken, Area, MemberArea, Membership, Tenant, User
from wusong.core.db import as_row, as_rows, as_uuid, is_postgres, set_user
from wusong.core.errors import NotFound, PreconditionFailed
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.tenancy import TenantContext

# ---- tenants (platform operator) ------------------------------------------------------------

_TENANT_COLUMNS = (
    Tenant.id,
    Tenant.slug,
    Tenant.name,
    Tenant.division_code,
    Tenant.parent_city,
    Tenant.parent_city_code,
    Tenant.active,
)


async def tenant_by_slug(slug: str) -> TenantRow | None:
    row = await Tenant.select(*_TENANT_COLUMNS).where(Tenant.slug == slug).first()
    return as_row(TenantRow, row) if row else None


async def tenant_by_id(tenant_id: UUID) -> TenantRow | None:
    row = await Tenant.select(*_TENANT_COLUMNS).where(Tenant.id == tenant_id).first()
    return as_row(TenantRow, row) if row else None


async def tenant_exists(*, slug: str, division_code: str) -> dict[str, bool]:
    by_slug = await Tenant.exists().where(Tenant.slug == slug)
    by_code = await Tenant.exists().where(Tenant.division_code == division_code)
    return {"slug": by_slug, "division_code": by_code}


async def insert_tenant(values: dict[str, Any]) -> TenantRow:
    rows = await Tenant.insert(Tenant(**values)).returning(*_TENANT_COLUMNS)
    return as_row(TenantRow, rows[0])


async def list_tenants() -> list[TenantListRow]:
    """Every tenant with its active member count: the platform operator's view, across tenants."""
    rows = await Tenant.raw(
        """
        SELECT t.id, t.slug, t.name, t.division_code, t.parent_city, t.parent_city_code,
               t.active,
               (SELECT COUNT(*) FROM memberships m WHERE m.tenant = t.id AND m.active = true)
                 AS members
        FROM tenants t ORDER BY t.division_code
        """
    )
    return as_rows(TenantListRow, rows)


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
) -> tuple[list[AreaRow], bool, int | None]:
    """One page of areas, whether more follow, and the total only when asked (it costs a scan)."""
    filters = {"kind": kind or None, "parent": parent_id, "active": active}
    used = tuple(name for name, value in filters.items() if value is not None)
    args = [filters[name] for name in used]
    rows = await _area_page_statement(used).fetch(ctx, *args, limit + 1, offset)
    total = None
    if with_total:
        query = scoped(ctx, Area).count()
        for name in used:
            query = query.where(getattr(Area, name) == filters[name])
        total = await query
    return as_rows(AreaRow, rows[:limit]), len(rows) > limit, total


@lru_cache(maxsize=16)
def _area_page_statement(filters: tuple[str, ...]) -> TenantStatement:
    """The area page query for one combination of filters, compiled once (the API's hot path)."""
    conditions = "".join(f' AND "{name}" = {{}}' for name in filters)
    return TenantStatement(
        "SELECT id, kind, name, division_code, parent AS parent_id, active, version, updated_at "
        f"FROM areas WHERE tenant = {{tenant}}{conditions} "
        "ORDER BY division_code LIMIT {} OFFSET {}"
    )


async def all_areas(ctx: TenantContext) -> list[AreaRow]:
    rows = await scoped(ctx, Area).select(*_AREA_COLUMNS).order_by(Area.division_code)
    return as_rows(AreaRow, rows)


_GET_AREA = TenantStatement(
    "SELECT id, kind, name, division_code, parent AS parent_id, active, version, updated_at "
    "FROM areas WHERE tenant = {tenant} AND id = {}"
)


async def get_area(ctx: TenantContext, area_id: UUID) -> AreaRow:
    rows = await _GET_AREA.fetch(ctx, area_id)
    if not rows:
        raise NotFound("未找到该区域")
    return as_row(AreaRow, rows[0])


async def division_code_taken(ctx: TenantContext, code: str) -> bool:
    return await scoped(ctx, Area).exists().where(Area.division_code == code)


async def insert_area(ctx: TenantContext, values: dict[str, Any]) -> AreaRow:
    area_id = await insert(ctx, Area, **values)
    return await get_area(ctx, area_id)


async def update_area(
    ctx: TenantContext, area_id: UUID, expected_version: int, changes: dict[str, Any]
) -> AreaRow:
    """Apply changes if the row is still at ``expected_version`` (optimistic locking)."""
    values: dict[Any, Any] = {
        **changes,
        "updated_at": datetime.now(UTC),
        "version": expected_version + 1,
    }
    rows = (
        await scoped(ctx, Area)
        .update(values)
        .where((Area.id == area_id) & (Area.version == expected_version))
        .returning(*_AREA_COLUMNS)
    )
    if not rows:
        await get_area(ctx, area_id)  # 404 when it is not ours at all
        raise PreconditionFailed
    return as_row(AreaRow, rows[0])


async def count_active_children(ctx: TenantContext, area_id: UUID) -> int:
    return (
        await scoped(ctx, Area)
        .count()
        .where(
            (Area.parent == area_id) & (Area.active == True)  # noqa: E712
        )
    )


# ---- users and memberships -----------------------------------------------------------------

_MEMBER_SQL = """
SELECT m.id, m.role, m.active, m.version,
       u.id AS user_id, u.username, u.display_name, u.must_change_password
FROM memberships m JOIN users u ON u.id = m."user"
WHERE m.tenant = {tenant}
"""
_MEMBERS = {
    (role, active): TenantStatement(
        _MEMBER_SQL
        + (" AND m.role = {}" if role else "")
        + (" AND m.active = {}" if active else "")
        + " ORDER BY m.active DESC, u.username"
    )
    for role in (False, True)
    for active in (False, True)
}
_MEMBER_BY_ID = TenantStatement(_MEMBER_SQL + " AND m.id = {}")
_MEMBER_BY_USER = TenantStatement(_MEMBER_SQL + ' AND m."user" = {}')


async def list_members(
    ctx: TenantContext, *, role: str | None = None, active: bool | None = None
) -> list[MemberRow]:
    args = [value for value in (role or None, active) if value is not None]
    rows = await _MEMBERS[(bool(role), active is not None)].fetch(ctx, *args)
    return as_rows(MemberRow, rows)


async def get_member(ctx: TenantContext, membership_id: UUID) -> MemberRow:
    rows = await _MEMBER_BY_ID.fetch(ctx, membership_id)
    if not rows:
        raise NotFound("未找到该用户")
    return as_row(MemberRow, rows[0])


async def member_by_user(ctx: TenantContext, user_id: UUID) -> MemberRow | None:
    rows = await _MEMBER_BY_USER.fetch(ctx, user_id)
    return as_row(MemberRow, rows[0]) if rows else None


# Never the password hash: the runtime role cannot read it (sessions.find_user_for_login can).
_USER_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.active,
    User.must_change_password,
)


async def user_by_username(username: str) -> UserRow | None:
    """The user whose username is ``username`` after normalisation (NFKC, casefold)."""
    row = (
        await User.select(*_USER_COLUMNS).where(User.username_key == username_key(username)).first()
    )
    return as_row(UserRow, row) if row else None


async def user_by_id(user_id: UUID) -> UserRow | None:
    row = await User.select(*_USER_COLUMNS).where(User.id == user_id).first()
    return as_row(UserRow, row) if row else None


async def insert_user(values: dict[str, Any]) -> UUID:
    values = {**values, "username_key": username_key(values["username"])}
    rows = await User.insert(User(**values)).returning(User.id)
    return as_uuid(rows[0]["id"])


async def insert_membership(ctx: TenantContext, user_id: UUID, role: str) -> UUID:
    return await insert(ctx, Membership, user=user_id, role=role)


async def update_membership(
    ctx: TenantContext, membership_id: UUID, changes: dict[str, Any], expected_version: int
) -> None:
    """Apply changes if the row is still at ``expected_version`` (optimistic locking)."""
    rows = (
        await scoped(ctx, Membership)
        .update({**changes, "version": expected_version + 1})
        .where((Membership.id == membership_id) & (Membership.version == expected_version))
        .returning(Membership.id)
    )
    if not rows:
        raise PreconditionFailed


async def other_active_memberships(ctx: TenantContext, user_id: UUID) -> int:
    """The user's active memberships in *other* tenants (a cross-tenant check by design).

    PostgreSQL's row-level security shows this tenant's memberships only: a narrow SECURITY
    DEFINER function returns the counts elsewhere.
    """
    if is_postgres():
        rows = await Membership.raw("SELECT * FROM wusong_memberships_elsewhere({})", user_id)
        return int(rows[0]["active"])
    return await Membership.count().where(
        (Membership.user == user_id)
        & (Membership.tenant != ctx.tenant_id)
        & (Membership.active == True)  # noqa: E712
    )


async def memberships_elsewhere(ctx: TenantContext, user_id: UUID) -> int:
    """The user's memberships in *other* tenants, active or not (a cross-tenant check by design).

    An inactive membership counts: its tenant can reactivate it at any time. PostgreSQL's
    row-level security shows this tenant's memberships only: the same narrow SECURITY DEFINER
    function as above returns the count elsewhere.
    """
    if is_postgres():
        rows = await Membership.raw("SELECT * FROM wusong_memberships_elsewhere({})", user_id)
        return int(rows[0]["total"])
    return await Membership.count().where(
        (Membership.user == user_id) & (Membership.tenant != ctx.tenant_id)
    )


async def user_membership_tenants(user_id: UUID) -> list[TenantRow]:
    """Every tenant where the user has a membership, active or not (platform operator).

    Binds the unit to the user: row-level security then shows the user's own memberships (and
    sessions) in every tenant."""
    await set_user(user_id)
    tenant_ids = await Membership.select(Membership.tenant).where(Membership.user == user_id)
    if not tenant_ids:
        return []
    rows = (
        await Tenant.select(*_TENANT_COLUMNS)
        .where(Tenant.id.is_in([row["tenant"] for row in tenant_ids]))
        .order_by(Tenant.slug)
    )
    return as_rows(TenantRow, rows)


async def set_password(user_id: UUID, password_hash: str, *, must_change: bool) -> None:
    await User.update(
        {
            User.password_hash: password_hash,
            User.must_change_password: must_change,
            User.password_changed_at: datetime.now(UTC),
        }
    ).where(User.id == user_id)


# ---- API tokens ----------------------------------------------------------------------------

REVOKED_TOKENS_SHOWN = timedelta(days=30)


async def list_tokens(ctx: TenantContext, user_id: UUID) -> list[TokenRow]:
    rows = (
        await scoped(ctx, ApiToken)
        .select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
            ApiToken.expires_at,
        )
        .where(
            (ApiToken.user == user_id)
            # revoked tokens stay listed for a month, then only the audit log remembers them
            & (
                ApiToken.revoked_at.is_null()
                | (ApiToken.revoked_at > datetime.now(UTC) - REVOKED_TOKENS_SHOWN)
            )
        )
        .order_by(ApiToken.created_at, ascending=False)
    )
    return as_rows(TokenRow, rows)


async def insert_token(
    ctx: TenantContext,
    user_id: UUID,
    name: str,
    token_hash: str,
    prefix: str,
    expires_at: datetime | None = None,
) -> UUID:
    return await insert(
        ctx,
        ApiToken,
        user=user_id,
        name=name,
        token_hash=token_hash,
        prefix=prefix,
        expires_at=expires_at,
    )


async def revoke_token(ctx: TenantContext, user_id: UUID, token_id: UUID) -> tuple[str, bool]:
    """Revoke one of the user's tokens; return its name and whether it was still active."""
    row = (
        await scoped(ctx, ApiToken)
        .select(ApiToken.name, ApiToken.revoked_at)
        .where((ApiToken.user == user_id) & (ApiToken.id == token_id))
        .first()
    )
    if row is None:
        raise NotFound("未找到该令牌")
    if row["revoked_at"] is None:
        await (
            scoped(ctx, ApiToken)
            .update({ApiToken.revoked_at: datetime.now(UTC)})
            .where(ApiToken.id == token_id)
        )
    return row["name"], row["revoked_at"] is None


async def revoke_user_tokens(ctx: TenantContext, user_id: UUID) -> None:
    await (
        scoped(ctx, ApiToken)
        .update({ApiToken.revoked_at: datetime.now(UTC)})
        .where((ApiToken.user == user_id) & ApiToken.revoked_at.is_null())
    )


# ---- the tenant home page ------------------------------------------------------------------

_HOME_COUNTS = TenantStatement(
    """
    SELECT
      (SELECT COUNT(*) FROM areas
        WHERE tenant = {tenant} AND kind = 'township' AND active = true) AS townships,
      (SELECT COUNT(*) FROM areas
        WHERE tenant = {tenant} AND kind = 'village' AND active = true) AS villages,
      (SELECT COUNT(*) FROM memberships WHERE tenant = {tenant} AND active = true) AS members,
      (SELECT COUNT(*) FROM audit_events WHERE tenant = {tenant} AND at > {}) AS events_week
    """
)


async def home_counts(ctx: TenantContext) -> dict[str, int]:
    rows = await _HOME_COUNTS.fetch(ctx, datetime.now(UTC) - timedelta(days=7))
    return {key: int(value) for key, value in rows[0].items()}


async def members_by_role(ctx: TenantContext) -> dict[str, int]:
    rows = await (
        scoped(ctx, Membership)
        .select(Membership.role, Count(alias="n"))
        .where(Membership.active == True)  # noqa: E712
        .group_by(Membership.role)
    )
    return {row["role"]: int(row["n"]) for row in rows}


# ---- where members work --------------------------------------------------------------------

_WORKS_COUNTY_WIDE = TenantStatement(
    """
    SELECT 1 AS county FROM member_areas ma
    JOIN memberships m ON m.id = ma.membership AND m.tenant = {tenant}
    WHERE ma.tenant = {tenant} AND m."user" = {} AND m.active = true AND ma.area IS NULL
    """
)
_WORK_AREAS = TenantStatement(
    """
    SELECT a.id AS area_id FROM areas a
    WHERE a.tenant = {tenant} AND EXISTS (
      SELECT 1 FROM member_areas ma
      JOIN memberships m ON m.id = ma.membership AND m.tenant = {tenant}
      WHERE ma.tenant = {tenant} AND m."user" = {} AND m.active = true
        AND (ma.area = a.id OR ma.area = a.parent))
    """
)


async def work_areas(ctx: TenantContext, user_id: UUID) -> tuple[bool, set[UUID]]:
    """Whether the user works county-wide here, else the areas (townships with their villages)."""
    if await _WORKS_COUNTY_WIDE.fetch(ctx, user_id):
        return True, set()
    rows = await _WORK_AREAS.fetch(ctx, user_id)
    return False, {
        r["area_id"] if isinstance(r["area_id"], UUID) else UUID(str(r["area_id"])) for r in rows
    }


async def member_area_ids(ctx: TenantContext, membership_id: UUID) -> list[UUID | None]:
    """The member's assignments as stored: area ids, None for the whole county."""
    rows = await (
        scoped(ctx, MemberArea)
        .select(MemberArea.area)
        .where(MemberArea.membership == membership_id)
        .order_by(MemberArea.created_at)
    )
    return [None if r["area"] is None else as_uuid(r["area"]) for r in rows]


async def all_member_areas(ctx: TenantContext) -> dict[UUID, list[UUID | None]]:
    """Every member's assignments (membership id → area ids, None for the whole county)."""
    rows = await scoped(ctx, MemberArea).select(MemberArea.membership, MemberArea.area)
    found: dict[UUID, list[UUID | None]] = {}
    for r in rows:
        area = None if r["area"] is None else as_uuid(r["area"])
        found.setdefault(as_uuid(r["membership"]), []).append(area)
    return found


async def set_member_areas(
    ctx: TenantContext, membership_id: UUID, area_ids: list[UUID | None]
) -> None:
    await scoped(ctx, MemberArea).delete().where(MemberArea.membership == membership_id)
    for area_id in area_ids:
        await insert(ctx, MemberArea, membership=membership_id, area=area_id)
