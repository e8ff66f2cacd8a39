"""Queries behind authentication: sessions, API-token lookup, membership check, login attempts.

These run before a tenant context exists. On PostgreSQL memberships, api_tokens and
user_sessions are behind row-level security and the runtime role cannot read password hashes,
so each pre-tenant read goes through a narrow SECURITY DEFINER function (see the migration
tenants_2026_11_27t11_00_00_000000) keyed on a credential, which also sets wusong.tenant_id
and/or wusong.user_id for the rest of the transaction; SQLite runs the plain statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tenants.rules import SLUG_RE, username_key
from tenants.schemas import TenantChoice
from tenants.security import digest, new_secret
from tenants.tables import ApiToken, LoginAttempt, User, UserSession
from wusong.core.db import (
    Statement,
    as_rows,
    as_uuid,
    current_unit,
    is_postgres,
    set_tenant,
    set_user,
)
from wusong.core.errors import Forbidden, NotFound, Unauthorized
from wusong.core.settings import Settings
from wusong.core.tenancy import Role, TenantContext

# Touch last_seen/last_used at most this often: one write per minute, not one per request.
TOUCH_INTERVAL = timedelta(seconds=60)

_PRINCIPAL_COLUMNS = """
    u.id AS user_id, u.username, u.display_name, u.must_change_password, u.active AS user_active,
    t.id AS tenant_id, t.slug, t.name AS tenant_name, t.division_code, t.active AS tenant_active,
    m.role
"""
_SESSION_SQL = """
SELECT s.id AS credential_id, s.last_seen_at AS touched_at, {columns}
FROM user_sessions s
JOIN users u ON u.id = s."user" AND u.active = true
LEFT JOIN tenants t ON t.slug = {{}}
LEFT JOIN memberships m ON m."user" = u.id AND m.tenant = t.id AND m.active = true
WHERE s.token_hash = {{}} AND s.last_seen_at > {{}} AND s.created_at > {{}}
"""

_TOKEN_SQL = """
SELECT k.id AS credential_id, k.last_used_at AS touched_at, {columns}
FROM api_tokens k
JOIN users u ON u.id = k."user" AND u.active = true
JOIN tenants t ON t.id = k.tenant AND t.slug = {{}}
LEFT JOIN memberships m ON m."user" = u.id AND m.tenant = t.id AND m.active = true
WHERE k.token_hash = {{}} AND k.revoked_at IS NULL
  AND (k.expires_at IS NULL OR k.expires_at > {{}})
