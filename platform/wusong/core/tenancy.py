"""Who acts in which tenant: roles, the TenantContext, and re-entering a tenant outside requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from wusong.core import db
from wusong.core.errors import Unauthorized


class Role(StrEnum):
    """A member's role in one tenant (its Chinese description, for the API docs, is below)."""

    ADMIN = "admin"
    MEDIATOR = "mediator"
    COURT_REVIEWER = "court_reviewer"
    INSPECTOR = "inspector"
    VILLAGE_OFFICER = "village_officer"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


Role.__doc__ = (
    "成员在一个区县中的角色：admin 管理员，mediator 调解员，court_reviewer 法院审查员，"
    "inspector 物业督察员，village_officer 村务工作者，viewer 查看者。"
)

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "管理员",
    Role.MEDIATOR: "调解员",
    Role.COURT_REVIEWER: "法院审查员",
    Role.INSPECTOR: "物业督察员",
    Role.VILLAGE_OFFICER: "村务工作者",
    Role.VIEWER: "查看者",
}
EVERYONE: frozenset[Role] = frozenset(Role)
ADMIN: frozenset[Role] = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class TenantContext:
    """Who acts, in which tenant. Tenant-scoped queries take it as their first argument.

    ``role`` is None for the platform itself (CLI commands, jobs), which acts for no member.
    """

    tenant_id: UUID
    tenant_slug: str
    tenant_name: str
    division_code: str
    user_id: UUID | None
    actor_name: str
    role: Role | None
    via: str = "session"  # session | token | system
    credential_id: UUID | None = None
    display_name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def acting_user(self) -> UUID:
        """The signed-in user behind a request (the platform acting in a tenant has none)."""
        if self.user_id is None:
            raise Unauthorized
        return self.user_id


def system_context(tenant: Any, actor_name: str = "system") -> TenantContext:
    """The context of the platform acting in ``tenant`` (a row with id, slug, name, code)."""
    return TenantContext(
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        tenant_name=tenant.name,
        division_code=tenant.division_code,
        user_id=None,
        actor_name=actor_name,
        role=None,
        via="system",
    )


@asynccontextmanager
async def tenant_context(
    tenant: Any, *, writes: bool, actor_name: str = "system"
) -> AsyncIterator[TenantContext]:
    """Re-enter a tenant outside a request (CLI, jobs): one unit of work bound to the tenant."""
    async with db.unit_of_work(writes=writes, tenant_id=tenant.id):
        yield system_context(tenant, actor_name)
