"""The audit log: append-only events hash-chained per tenant, and its verification.

hash = SHA-256(previous hash ‖ canonical JSON of the event). Personal data in diffs is masked
before it is written, so the log itself never holds a password, token or ID number.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tenants.rules import USERNAME_RE
from tenants.schemas import AuditEventRow
from tenants.tables import AuditEvent
from wusong.core.db import Statement, as_rows, current_unit, is_postgres
from wusong.core.scoped import insert, scoped
from wusong.core.tenancy import TenantContext

GENESIS = "0" * 64
_CHAIN_LOCK = Statement("SELECT pg_advisory_xact_lock(hashtext({})) AS locked")
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
    "user.password_change": "修改本人密码",
    "security.token_create": "安全事件：创建 API 令牌",
    "security.token_revoke": "安全事件：吊销 API 令牌",
}


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


def chain_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


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


async def record(
    ctx: TenantContext,
    action: str,
    object_type: str = "",
    object_id: UUID | str = "",
    diff: dict[str, Any] | None = None,
) -> None:
    """Append one event to the tenant's chain, inside the caller's write transaction."""
    current_unit().require_writes()
    if is_postgres():
        # Writers of one tenant take turns on the chain head; other tenants are not blocked.
        await _CHAIN_LOCK.fetch(str(ctx.tenant_id))
    head = (
        await scoped(ctx, AuditEvent)
        .select(AuditEvent.seq, AuditEvent.hash)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    seq = (head["seq"] + 1) if head else 1
    prev_hash = head["hash"] if head else GENESIS
    at = datetime.now(UTC)
    row = {
        "tenant": ctx.tenant_id,
        "seq": seq,
        "at": at,
        "actor_id": ctx.user_id,
        "actor_name": ctx.actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "diff": _jsonable(mask_diff(diff or {})),
    }
    digest = chain_hash(prev_hash, _event_body(row))
    await insert(
        ctx,
        AuditEvent,
        seq=seq,
        at=at,
        actor_id=ctx.user_id,
        actor_name=ctx.actor_name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        diff=json.dumps(row["diff"], ensure_ascii=False),
        prev_hash=prev_hash,
        hash=digest,
    )


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: str
    reason: str


async def verify_chain(ctx: TenantContext) -> tuple[int, list[ChainProblem]]:
    """Recompute the tenant's chain; return the number of events and every broken link."""
    rows = await scoped(ctx, AuditEvent).select().order_by(AuditEvent.seq)
    problems: list[ChainProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    for row in rows:
        event_id = str(row["id"])
        if row["seq"] != expected_seq:
            problems.append(
                ChainProblem(row["seq"], event_id, f"sequence gap: expected {expected_seq}")
            )
        if row["prev_hash"] != prev_hash:
            problems.append(ChainProblem(row["seq"], event_id, "previous hash does not match"))
        if chain_hash(row["prev_hash"], _event_body(row)) != row["hash"]:
            problems.append(ChainProblem(row["seq"], event_id, "content does not match its hash"))
        prev_hash = row["hash"]
        expected_seq = row["seq"] + 1
    return len(rows), problems


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def matchable(self, actions: Mapping[str, str]) -> bool:
        """False when a filter value cannot match any event (and must not reach the database)."""
        return (
            (not self.action or self.action in actions)
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
    if filters.action:
        where.append(AuditEvent.action == filters.action)
    if filters.actor:
        where.append(AuditEvent.actor_name == filters.actor)
    if filters.object_type:
        where.append(AuditEvent.object_type == filters.object_type)
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
    return as_rows(AuditEventRow, rows), total


_EVENT_COLUMNS = (
    AuditEvent.id,
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.actor_name,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.diff,
    AuditEvent.hash,
)


async def actor_names(ctx: TenantContext) -> list[str]:
    rows = (
        await scoped(ctx, AuditEvent)
        .select(AuditEvent.actor_name)
        .distinct()
        .order_by(AuditEvent.actor_name)
    )
    return [row["actor_name"] for row in rows]
