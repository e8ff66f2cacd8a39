"""The audit log: append-only events chained per tenant with a keyed hash, and its verification.

hash = HMAC-SHA-256(key, previous hash ‖ canonical JSON of the event, key id included). The key
lives in settings (WUSONG_AUDIT_KEY), never in the database, so whoever can write the database
cannot recompute a valid chain; each row names its key by ``key_id`` (a fingerprint of the key).
Rows written before the key existed carry ``key_id = "sha256"`` (hash = SHA-256(prev ‖ JSON)):
``wusong audit rekey`` re-signs them once, after checking them. The database refuses UPDATE and
DELETE on the table (triggers); anchors outside the database (tenants.anchors) catch a truncated
or wholly rewritten tail. Personal data in diffs is masked before it is written, so the log
itself never holds a password, token or ID number.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from tenants import repo
from tenants.anchors import Anchor, AnchorStore, default_store
from tenants.rules import USERNAME_RE
from tenants.schemas import AuditEventRow
from tenants.tables import AuditEvent
from wusong.core.db import as_rows, current_unit, get_engine, is_postgres, set_tenant
from wusong.core.errors import DomainError, Invalid
from wusong.core.scoped import TenantStatement, insert, scoped
from wusong.core.settings import get_settings
from wusong.core.tenancy import TenantContext, system_context

T = TypeVar("T")
GENESIS = "0" * 64
OBJECT_TYPE_RE = re.compile(r"^[a-z_]{1,40}$")
SECRET_FIELDS = frozenset(
    {"password", "password_hash", "token", "token_hash", "secret", "id_number", "mobile", "phone"}
)

# The tenants domain's actions; every domain declares its own (Domain.audit_actions).
ACTION_LABELS: dict[str, str] = {
    "tenant.create": "创建区县",
    "tenant.deactivate": "停用区县",
    "tenant.activate": "启用区县",
    "area.create": "新增区域",
    "area.update": "修改区域",
    "user.create": "新增用户",
    "user.update": "修改用户",
    "user.deactivate": "停用用户",
    "user.activate": "启用用户",
    "user.password_reset": "重置密码",
    "user.password_change": "修改本人密码（早期记录）",
    "token.create": "创建 API 令牌（早期记录）",
    "token.revoke": "吊销 API 令牌（早期记录）",
}

# Security events: actions under ``security.``, shown under the audit log's "安全事件" filter.
SECURITY_PREFIX = "security."
SECURITY_FILTER = "security"  # the filter's value in ?action=
SECURITY_FILTER_LABEL = "安全事件"
SIGN_IN = "security.sign_in"
SIGN_OUT = "security.sign_out"
SIGN_IN_FAILED = "security.sign_in_failed"
SIGN_IN_THROTTLED = "security.sign_in_throttled"
PASSWORD_CHANGE = "security.password_change"
TOKEN_CREATE = "security.token_create"
TOKEN_REVOKE = "security.token_revoke"
ACTION_LABELS.update(
    {
        SIGN_IN: "登录",
        SIGN_OUT: "退出登录",
        SIGN_IN_FAILED: "登录失败",
        SIGN_IN_THROTTLED: "登录受限（连续失败）",
        PASSWORD_CHANGE: "修改本人密码",
        TOKEN_CREATE: "创建 API 令牌",
        TOKEN_REVOKE: "吊销 API 令牌",
        "member.areas": "设置工作区域",
    }
)


def mask_diff(diff: dict[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = {}
    for key, value in diff.items():
        if key in SECRET_FIELDS:
            masked[key] = "***"
        elif isinstance(value, dict):
            masked[key] = mask_diff(value)
        else:
            masked[key] = value
    return masked


def _jsonable(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date | Decimal):  # a day as 2026-11-26, an amount as "1200.00"
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


LEGACY_KEY_ID = "sha256"  # rows of the unkeyed chain, before ``wusong audit rekey``


@dataclass(frozen=True)
class ChainKey:
    """An HMAC key of the audit chain and its id (a fingerprint: the key cannot be derived)."""

    secret: bytes
    id: str

    @classmethod
    @functools.cache
    def from_secret(cls, secret: str) -> ChainKey:
        raw = secret.encode()
        fingerprint = hmac.new(raw, b"wusong audit key id", hashlib.sha256).hexdigest()[:16]
        return cls(raw, fingerprint)


def current_key() -> ChainKey:
    return ChainKey.from_secret(get_settings().audit_key)


def chain_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """The legacy, unkeyed link: anyone can recompute it (only ``rekey`` still accepts it)."""
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def keyed_hash(key: ChainKey, prev_hash: str, event: dict[str, Any]) -> str:
    body = {**event, "key_id": key.id}
    return hmac.new(key.secret, (prev_hash + canonical(body)).encode(), hashlib.sha256).hexdigest()


def _event_body(row: dict[str, Any]) -> dict[str, Any]:
    diff = row["diff"]
    if isinstance(diff, str):
        diff = json.loads(diff)
    return {
        "tenant": str(row["tenant"]),
        "seq": int(row["seq"]),
        "at": _iso(
            row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(row["at"])
        ),
        "actor_id": str(row["actor_id"]) if row["actor_id"] else None,
        "actor_name": row["actor_name"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "diff": diff,
    }


@dataclass(frozen=True)
class ChainHead:
    """The last event of a tenant's chain (seq 0 and the genesis hash before the first)."""

    seq: int = 0
    hash: str = GENESIS

    @classmethod
    def of(cls, seq: Any, digest: Any) -> ChainHead:
        return cls(int(seq), str(digest)) if seq is not None else cls()


