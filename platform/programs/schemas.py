"""Programs DTOs: input structs (JSON API bodies and parsed page forms) and typed rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from programs.kinds import ConfigData
from programs.tables import Activity, Program
from tenants.schemas import AreaId, MembershipId
from wusong.core.scoped import ref

# A configuration as a page form carries it: text and checkbox lists (no numbers to normalise).
FormConfig = dict[str, list[str] | str]

ProgramId = Annotated[UUID, ref(Program)]
ActivityId = Annotated[UUID, ref(Activity)]


class ProgramCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    name: str
    host_org: str = ""
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    area_ids: list[AreaId] = msgspec.field(default_factory=list)
    targets: dict[str, int] = msgspec.field(default_factory=dict)
    config: ConfigData = msgspec.field(default_factory=dict)

    labels: ClassVar[dict[str, str]] = {
        "kind": "项目类型",
        "name": "项目名称",
        "host_org": "承办单位",
        "description": "简介",
        "starts_on": "开始日期",
        "ends_on": "结束日期",
        "area_ids": "覆盖区域",
        "targets": "目标",
        "config": "配置",
    }


class ProgramForm(ProgramCreate, forbid_unknown_fields=True):
    """The new-program page's form of ProgramCreate (checkboxes: one ``area_ids`` value each;
    ``targets.<key>`` and ``config.<field>`` inputs are gathered by the page, targets as typed)."""

    targets: dict[str, str] = msgspec.field(default_factory=dict)  # type: ignore[assignment]
    config: FormConfig = msgspec.field(default_factory=dict)  # type: ignore[assignment]


class ProgramUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The common fields of a program (its type never changes; its configuration is saved as a
    new version with ConfigSave)."""

    name: str
    host_org: str = ""
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    targets: dict[str, int] = msgspec.field(default_factory=dict)

    labels: ClassVar[dict[str, str]] = ProgramCreate.labels


class ProgramEdit(ProgramUpdate, forbid_unknown_fields=True):
    """The settings page's form of ProgramUpdate, with the version it was loaded at (targets as
    typed: the use case reads them as whole numbers)."""

    targets: dict[str, str] = msgspec.field(default_factory=dict)  # type: ignore[assignment]
    version: int = 0


class ProgramAreasSet(msgspec.Struct, forbid_unknown_fields=True):
    """The townships and villages a program covers (a township covers its villages)."""

    area_ids: list[AreaId] = msgspec.field(default_factory=list)

    labels: ClassVar[dict[str, str]] = {"area_ids": "覆盖区域"}


class ProgramAreasForm(ProgramAreasSet, forbid_unknown_fields=True):
    """The settings page's form of ProgramAreasSet (checkboxes)."""


class ConfigSave(msgspec.Struct, forbid_unknown_fields=True):
    """A new configuration version of a program, of its type's shape."""

    config: ConfigData

    labels: ClassVar[dict[str, str]] = {"config": "配置"}


class ConfigEdit(msgspec.Struct, forbid_unknown_fields=True):
    """The settings page's configuration form: the version it was loaded at (``config.<field>``
    inputs are gathered by the page)."""

    version: int = 0
    config: FormConfig = msgspec.field(default_factory=dict)

    labels: ClassVar[dict[str, str]] = {"version": "配置版本", "config": "配置"}


class Transition(msgspec.Struct, forbid_unknown_fields=True):
    """Activate or close a program (the page sends the version it shows)."""

    version: int | None = None

    labels: ClassVar[dict[str, str]] = {"version": "版本"}


class Confirm(msgspec.Struct, forbid_unknown_fields=True):
    """A confirmed button (remove a member, delete an entry): nothing to fill in."""


class StaffAdd(msgspec.Struct, forbid_unknown_fields=True):
    membership_id: MembershipId

    labels: ClassVar[dict[str, str]] = {"membership_id": "工作人员"}


class StaffRow(msgspec.Struct):
    membership_id: UUID
    username: str
    display_name: str
    role: str
    active: bool


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True):
    """One logged service: its kind, day, how many people, the village, a short note."""

    kind: str
    occurred_on: date
    people: int
    area_id: AreaId | None = None
    note: str = ""

    labels: ClassVar[dict[str, str]] = {
        "kind": "活动类型",
        "occurred_on": "日期",
        "people": "人数",
        "area_id": "村/社区",
        "note": "备注",
    }


class ActivityDelete(msgspec.Struct, forbid_unknown_fields=True):
    """The activity list's delete button: which entry."""

    activity_id: ActivityId

    labels: ClassVar[dict[str, str]] = {"activity_id": "活动记录"}


class ActivityRow(msgspec.Struct):
    id: UUID
    program_id: UUID
    kind: str
    occurred_on: date
    people: int
    area_id: UUID | None
    area_name: str
    note: str
    recorded_by: UUID | None
    recorded_by_name: str
    created_at: datetime


class ProgramListRow(msgspec.Struct):
    """A program in the list: with the names of what it covers and whether it is the member's."""

    id: UUID
    kind: str
    name: str
    host_org: str
    status: str
    starts_on: date | None
    ends_on: date | None
    area_ids: list[UUID]
    areas: str
    mine: bool


class ProgramRow(msgspec.Struct):
    id: UUID
    kind: str
    name: str
    host_org: str
    description: str
    starts_on: date | None
    ends_on: date | None
    status: str
    targets: dict[str, int]
    config_version: int
    version: int
    updated_at: datetime


class ProgramDetail(msgspec.Struct):
    """A program with what it covers and its configuration in force (the API's answer)."""

    program: ProgramRow
    area_ids: list[UUID]
    config: ConfigData


class ConfigVersion(msgspec.Struct):
    """One saved configuration of a program (its rubric, for rated types)."""

    id: UUID
    version_no: int
    config: ConfigData
    created_at: datetime
    created_by: str
