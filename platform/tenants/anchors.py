"""Anchors of the audit chains: each tenant's head, written OUTSIDE the database.

An anchor records a tenant's chain head (tenant id, seq, hash, key id, time). Verification
(``tenants.audit.verify_chain``) compares the chain with its anchors: a chain shorter than its
last anchor lost its tail; a row at an anchored seq with another hash was rewritten. Whoever can
only write to the database cannot change what is anchored here.

The log is append-only: ``AnchorStore`` is the interface, ``LocalFileAnchorStore`` writes JSON
lines to a file under the data directory (opened with O_APPEND, fsynced). A WORM or object store
can implement the same two methods.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from wusong.core.errors import DomainError

ANCHOR_FILE = "audit-anchors.jsonl"


class AnchorLogError(DomainError):
    """The anchor log cannot be read (a line that is not an anchor)."""


@dataclass(frozen=True)
class Anchor:
    tenant: str  # the tenant's id
    slug: str
    seq: int  # the head's sequence number (0: an empty chain)
    hash: str
    key_id: str  # the key the head was signed with (tenants.audit.LEGACY_KEY_ID: unkeyed)
    at: str  # ISO 8601, UTC

    def to_line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Anchor:
        data = json.loads(line)
        return cls(
            tenant=str(data["tenant"]),
            slug=str(data["slug"]),
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            key_id=str(data["key_id"]),
            at=str(data["at"]),
        )


class AnchorStore(Protocol):
    """An append-only place for anchors that the database cannot write."""

    def append(self, anchors: Sequence[Anchor]) -> None:
        """Add anchors durably (they are on stable storage when this returns)."""

    def read(self, tenant: str | None = None) -> list[Anchor]:
        """Every anchor (of one tenant), oldest first."""


class LocalFileAnchorStore:
    """JSON lines in a local file: O_APPEND writes, fsync before returning."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, anchors: Sequence[Anchor]) -> None:
        if not anchors:
            return
        data = "".join(anchor.to_line() + "\n" for anchor in anchors).encode()
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new directory entry must survive a crash too
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def read(self, tenant: str | None = None) -> list[Anchor]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        lines = text.split("\n")
        # A last line without its newline is a write that a crash cut short: not an anchor.
        complete = lines[:-1]
        anchors = []
        for number, line in enumerate(complete, 1):
            if not line.strip():
                continue
            try:
                anchor = Anchor.from_line(line)
            except (ValueError, KeyError, TypeError):
                raise AnchorLogError(f"锚点文件 {self.path} 第 {number} 行无法解析") from None
            if tenant is None or anchor.tenant == tenant:
                anchors.append(anchor)
        return anchors


def default_store() -> AnchorStore:
    """The configured anchor log: ``audit-anchors.jsonl`` under WUSONG_DATA_DIR."""
    from wusong.core.settings import get_settings

    return LocalFileAnchorStore(get_settings().data_dir / ANCHOR_FILE)