# PostgreSQL: the tenant's chain lock and its head in one round trip (wusong_audit_head, a
# VOLATILE function: its SELECT sees what committed while it waited for the lock). Writers of
# one tenant take turns on the chain head; other tenants are not blocked. SQLite has one writer.
_LOCKED_HEAD = TenantStatement("SELECT head_seq, head_hash FROM wusong_audit_head({tenant})")
_HEAD = TenantStatement(
    "SELECT seq AS head_seq, hash AS head_hash FROM audit_events WHERE tenant = {tenant} "
    "ORDER BY seq DESC LIMIT 1"
)


async def chain_head(ctx: TenantContext) -> ChainHead:
    """Take the tenant's chain (until the transaction ends) and read its head."""
    current_unit().require_writes()
    rows = await (_LOCKED_HEAD if is_postgres() else _HEAD).fetch(ctx)
    return ChainHead.of(rows[0]["head_seq"], rows[0]["head_hash"]) if rows else ChainHead()


def chained_event(
    ctx: TenantContext,
    head: ChainHead,
    action: str,
    object_type: str = "",
    object_id: UUID | str = "",
    diff: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The next event after ``head`` as the columns of its row, hashed into the chain (the
    caller inserts it in the transaction that holds the chain: chain_head())."""
    key = current_key()
    at = datetime.now(UTC)
    masked = _jsonable(mask_diff(diff or {}))
    row = {
        "tenant": ctx.tenant_id,
        "seq": head.seq + 1,
        "at": at,
        "actor_id": ctx.user_id,
        "actor_name": ctx.actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "diff": masked,
    }
    return {
        "seq": head.seq + 1,
        "at": at,
        "actor_id": ctx.user_id,
        "actor_name": ctx.actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "diff": json.dumps(masked, ensure_ascii=False),
        "prev_hash": head.hash,
        "hash": keyed_hash(key, head.hash, _event_body(row)),
        "key_id": key.id,
    }


async def record(
    ctx: TenantContext,
    action: str,
    object_type: str = "",
    object_id: UUID | str = "",
    diff: dict[str, Any] | None = None,
) -> None:
    """Append one event to the tenant's chain, inside the caller's write transaction."""
    head = await chain_head(ctx)
    await insert(ctx, AuditEvent, **chained_event(ctx, head, action, object_type, object_id, diff))


# ---- verification ------------------------------------------------------------------------------


def event_signed(row: dict[str, Any]) -> bool:
    """Whether one event row (its columns, ``diff`` as stored) carries its own valid HMAC under
    the current key: the event was written by the product and not edited since. (It says
    nothing of the rows around it: verify_chain checks a whole chain.)"""
    key = current_key()
    if row.get("key_id") != key.id or not row.get("hash"):
        return False
    return hmac.compare_digest(
        keyed_hash(key, str(row["prev_hash"]), _event_body(row)), str(row["hash"])
    )


@dataclass(frozen=True)
class ChainProblem:
    """The first bad row of a chain: its seq, its id ("" when the row is missing), why (Chinese)."""

    seq: int
    event_id: str
    reason: str


def _short(digest: str) -> str:
    return digest[:12] + "…"


async def verify_chain(
    ctx: TenantContext,
    anchors: Sequence[Anchor] | None = None,
    *,
    keys: Mapping[str, ChainKey] | None = None,
    accept_legacy: bool = False,
) -> tuple[int, list[ChainProblem]]:
    """Check the tenant's chain row by row, and against its anchors.

    Returns the number of events and the FIRST problem (a list of at most one: after a broken
    link nothing later can be trusted). ``anchors`` default to the configured anchor log;
    ``keys`` to the current key. Legacy (unkeyed) rows are a problem unless ``accept_legacy``
    (``rekey``), and even then only before the first keyed row.
    """
    if anchors is None:
        anchors = default_store().read(str(ctx.tenant_id))
    if keys is None:
        key = current_key()
        keys = {key.id: key}
    rows = await scoped(ctx, AuditEvent).select().order_by(AuditEvent.seq)
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.tenant == str(ctx.tenant_id):
            anchored.setdefault(anchor.seq, []).append(anchor)
    problem = _first_problem(rows, anchored, keys, accept_legacy)
    if problem is None and anchored:
        last = max(anchored)
        count = rows[-1]["seq"] if rows else 0
        if last > count:
            at = anchored[last][-1].at
            problem = ChainProblem(
                count + 1,
                "",
                f"第 {count + 1}–{last} 条缺失：锚点（{at}）记录链头为第 {last} 条，"
                f"现在链只到第 {count} 条（尾部被删除）",
            )
    return len(rows), [problem] if problem else []


def _first_problem(
    rows: list[dict[str, Any]],
    anchored: Mapping[int, list[Anchor]],
    keys: Mapping[str, ChainKey],
    accept_legacy: bool,
) -> ChainProblem | None:
    prev_hash = GENESIS
    expected_seq = 1
    keyed_seen = False
    last_good_anchor = 0
    for row in rows:
        seq, event_id, key_id = int(row["seq"]), str(row["id"]), row["key_id"]
        if seq != expected_seq:
            missing = (
                f"第 {expected_seq} 条"
                if seq == expected_seq + 1
                else (f"第 {expected_seq}–{seq - 1} 条")
            )
            return ChainProblem(expected_seq, "", f"{missing}缺失（下一条是第 {seq} 条）")
        if row["prev_hash"] != prev_hash:
            return ChainProblem(seq, event_id, f"记录的上一条哈希与第 {seq - 1} 条的哈希不符")
        body = _event_body(row)
        if key_id == LEGACY_KEY_ID:
            if not accept_legacy:
                return ChainProblem(
                    seq,
                    event_id,
                    "未用密钥签名的旧格式记录（SHA-256）：请先运行 wusong audit rekey",
                )
            if keyed_seen:
                return ChainProblem(seq, event_id, "已签名的记录之后出现未签名的旧格式记录")
            expected = chain_hash(prev_hash, body)
        else:
            key = keys.get(key_id)
            if key is None:
                known = "、".join(keys) or "无"
                return ChainProblem(
                    seq, event_id, f"由未知的密钥签名（密钥标识 {key_id}，已知的为 {known}）"
                )
            keyed_seen = True
            expected = keyed_hash(key, prev_hash, body)
        if not hmac.compare_digest(expected, row["hash"]):
            what = "SHA-256" if key_id == LEGACY_KEY_ID else "HMAC"
            return ChainProblem(
                seq, event_id, f"内容与其 {what} 不符：该条被修改，或其哈希不是用本系统的密钥计算的"
            )
        for anchor in anchored.get(seq, ()):
            if anchor.key_id != LEGACY_KEY_ID and key_id == LEGACY_KEY_ID:
                return ChainProblem(
                    seq, event_id, f"锚点（{anchor.at}）记录该条已用密钥签名，现为未签名的旧格式"
                )
            if anchor.key_id == key_id and anchor.hash != row["hash"]:
                return ChainProblem(
                    seq,
                    event_id,
                    f"哈希与锚点不符：锚点（{anchor.at}）记录为 {_short(anchor.hash)}，"
                    f"现为 {_short(row['hash'])}；第 {last_good_anchor + 1}–{seq} 条被整体改写",
                )
        if seq in anchored:
            last_good_anchor = seq
        prev_hash = row["hash"]
        expected_seq = seq + 1
    return None


# ---- every tenant: anchors, verification, re-keying ----------------------------------------


async def for_each_tenant(
    slug: str | None, work: Callable[[TenantContext], Awaitable[T]]
) -> list[tuple[TenantContext, T]]:
    """Run ``work(ctx)`` as the platform in each tenant (or just ``slug``) in the caller's unit."""
    if slug is not None:
        tenant = await repo.tenant_by_slug(slug)
        if tenant is None:
            raise Invalid({"tenant": f"没有标识为 {slug} 的区县"})
        tenants: Sequence[Any] = [tenant]
    else:
        tenants = await repo.list_tenants()
    results = []
    for tenant in tenants:
        await set_tenant(tenant.id)
        ctx = system_context(tenant, "platform")
        results.append((ctx, await work(ctx)))
    return results


async def head_anchor(ctx: TenantContext) -> Anchor:
    """The tenant's chain head as an anchor (seq 0 for an empty chain)."""
    head = (
        await scoped(ctx, AuditEvent)
        .select(AuditEvent.seq, AuditEvent.hash, AuditEvent.key_id)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    return Anchor(
        tenant=str(ctx.tenant_id),
        slug=ctx.tenant_slug,
        seq=int(head["seq"]) if head else 0,
        hash=head["hash"] if head else GENESIS,
        key_id=head["key_id"] if head else current_key().id,
        at=_iso(datetime.now(UTC)),
    )


async def collect_heads(slug: str | None = None) -> list[Anchor]:
    """Every tenant's head, read in the caller's unit of work; append them after it ends."""
    return [anchor for _, anchor in await for_each_tenant(slug, head_anchor)]


async def anchor_heads(slug: str | None = None, store: AnchorStore | None = None) -> list[Anchor]:
    """Record each tenant's head in the anchor log, now (``wusong audit anchor``, the cron job).

    Opens its own read-only unit of work; the anchors are written after it has ended.
    """
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False):
        heads = await collect_heads(slug)
    await asyncio.to_thread((store or default_store()).append, heads)  # fsync off the loop
    return heads


class ChainBroken(DomainError):
    """A chain does not verify: it is not re-signed (that would launder the tampering)."""


async def rekey(slug: str | None = None, previous: Sequence[ChainKey] = ()) -> list[Anchor]:
    """Re-sign every chain (or one) with the current key, in the caller's write unit of work.

    Each chain must verify first (legacy SHA-256 rows as a prefix, rows of the current key or of
    a ``previous`` key, and its anchors); one that does not is refused and nothing is written.
    The append-only trigger is lifted only inside this transaction, which must run as the
    table's owner: the runtime role can neither disable the trigger nor rewrite a row.
    Returns the new heads, to anchor once the unit has committed.
    """
    current_unit().require_writes()
    key = current_key()
    keys = {k.id: k for k in previous} | {key.id: key}
    anchors = default_store().read()  # once: verify_chain picks each tenant's own

    async def check(ctx: TenantContext) -> None:
        _, problems = await verify_chain(ctx, anchors, keys=keys, accept_legacy=True)
        if problems:
            problem = problems[0]
            raise ChainBroken(
                f"{ctx.tenant_slug}：第 {problem.seq} 条：{problem.reason}。"
                "该链未通过校验，不予重新签名"
            )

    await for_each_tenant(slug, check)
    async with _append_only_lifted():
        await for_each_tenant(slug, lambda ctx: _resign(ctx, key))
    return await collect_heads(slug)


async def _resign(ctx: TenantContext, key: ChainKey) -> None:
    rows = await scoped(ctx, AuditEvent).select().order_by(AuditEvent.seq)
    prev_hash = GENESIS
    for row in rows:
        digest = keyed_hash(key, prev_hash, _event_body(row))
        if row["key_id"] != key.id or row["hash"] != digest or row["prev_hash"] != prev_hash:
            await (
                scoped(ctx, AuditEvent)
                .update(
                    {
                        AuditEvent.key_id: key.id,
                        AuditEvent.prev_hash: prev_hash,
                        AuditEvent.hash: digest,
                    }
                )
                .where(AuditEvent.id == row["id"])
            )
        prev_hash = digest


_PG_APPEND_ONLY_TRIGGER = "audit_events_append_only"


class _append_only_lifted:
    """Inside the current transaction only: the append-only triggers are off, then back on.

    PostgreSQL: ALTER TABLE … DISABLE TRIGGER takes an ACCESS EXCLUSIVE lock until the commit,
    so no other session ever sees the table without its trigger (and only the owner may do it).
    SQLite: the triggers are dropped and created again from their own stored SQL; DDL is
    transactional there too.
    """

    def __init__(self) -> None:
        self.saved: list[str] = []

    async def __aenter__(self) -> None:
        engine = get_engine()
        if is_postgres():
            await engine.run_ddl(
                f"ALTER TABLE audit_events DISABLE TRIGGER {_PG_APPEND_ONLY_TRIGGER}"
            )
            return
        rows = await engine.run_ddl(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'audit_events'"
        )
        for row in rows:
            self.saved.append(row["sql"])
            await engine.run_ddl(f'DROP TRIGGER "{row["name"]}"')

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return  # the transaction rolls back, trigger and all
        engine = get_engine()
        if is_postgres():
            await engine.run_ddl(
                f"ALTER TABLE audit_events ENABLE TRIGGER {_PG_APPEND_ONLY_TRIGGER}"
            )
            return
        for sql in self.saved:
            await engine.run_ddl(sql)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None  # one object's events (a case's timeline)
    since: datetime | None = None
    until: datetime | None = None

    def matchable(self, actions: Mapping[str, str]) -> bool:
        """False when a filter value cannot match any event (and must not reach the database)."""
        return (
            (not self.action or self.action in actions or self.action == SECURITY_FILTER)
            and (not self.actor or bool(USERNAME_RE.match(self.actor)))
            and (not self.object_type or bool(OBJECT_TYPE_RE.match(self.object_type)))
        )


async def list_events(
    ctx: TenantContext,
    filters: AuditFilter,
    actions: Mapping[str, str],
    *,
    offset: int = 0,
    limit: int = 50,
    with_total: bool = True,
) -> tuple[list[AuditEventRow], int | None]:
    """A page of events, newest first; ``actions`` are the actions every domain declared."""
    if not filters.matchable(actions):
        return [], 0
    where: list[Any] = []
    if filters.action == SECURITY_FILTER:
        where.append(AuditEvent.action.like(SECURITY_PREFIX + "%"))
    elif filters.action:
        where.append(AuditEvent.action == filters.action)
    if filters.actor:
        where.append(AuditEvent.actor_name == filters.actor)
    if filters.object_type:
        where.append(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        where.append(AuditEvent.object_id == filters.object_id)
    if filters.since:
        where.append(AuditEvent.at >= filters.since)
    if filters.until:
        where.append(AuditEvent.at < filters.until)
    rows = (
        await scoped(ctx, AuditEvent)
        .select(*_EVENT_COLUMNS)
        .where(*where)
        .order_by(AuditEvent.seq, ascending=False)
        .offset(offset)
        .limit(limit)
        .output(load_json=True)
    )
    total = await scoped(ctx, AuditEvent).count().where(*where) if with_total else None
    return await with_display_names(ctx, as_rows(AuditEventRow, rows)), total


_EVENT_COLUMNS = (
    AuditEvent.id,
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.actor_name,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.diff,
    AuditEvent.hash,
)


# The platform acts under these names (CLI, demo loader, jobs): what people read instead.
SYSTEM_ACTORS: dict[str, str] = {
    "platform": "平台运维（命令行）",
    "demo": "演示数据",
    "system": "系统任务",
}


async def _display_names(ctx: TenantContext) -> tuple[dict[str, str], dict[str, str]]:
    """Display names of the tenant's members, by user id and by username."""
    members = await repo.list_members(ctx)
    by_id = {str(m.user_id): m.display_name for m in members if m.display_name}
    by_name = {m.username: m.display_name for m in members if m.display_name}
    return by_id, by_name


def _display(actor_id: Any, actor_name: str, names: tuple[dict[str, str], dict[str, str]]) -> str:
    by_id, by_name = names
    if actor_id is not None and str(actor_id) in by_id:
        return by_id[str(actor_id)]
    return by_name.get(actor_name) or SYSTEM_ACTORS.get(actor_name) or actor_name


async def with_display_names(ctx: TenantContext, rows: list[AuditEventRow]) -> list[AuditEventRow]:
    if not rows:
        return rows
    names = await _display_names(ctx)
    for row in rows:
        row.actor_display = _display(row.actor_id, row.actor_name, names)
    return rows


async def actor_names(ctx: TenantContext) -> list[tuple[str, str]]:
    """(actor name to filter on, what to show) of everyone in the log, by what is shown."""
    rows = (
        await scoped(ctx, AuditEvent)
        .select(AuditEvent.actor_name)
        .distinct()
        .order_by(AuditEvent.actor_name)
    )
    names = await _display_names(ctx)
    shown = [(row["actor_name"], _display(None, row["actor_name"], names)) for row in rows]
    counts: dict[str, int] = {}
    for _, display in shown:
        counts[display] = counts.get(display, 0) + 1
    return sorted(
        (
            (name, display if counts[display] == 1 else f"{display}（{name}）")
            for name, display in shown
        ),
        key=lambda pair: pair[1],
    )
