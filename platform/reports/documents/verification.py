"""What the public verification page says of a document: found by the token of its QR code or
by its printed short code, in any county (the one lookup that knows no tenant), and whether its
record is intact — its issue event signed by the audit key and chained right after the head
the document recorded, and the stored file still the bytes whose SHA-256 it carries. Nothing
else: the county, the document's type, number, date, version, SHA-256 and masked names."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import datetime
from typing import Any

import msgspec

from reports.documents import repo, services
from reports.documents.storage import default_storage
from tenants import audit


class Verified(msgspec.Struct, kw_only=True):
    kind: str
    number: str
    tenant_name: str
    issued_at: datetime
    doc_version: int
    pages: int
    sha256: str
    parties: list[str]
    newer_version: int | None
    newer_issued_at: datetime | None
    record_intact: bool
    record_problem: str
    file_intact: bool

    @property
    def genuine(self) -> bool:
        return self.record_intact and self.file_intact


async def by_token(token: str) -> Verified | None:
    if not 16 <= len(token) <= 64:
        return None
    return await _verified(await repo.verification(services.token_digest(token), ""))


async def by_code(text: str) -> Verified | None:
    code = services.normal_code(text)
    if len(code) != 10:
        return None
    return await _verified(await repo.verification("", code))


def _datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def _verified(row: dict[str, Any] | None) -> Verified | None:
    if row is None:
        return None
    problem = _record_problem(row)
    try:
        stored = await asyncio.to_thread(default_storage().get, str(row["storage_key"]))
        file_intact = hashlib.sha256(stored).hexdigest() == row["sha256"]
    except (OSError, ValueError):
        file_intact = False
    parties = row["parties"]
    return Verified(
        kind=str(row["kind"]),
        number=str(row["number"]),
        tenant_name=str(row["tenant_name"]),
        issued_at=_datetime(row["issued_at"]),
        doc_version=int(row["doc_version"]),
        pages=int(row["pages"]),
        sha256=str(row["sha256"]),
        parties=[str(p) for p in (json.loads(parties) if isinstance(parties, str) else parties)],
        newer_version=int(row["newer_version"]) if row["newer_version"] is not None else None,
        newer_issued_at=_datetime(row["newer_issued_at"]) if row["newer_issued_at"] else None,
        record_intact=not problem,
        record_problem=problem,
        file_intact=file_intact,
    )


def _record_problem(row: dict[str, Any]) -> str:
    """Why the document's issue record cannot be trusted ("" when it can)."""
    if row["event_seq"] is None:
        return "审计日志中没有该文书的出具记录"
    event = {
        "tenant": row["tenant"],
        "seq": row["event_seq"],
        "at": row["event_at"],
        "actor_id": row["event_actor_id"],
        "actor_name": row["event_actor_name"],
        "action": row["event_action"],
        "object_type": row["event_object_type"],
        "object_id": row["event_object_id"],
        "diff": row["event_diff"],
        "prev_hash": row["event_prev_hash"],
        "hash": row["event_hash"],
        "key_id": row["event_key_id"],
    }
    if not audit.event_signed(event):
        return "出具记录的签名不符（记录被改动）"
    diff = row["event_diff"]
    recorded = json.loads(diff) if isinstance(diff, str) else diff
    if recorded.get("sha256") != row["sha256"]:
        return "文书的 SHA-256 与出具记录不符"
    if (
        int(row["event_seq"]) != int(row["chain_seq"]) + 1
        or row["event_prev_hash"] != row["chain_hash"]
    ):
        return "出具记录不在文书记载的审计链位置"
    return ""