"""


# Built once: {engine is PostgreSQL: statement}. On PostgreSQL one SECURITY DEFINER function
# authenticates, checks user, membership and tenant, and sets the RLS tenant (one round trip).
_TOKEN_QUERIES = {
    True: Statement("SELECT * FROM wusong_authenticate_token({}, {})"),
    False: Statement(_TOKEN_SQL.format(columns=_PRINCIPAL_COLUMNS)),
}
_SESSION_QUERIES = {
    True: Statement("SELECT * FROM wusong_authenticate_session({}, {}, {}, {})"),
    False: Statement(_SESSION_SQL.format(columns=_PRINCIPAL_COLUMNS)),
}


@dataclass(frozen=True)
class Principal:
    ctx: TenantContext
    touched_at: datetime | None
    must_change_password: bool = False


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


async def resolve_principal(
    settings: Settings, slug: str, credential: str | None, *, via: str
) -> Principal:
    """Authenticate and authorise in one query, setting the RLS tenant in the same statement.

    Raises Unauthorized (bad credential), NotFound (unknown tenant or not a member: never
    confirm that a tenant exists) or Forbidden (the tenant is deactivated).
    """
    if not credential:
        raise Unauthorized
    if not credential.isascii() or len(credential) > 200:
        raise Unauthorized
    if not SLUG_RE.match(slug):
        raise NotFound  # no such tenant can exist; never reaches the database
    postgres = is_postgres()
    now = datetime.now(UTC)
    if via == "token":
        if postgres:
            rows = await _TOKEN_QUERIES[True].fetch(slug, digest(credential))
        else:
            rows = await _TOKEN_QUERIES[False].fetch(slug, digest(credential), now)
        if rows and (rows[0]["tenant_id"] is None or not rows[0]["user_active"]):
            # PostgreSQL: a valid token of another tenant (or of a deactivated user).
            raise NotFound
        if not rows:
            # A valid token of another tenant is as unknown here as a wrong one.
            rows = await ApiToken.raw(
                "SELECT 1 AS ok FROM api_tokens WHERE token_hash = {} AND revoked_at IS NULL "
                "AND (expires_at IS NULL OR expires_at > {})",
                digest(credential),
                now,
            )
            raise NotFound if rows else Unauthorized
    else:
        idle = now - timedelta(minutes=settings.session_idle_minutes)
        absolute = now - timedelta(hours=settings.session_absolute_hours)
        rows = await _SESSION_QUERIES[postgres].fetch(slug, digest(credential), idle, absolute)
        if not rows:
            raise Unauthorized
    row = rows[0]
    if row["role"] is None:
        raise NotFound
    if not row["tenant_active"]:
        raise Forbidden("该区县已停用")
    ctx = TenantContext(
        tenant_id=as_uuid(row["tenant_id"]),
        tenant_slug=row["slug"],
        tenant_name=row["tenant_name"],
        division_code=row["division_code"],
        user_id=as_uuid(row["user_id"]),
        actor_name=row["username"],
        role=Role(row["role"]),
        via=via,
        credential_id=as_uuid(row["credential_id"]),
        display_name=row["display_name"],
    )
    return Principal(
        ctx=ctx,
        touched_at=_as_datetime(row["touched_at"]),
        must_change_password=bool(row["must_change_password"]),
    )


def needs_touch(principal: Principal) -> bool:
    touched = principal.touched_at
    return touched is None or datetime.now(UTC) - touched > TOUCH_INTERVAL


async def touch(principal: Principal) -> None:
    now = datetime.now(UTC)
    if principal.ctx.via == "token":
        await set_tenant(principal.ctx.tenant_id)  # row-level security: the token's tenant
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            ApiToken.id == principal.ctx.credential_id
        )
    else:
        await set_user(principal.ctx.acting_user)  # row-level security: the user's sessions
        await UserSession.update({UserSession.last_seen_at: now}).where(
            UserSession.id == principal.ctx.credential_id
        )


# ---- browser sessions -----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionUser:
    session_id: UUID
    user_id: UUID
    username: str
    display_name: str
    must_change_password: bool
    touched_at: datetime


_SESSION_USER = {
    True: Statement("SELECT * FROM wusong_session_user({}, {}, {})"),
    False: Statement(
        """
        SELECT s.id, s.last_seen_at, u.id AS user_id, u.username, u.display_name,
               u.must_change_password
        FROM user_sessions s JOIN users u ON u.id = s."user" AND u.active = true
        WHERE s.token_hash = {} AND s.last_seen_at > {} AND s.created_at > {}
        """
    ),
}


async def session_user(settings: Settings, token: str | None) -> SessionUser | None:
    """The signed-in user of a session cookie outside any tenant (account pages)."""
    if not token:
        return None
    now = datetime.now(UTC)
    rows = await _SESSION_USER[is_postgres()].fetch(
        digest(token),
        now - timedelta(minutes=settings.session_idle_minutes),
        now - timedelta(hours=settings.session_absolute_hours),
    )
    if not rows:
        return None
    row = rows[0]
    current_unit().user_id = as_uuid(row["user_id"])  # PostgreSQL: the function set it
    return SessionUser(
        session_id=as_uuid(row["id"]),
        user_id=as_uuid(row["user_id"]),
        username=row["username"],
        display_name=row["display_name"],
        must_change_password=bool(row["must_change_password"]),
        touched_at=_as_datetime(row["last_seen_at"]) or now,
    )


async def create_session(user_id: UUID, client_ip: str, user_agent: str) -> str:
    token, token_hash = new_secret("wss")
    await set_user(user_id)  # row-level security: a session is written by its own user
    await UserSession.insert(
        UserSession(
            token_hash=token_hash,
            user=user_id,
            client_ip=client_ip[:45],
            user_agent=user_agent[:200],
        )
    )
    return token


async def delete_session(token: str) -> None:
    if is_postgres():  # the holder of the cookie may end that session, whoever they are
        await UserSession.raw("SELECT wusong_end_session({}) AS ended", digest(token))
        return
    await UserSession.delete().where(UserSession.token_hash == digest(token))


async def delete_user_sessions(user_id: UUID, *, except_session: UUID | None = None) -> None:
    """End a user's sessions: their own (no tenant bound: account pages), or a member's from
    a tenant context (row-level security shows the sessions of the tenant's members)."""
    if current_unit().tenant_id is None:
        await set_user(user_id)
    query = UserSession.delete().where(UserSession.user == user_id)
    if except_session is not None:
        query = query.where(UserSession.id != except_session)
    await query


async def purge_expired_sessions(settings: Settings) -> int:
    now = datetime.now(UTC)
    if is_postgres():  # every user's sessions: a narrow function, as the worker has no user
        rows = await UserSession.raw(
            "SELECT wusong_purge_sessions({}, {}) AS n",
            now - timedelta(minutes=settings.session_idle_minutes),
            now - timedelta(hours=settings.session_absolute_hours),
        )
        return int(rows[0]["n"])
    expired = (
        UserSession.last_seen_at < now - timedelta(minutes=settings.session_idle_minutes)
    ) | (UserSession.created_at < now - timedelta(hours=settings.session_absolute_hours))
    rows = await UserSession.delete().where(expired).returning(UserSession.id)
    return len(rows)


async def purge_old_login_attempts(settings: Settings) -> int:
    cutoff = (
        datetime.now(UTC) - timedelta(minutes=settings.login_window_minutes) - timedelta(days=1)
    )
    rows = await LoginAttempt.delete().where(LoginAttempt.at < cutoff).returning(LoginAttempt.id)
    return len(rows)


# ---- sign-in -------------------------------------------------------------------------------


async def find_user_for_login(username: str) -> dict[str, Any] | None:
    """The account a typed (NFKC-normalised) name signs in to: the username typed exactly,
    else the one with its key (so ``LISHU-Viewer`` signs in as ``lishu-viewer``)."""
    key = username_key(username)
    if is_postgres():
        # The runtime role cannot read password hashes: one account at a time through this
        # function, which also sets wusong.user_id (its memberships become visible).
        rows = await User.raw("SELECT * FROM wusong_login_user({}, {})", username, key)
        if rows:
            current_unit().user_id = as_uuid(rows[0]["id"])
        return rows[0] if rows else None
    rows = await User.select(
        User.id, User.username, User.username_key, User.password_hash, User.active
    ).where((User.username == username) | (User.username_key == key))
    exact = [row for row in rows if row["username"] == username]
    found = exact or rows
    return found[0] if found else None


async def account_key(user_id: UUID) -> str:
    """The key a user's sign-in attempts are counted under."""
    row = await User.select(User.username_key).where(User.id == user_id).first()
    return row["username_key"] if row else ""


async def user_can_sign_in(user_id: UUID) -> bool:
    """Active user with at least one active membership in an active tenant."""
    await set_user(user_id)  # row-level security: the user's own memberships
    rows = await User.raw(
        """
        SELECT 1 AS ok FROM memberships m JOIN tenants t ON t.id = m.tenant
        WHERE m."user" = {} AND m.active = true AND t.active = true LIMIT 1
        """,
        user_id,
    )
    return bool(rows)


@dataclass(frozen=True)
class Failures:
    """Failed attempts in the window (README "Sign-in throttling")."""

    pair: int  # this account from this client, not cleared by a success of that pair
    account: int  # this account from every client, not cleared
    client: int  # this client on every account; a success never clears these
    last_pair_at: datetime | None  # the latest earlier failure of this account from this client


async def recent_failures(
    account: str, client_ip: str, since: datetime, attempt_id: UUID
) -> Failures:
    failed = (LoginAttempt.succeeded == False) & (LoginAttempt.at > since)  # noqa: E712
    uncleared = failed & (LoginAttempt.username == account) & (LoginAttempt.cleared == False)  # noqa: E712
    pair = uncleared & (LoginAttempt.client_ip == client_ip)
    last = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(pair & (LoginAttempt.id != attempt_id))
        .order_by(LoginAttempt.at, ascending=False)
        .first()
    )
    return Failures(
        pair=await LoginAttempt.count().where(pair),
        account=await LoginAttempt.count().where(uncleared),
        client=await LoginAttempt.count().where(failed & (LoginAttempt.client_ip == client_ip)),
        last_pair_at=_as_datetime(last["at"]) if last else None,
    )


