"""The tenant context: resolved once per request (or entered explicitly by jobs and scripts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID

from wusong import db


@dataclass(frozen=True)
class TenantContext:
    """Who acts, in which tenant. Repository functions take it as their first argument."""

    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    division_code: str
    user_id: UUID | None
    actor_name: str
    role: str
    via: str = "session"  # session | token | system
    credential_id: UUID | None = None
    display_name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@asynccontextmanager
async def tenant_context(
    tenant_id: UUID,
    slug: str,
    name: str,
    division_code: str,
    *,
    write: bool,
    actor_name: str = "system",
) -> AsyncIterator[TenantContext]:
    """Re-enter a tenant outside a request (CLI, jobs): one transaction with the tenant set."""
    async with db.transaction(write=write, tenant_id=tenant_id):
        yield TenantContext(
            tenant_id=tenant_id,
            tenant_slug=slug,
            tenant_name=name,
            division_code=division_code,
            user_id=None,
            actor_name=actor_name,
            role="system",
            via="system",
        )
