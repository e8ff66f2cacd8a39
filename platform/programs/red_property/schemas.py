"""Red property DTOs: input structs (JSON bodies and parsed forms) and typed rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from programs.kinds import ProgramKind
from programs.red_property.config import Config
from programs.red_property.tables import Complaint, Inspection, PropertyComplex
from programs.tables import Program
from tenants.schemas import AreaId
from wusong.core.scoped import ref

# A program of this type in a path: the walker tries the world's red-property program in it
# (a program of another type is a 404 here, like any id that is not one of ours).
RedProgramId = Annotated[UUID, ref(Program, ProgramKind.RED_PROPERTY)]
ComplexId = Annotated[UUID, ref(PropertyComplex)]
InspectionId = Annotated[UUID, ref(Inspection)]
ComplaintId = Annotated[UUID, ref(Complaint)]

COMPLAINT_CATEGORIES: dict[str, str] = {
    "fees": "收费问题",
    "service": "服务质量",
    "repairs": "维修养护",
    "security": "安全秩序",
    "environment": "环境卫生",
    "other": "其他",
}
COMPLAINT_STATUSES: dict[str, str] = {"open": "待处理", "handled": "已处理"}


# ---- inputs ----------------------------------------------------------------------------------


class ComplexCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    area_id: AreaId
    address: str = ""
    company: str = ""
    households: int = 0

    labels: ClassVar[dict[str, str]] = {
        "name": "小区名称",
        "area_id": "所在村/社区",
        "address": "地址",
        "company": "物业服务企业",
        "households": "户数",
    }


class ComplexUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Edit and/or (de)activate (API: the version comes from If-Match)."""

    name: str | None = None
    area_id: AreaId | None = None
    address: str | None = None
    company: str | None = None
    households: int | None = None
    active: bool | None = None


class ComplexEdit(ComplexUpdate, forbid_unknown_fields=True):
    """The page form's ComplexUpdate: the version the form was rendered with travels in it."""

    version: int = -1

    labels: ClassVar[dict[str, str]] = {**ComplexCreate.labels, "active": "状态", "version": "版本"}


class ComplexActive(msgspec.Struct, forbid_unknown_fields=True):
    """The page's deactivate/activate button."""

    active: bool
    version: int = -1

    labels: ClassVar[dict[str, str]] = {"active": "状态", "version": "版本"}


class RubricSave(msgspec.Struct, forbid_unknown_fields=True):
    """A new rubric version."""

    config: Config

    labels: ClassVar[dict[str, str]] = {"config": "评星规则"}


class RubricForm(msgspec.Struct, forbid_unknown_fields=True):
    """The rubric page's rows, gathered by the route into the configuration's JSON."""

    config_json: str = "{}"
    version: int = -1

    labels: ClassVar[dict[str, str]] = {"config_json": "评星规则", "version": "版本"}


class InspectionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """``scores``: one per criterion of the rubric in force, in its order; ``vetoes``: the names
    of the veto items triggered; ``config_version``: the rubric the inspector saw (optional)."""

    inspected_on: date
    scores: list[int]
    vetoes: list[str] = msgspec.field(default_factory=list)
    notes: str = ""
    config_version: int | None = None

    labels: ClassVar[dict[str, str]] = {
        "inspected_on": "督察日期",
        "scores": "评分",
        "vetoes": "否决项",
        "notes": "督察意见",
        "config_version": "评星规则版本",
    }


class InspectionForm(msgspec.Struct, forbid_unknown_fields=True):
    """The inspection page's fields; the route gathers the per-criterion inputs as JSON."""

    inspected_on: str = ""
    scores_json: str = "[]"
    vetoes_json: str = "[]"
    notes: str = ""
    config_version: int | None = None

    labels: ClassVar[dict[str, str]] = InspectionCreate.labels


class ComplaintCreate(msgspec.Struct, forbid_unknown_fields=True):
    received_on: date
    category: str
    summary: str
    collective: bool = False

    labels: ClassVar[dict[str, str]] = {
        "received_on": "投诉日期",
        "category": "类别",
        "summary": "投诉内容",
        "collective": "群体投诉",
    }


class ComplaintUpdate(msgspec.Struct, forbid_unknown_fields=True):
    status: str
    version: int | None = None

    labels: ClassVar[dict[str, str]] = {"status": "处理状态", "version": "版本"}


# ---- rows ------------------------------------------------------------------------------------


class ComplexRow(msgspec.Struct):
    id: UUID
    program_id: UUID
    area_id: UUID
    area_name: str
    name: str
    address: str
    company: str
    households: int
    active: bool
    rated_on: date | None
    rated_stars: int | None
    rated_fee_level: str
    rated_until: date | None
    version: int
    updated_at: datetime

    def rating_valid(self, today: date) -> bool:
        return self.rated_until is not None and self.rated_until >= today


class ScoreLine(msgspec.Struct):
    name: str
    weight: int
    score: int


class InspectionRow(msgspec.Struct):
    id: UUID
    program_id: UUID
    complex_id: UUID
    complex_name: str
    inspected_on: date
    config_version: int
    scores: list[ScoreLine]
    vetoes: list[str]
    score: int
    stars: int
    fee_level: str
    fee_ceiling_fen: int | None
    valid_until: date
    notes: str
    inspector_name: str
    created_at: datetime


class ComplaintRow(msgspec.Struct):
    id: UUID
    program_id: UUID
    complex_id: UUID
    complex_name: str
    received_on: date
    category: str
    collective: bool
    summary: str
    status: str
    recorded_by_name: str
    version: int


class RatingRow(msgspec.Struct):
    """A complex's current rating: the latest inspection, while it is still valid."""

    complex_id: UUID
    complex_name: str
    stars: int | None
    fee_level: str
    rated_on: date | None
    valid_until: date | None
    valid: bool


class RubricOut(msgspec.Struct):
    version_no: int
    config: Config
    created_by: str
    created_at: datetime | None
    ready: bool