async def record_attempt(account: str, client_ip: str) -> UUID:
    rows = await LoginAttempt.insert(
        LoginAttempt(username=account[:40], client_ip=client_ip[:45], succeeded=False)
    ).returning(LoginAttempt.id)
    return as_uuid(rows[0]["id"])


async def discard_attempt(attempt_id: UUID) -> None:
    """A throttled attempt: refused before any password was checked, so it is no failure."""
    await LoginAttempt.delete().where(LoginAttempt.id == attempt_id)


async def mark_attempt_succeeded(attempt_id: UUID, account: str, client_ip: str) -> None:
    """The password was right: the attempt is no failure, and this account's failures from
    THIS client no longer count for the account. They still count for the client."""
    await LoginAttempt.update({LoginAttempt.succeeded: True}).where(LoginAttempt.id == attempt_id)
    await LoginAttempt.update({LoginAttempt.cleared: True}).where(
        (LoginAttempt.username == account)
        & (LoginAttempt.client_ip == client_ip[:45])
        & (LoginAttempt.succeeded == False)  # noqa: E712
    )


@dataclass(frozen=True)
class MemberTenant:
    id: UUID
    slug: str
    name: str
    division_code: str


async def membership_tenants(user_id: UUID) -> list[MemberTenant]:
    """Every tenant where the user has a membership, active or not (security events go there)."""
    await set_user(user_id)  # row-level security: the user's own memberships in every tenant
    rows = await User.raw(
        """
        SELECT t.id, t.slug, t.name, t.division_code
        FROM memberships m JOIN tenants t ON t.id = m.tenant
        WHERE m."user" = {} ORDER BY t.division_code
        """,
        user_id,
    )
    return [MemberTenant(as_uuid(r["id"]), r["slug"], r["name"], r["division_code"]) for r in rows]


