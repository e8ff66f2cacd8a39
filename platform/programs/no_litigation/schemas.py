"""No-litigation village DTOs: input structs (API bodies, parsed forms) and typed rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from programs.kinds import ProgramKind
from programs.no_litigation.config import Config
from programs.no_litigation.tables import LawsuitCount, PilotVillage
from programs.tables import Program
from tenants.schemas import AreaId
from wusong.core.scoped import ref

# A program of this type in a path. The walker fills it with the world's no-litigation program
# (not the generic ``programs`` target, a studio, which these routes answer 404 for).
NoLitigationProgramId = Annotated[UUID, ref(Program, ProgramKind.NO_LITIGATION_VILLAGE)]
PilotId = Annotated[UUID, ref(PilotVillage)]
CountId = Annotated[UUID, ref(LawsuitCount)]

STATUSES: dict[str, str] = {"met": "达标", "failed": "未达标", "missing": "未录入"}


# ---- inputs ----------------------------------------------------------------------------------


class PilotCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A village or community joins the pilot list (added to the program's areas if needed)."""

    area_id: AreaId
    population: int
    households: int | None = None

    labels: ClassVar[dict[str, str]] = {
        "area_id": "村（社区）",
        "population": "常住人口",
        "households": "户数",
    }


class PilotUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Population corrections (API: the version comes from If-Match)."""

    population: int | None = None
    households: int | None = None


class PilotEdit(PilotUpdate, forbid_unknown_fields=True):
    version: int = -1

    labels: ClassVar[dict[str, str]] = {
        "population": "常住人口",
        "households": "户数",
        "version": "版本",
    }


class CountCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A pilot village's counts for one period (``2024`` or ``2024-Q3``, per the rubric)."""

    village_id: AreaId
    period: str
    lawsuits: int
    disputes_received: int | None = None
    disputes_settled: int | None = None
    note: str = ""

    labels: ClassVar[dict[str, str]] = {
        "village_id": "试点村（社区）",
        "period": "统计周期",
        "lawsuits": "新增诉讼案件数",
        "disputes_received": "受理矛盾纠纷数",
        "disputes_settled": "就地化解纠纷数",
        "note": "备注",
    }


class CountUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A correction of a count (API: the version comes from If-Match). The period and the
    village stay; the record is evaluated again under its period's rubric version."""

    lawsuits: int
    disputes_received: int | None = None
    disputes_settled: int | None = None
    note: str = ""


class CountEdit(CountUpdate, forbid_unknown_fields=True):
    version: int = -1

    labels: ClassVar[dict[str, str]] = {**CountCreate.labels, "version": "版本"}


class RubricIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new rubric version (API): the whole configuration; errors name ``config.<field>``."""

    config: Config


class RubricForm(msgspec.Struct, forbid_unknown_fields=True):
    """The rubric page's form (the API sends a Config with If-Match instead)."""

    granularity: str = "year"
    use_lawsuits: bool = False
    use_rate: bool = False
    use_settled: bool = False
    max_lawsuits: int = 0
    max_rate_per_10k: str = "0"
    min_settled_percent: int = 0
    version: int = -1

    labels: ClassVar[dict[str, str]] = {
        "granularity": "统计周期",
        "use_lawsuits": "新增诉讼案件数",
        "use_rate": "万人成讼率",
        "use_settled": "就地化解率",
        "max_lawsuits": "新增诉讼案件数上限",
        "max_rate_per_10k": "万人成讼率上限",
        "min_settled_percent": "就地化解率下限",
        "version": "版本",
    }


# ---- rows ------------------------------------------------------------------------------------


class PilotRow(msgspec.Struct):
    id: UUID
    village_id: UUID
    village_name: str
    division_code: str
    township_name: str
    population: int
    households: int | None
    version: int
    updated_at: datetime


class CountRow(msgspec.Struct):
    id: UUID
    pilot_id: UUID
    village_id: UUID
    village_name: str
    period: str
    lawsuits: int
    disputes_received: int | None
    disputes_settled: int | None
    population: int
    config_version: int
    status: str
    failed: list[str]
    note: str
    recorded_by_name: str
    version: int
    updated_at: datetime


class VillageStatus(msgspec.Struct):
    """A pilot village in a period: its counts (summed over the period's records), rate,
    local settlement and status — met 达标, failed 未达标 (``failed`` names why), missing 未录入."""

    pilot_id: UUID
    village_id: UUID
    village_name: str
    population: int
    records: int
    lawsuits: int | None
    rate_per_10k: str | None
    disputes_received: int | None
    disputes_settled: int | None
    settled_percent: str | None
    status: str
    failed: list[str]
    count_id: UUID | None = None  # the one record of the period, when there is exactly one
    config_version: int | None = None


class StatusSummary(msgspec.Struct):
    """The program's pilot villages in a period: how many met the rubric, and the share."""

    period: str
    pilots: int
    met: int
    failed: int
    missing: int
    met_percent: str | None
    lawsuits: int
    rate_per_10k: str | None
    disputes_received: int = 0
    disputes_settled: int = 0


class StatusPage(msgspec.Struct):
    summary: StatusSummary
    villages: list[VillageStatus]


class RubricOut(msgspec.Struct):
    version_no: int
    config: Config
    created_at: datetime
    created_by: str
