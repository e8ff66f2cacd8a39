"""Programs DTOs: input structs (JSON API bodies and parsed page forms) and typed rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from programs.tables import Activity, Program
from tenants.schemas import AreaId
from wusong.core.scoped import ref

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
    config: dict[str, Any] = msgspec.field(default_factory=dict)

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


class ConfigVersion(msgspec.Struct):
    """One saved configuration of a program (its rubric, for rated types)."""

    id: UUID
    version_no: int
    config: dict[str, Any]
    created_at: datetime
    created_by: str
