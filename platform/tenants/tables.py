"""Tenants, their township/village tree, users, memberships, credentials and the audit log."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.table import Table


class Tenant(Table, tablename="tenants"):
    """A county-level unit (县/县级市/区)."""

    id = UUID(primary_key=True, default=UUID4())
    slug = Varchar(length=40, unique=True)
    name = Varchar(length=60)
    division_code = Varchar(length=12, unique=True)
    parent_city = Varchar(length=60, default="")
    parent_city_code = Varchar(length=12, default="")
    active = Boolean(default=True)
    settings = JSON(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())


class Area(Table, tablename="areas"):
    """A township/street (乡镇/街道) or a village/community (村/社区) of a tenant."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    parent: ForeignKey = ForeignKey("self", null=True, index=True)
    kind = Varchar(length=12)
    name = Varchar(length=60)
    division_code = Varchar(length=12)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class User(Table, tablename="users"):
    """A person who signs in; belongs to tenants through memberships."""

    id = UUID(primary_key=True, default=UUID4())
    username = Varchar(length=40, unique=True)  # NFKC, case as typed, shown to people
    # NFKC + casefold of the username: what sign-in looks up. UNIQUE (an index of the migration).
    username_key = Varchar(length=40, default="")
    display_name = Varchar(length=40)
    password_hash = Text()
    active = Boolean(default=True)
    must_change_password = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    password_changed_at = Timestamptz(default=TimestamptzNow())


class Membership(Table, tablename="memberships"):
    """A user's role in one tenant (row-level security: its tenant, or its own user)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    user = ForeignKey(User, null=False, index=True)
    role = Varchar(length=20)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ApiToken(Table, tablename="api_tokens"):
    """A bearer token of one user for one tenant; only its SHA-256 is stored."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    user = ForeignKey(User, null=False, index=True)
    name = Varchar(length=60)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)


class UserSession(Table, tablename="user_sessions"):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256."""

    id = UUID(primary_key=True, default=UUID4())
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    client_ip = Varchar(length=45, default="")
    user_agent = Varchar(length=200, default="")


class LoginAttempt(Table, tablename="login_attempts"):
    """One sign-in attempt, counted for throttling per account, per (account, client), per client.

    ``username`` is the account's username_key (the typed name's key for unknown names).
    ``cleared``: a later success of the same account from the same client; a cleared failure no
    longer counts for that account, but still counts for the client.
    """

    id = UUID(primary_key=True, default=UUID4())
    username = Varchar(length=40, index=True)
    client_ip = Varchar(length=45, index=True)
    succeeded = Boolean(default=False)
    cleared = Boolean(default=False)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class AuditEvent(Table, tablename="audit_events"):
    """Append-only (database triggers), chained per tenant: hash = HMAC-SHA-256(key, prev_hash ‖
    canonical JSON); ``key_id`` names the key ("sha256": a legacy unkeyed row, see audit.py)."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    seq = Integer()
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor_id = UUID(null=True, default=None)
    actor_name = Varchar(length=40, default="")
    action = Varchar(length=60, index=True)
    object_type = Varchar(length=40, default="")
    object_id = Varchar(length=64, default="")
    diff = JSON(default="{}")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    key_id = Varchar(length=20, default="sha256")


class MemberArea(Table, tablename="member_areas"):
    """Where a member works: a township (with its villages) or a village; ``area`` NULL is the
    whole county. A member without any row may write nothing that belongs to an area."""

    id = UUID(primary_key=True, default=UUID4())
    tenant = ForeignKey(Tenant, null=False, index=True)
    membership = ForeignKey(Membership, null=False, index=True)
    area = ForeignKey(Area, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
