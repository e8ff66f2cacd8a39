"""Tenants DTOs: one input struct per use case, and the typed rows the repository returns.

Input structs are what the JSON API decodes and what page forms are parsed into (``labels``
names each field in Chinese for form errors). Their content rules live in ``tenants.rules``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from tenants.tables import ApiToken, Area, Membership
from wusong.core.scoped import ref
from wusong.core.tenancy import Role

AREA_KINDS: dict[str, str] = {"township": "乡镇/街道", "village": "村/社区"}

AreaId = Annotated[UUID, ref(Area)]
MembershipId = Annotated[UUID, ref(Membership)]
TokenId = Annotated[UUID, ref(ApiToken)]


# ---- inputs ----------------------------------------------------------------------------------


class TenantCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: str
    name: str
    division_code: str
    parent_city: str = ""
    parent_city_code: str = ""


class AreaCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    name: str
    division_code: str
    parent_id: AreaId | None = None

    labels: ClassVar[dict[str, str]] = {
        "kind": "类型",
        "name": "名称",
        "division_code": "区划代码",
        "parent_id": "所属乡镇/街道",
    }


class AreaUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Rename and/or (de)activate (API: the version comes from If-Match)."""

    name: str | None = None
    active: bool | None = None


class AreaEdit(AreaUpdate, forbid_unknown_fields=True):
    """The page forms' AreaUpdate: the version the form was rendered with travels in it."""

    version: int = -1

    labels: ClassVar[dict[str, str]] = {"name": "名称", "active": "状态", "version": "版本"}


class MemberCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    display_name: str
    role: str
    password: str

    labels: ClassVar[dict[str, str]] = {
        "username": "用户名",
        "display_name": "姓名",
        "role": "角色",
        "password": "临时密码",
    }


class MemberUpdate(msgspec.Struct, forbid_unknown_fields=True):
    role: str | None = None
    active: bool | None = None
    version: int | None = None  # the version the page showed: a lost race is refused (409)

    labels: ClassVar[dict[str, str]] = {"role": "角色", "active": "状态", "version": "版本"}


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    password: str

    labels: ClassVar[dict[str, str]] = {"password": "新的临时密码"}


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: str = ""
    new_password: str = ""
    confirm_password: str = ""


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    # Optional: the token stops working this many days after its creation (1 to 3650).
    expires_in_days: int | None = None

    labels: ClassVar[dict[str, str]] = {"name": "令牌名称", "expires_in_days": "有效期"}


class SignIn(msgspec.Struct):
    username: str = ""
    password: str = ""
    next: str = "/"


# ---- rows ------------------------------------------------------------------------------------


class TenantRow(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    division_code: str
    parent_city: str = ""
    parent_city_code: str = ""
    active: bool = True


class TenantListRow(TenantRow):
    members: int = 0


class AreaRow(msgspec.Struct):
    """An area as pages and the API show it."""

    id: UUID
    kind: str
    name: str
    division_code: str
    parent_id: UUID | None
    active: bool
    version: int
    updated_at: datetime


class MemberRow(msgspec.Struct):
    """A membership with its user, as the user pages and the API show it."""

    id: UUID
    user_id: UUID
    username: str
    display_name: str
    role: Role
    active: bool
    version: int
    must_change_password: bool


class UserRow(msgspec.Struct):
    id: UUID
    username: str
    display_name: str
    active: bool
    must_change_password: bool


class TokenRow(msgspec.Struct):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(UTC)


class TenantChoice(msgspec.Struct):
    """A county the signed-in user may switch to."""

    slug: str
    name: str
    role: Role


class AuditEventRow(msgspec.Struct):
    id: UUID
    seq: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    diff: dict[str, Any]
    hash: str
    actor_id: UUID | None = None
    actor_display: str = ""  # the person's display name, or what the platform acted as


# ---- API outputs -----------------------------------------------------------------------------


class MeOut(msgspec.Struct):
    user_id: UUID
    username: str
    display_name: str
    tenant: str
    tenant_name: str
    role: Role


class TokenCreated(msgspec.Struct):
    id: UUID
    name: str
    token: str
    expires_at: datetime | None = None


class AreaScope(msgspec.Struct, frozen=True):
    """Where a member may write: the whole county, or these areas (a township's assignment
    includes its villages). Admins and the platform itself write everywhere."""

    county: bool
    area_ids: frozenset[UUID] = frozenset()

    def covers(self, area_id: UUID | None) -> bool:
        return self.county or (area_id is not None and area_id in self.area_ids)


class MemberAreasSet(msgspec.Struct, forbid_unknown_fields=True):
    """Where a member works: the whole county, or these townships/villages (a township covers
    its villages). Neither: the member may write nothing that belongs to an area."""

    county: bool = False
    area_ids: list[AreaId] = msgspec.field(default_factory=list)

    labels: ClassVar[dict[str, str]] = {"county": "全县", "area_ids": "工作区域"}


class MemberAreasForm(MemberAreasSet, forbid_unknown_fields=True):
    """The member page's form of MemberAreasSet (checkboxes: one ``area_ids`` value each)."""


class MemberAreas(msgspec.Struct):
    """A member's work areas as pages and the API show them."""

    membership_id: UUID
    county: bool
    area_ids: list[UUID]
    label: str  # 全县, or the areas' names joined; 未分配 when none