async def user_tenants(user_id: UUID) -> list[TenantChoice]:
    """The active tenants a user may switch to, with the role in each (across tenants)."""
    await set_user(user_id)  # row-level security: a user's own memberships in every tenant
    rows = await User.raw(
        """
        SELECT t.slug, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant
        WHERE m."user" = {} AND m.active = true AND t.active = true ORDER BY t.division_code
        """,
        user_id,
    )
    return as_rows(TenantChoice, rows)


@dataclass(frozen=True)
class CityMembership:
    """A county where the user holds one of the asked roles, with the city it belongs to."""

    tenant_id: UUID
    slug: str
    name: str
    division_code: str
    parent_city: str
    parent_city_code: str
    role: Role


async def city_memberships(user_id: UUID, roles: frozenset[Role]) -> list[CityMembership]:
    """The active counties where the user holds an active membership with one of ``roles``
    (the city overview: across tenants, like the switcher), by city, then division code."""
    await set_user(user_id)  # row-level security: a user's own memberships in every tenant
    wanted = sorted(role.value for role in roles)
    marks = ", ".join("{}" for _ in wanted)
    rows = await User.raw(
        f"""
        SELECT t.id, t.slug, t.name, t.division_code, t.parent_city, t.parent_city_code, m.role
        FROM memberships m JOIN tenants t ON t.id = m.tenant
        WHERE m."user" = {{}} AND m.active = true AND t.active = true AND m.role IN ({marks})
        ORDER BY t.parent_city_code, t.division_code
        """,
        user_id,
        *wanted,
    )
    return [
        CityMembership(
            as_uuid(r["id"]), r["slug"], r["name"], r["division_code"], r["parent_city"],
            r["parent_city_code"], Role(r["role"]),
        )
        for r in rows
    ]  # fmt: skip


async def switchable_tenants(ctx: TenantContext) -> list[TenantChoice]:
    """The county switcher of the page navigation."""
    return await user_tenants(ctx.user_id) if ctx.user_id else []
