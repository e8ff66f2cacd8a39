"""Village rules DTOs: input structs (JSON API bodies and parsed page forms) and typed rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from programs.kinds import ProgramKind
from programs.tables import Program
from programs.village_rules.tables import BanquetDeclaration, RuleSet, RuleVersion
from tenants.schemas import AreaId
from wusong.core.scoped import ref

RuleSetId = Annotated[UUID, ref(RuleSet)]
RuleVersionId = Annotated[UUID, ref(RuleVersion)]
DeclarationId = Annotated[UUID, ref(BanquetDeclaration)]
# A village-rules program in a path: the route walker tries the world's village-rules program
# (a program of another type is a 404 here, as if the page did not exist).
RulesProgramId = Annotated[UUID, ref(Program, ProgramKind.VILLAGE_RULES)]

VERSION_STATUSES: dict[str, str] = {
    "draft": "草稿",
    "reviewed": "审查通过，待表决",
    "voted": "表决通过，待备案",
    "filed": "已备案，待公布",
    "published": "已公布",
}
STEP_KINDS: dict[str, str] = {
    "drafted": "起草",
    "revised": "修订（新版本）",
    "review_approved": "乡镇合法性审查通过",
    "review_returned": "乡镇合法性审查退回",
    "vote_passed": "村民（代表）会议表决通过",
    "vote_failed": "村民（代表）会议表决未通过",
    "filed": "备案",
    "published": "公布",
}


# ---- inputs ----------------------------------------------------------------------------------


class RuleSetCreate(msgspec.Struct, forbid_unknown_fields=True):
    village_id: AreaId
    title: str = ""
    drafted_on: date | None = None  # when drafting began (default today)

    labels: ClassVar[dict[str, str]] = {
        "village_id": "村/社区",
        "title": "名称",
        "drafted_on": "起草日期",
    }


class DraftUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A draft's articles and quantitative clauses. ``articles``: a list, or text with one
    article per line; ``occasions``: a list, or text separated by 、 or commas; money in yuan as
    text with at most 2 decimals; each clause names its article number (1-based)."""

    articles: list[str] | str = ""
    occasions: list[str] | str = ""
    occasions_article: int | None = None
    max_tables: int | None = None
    max_tables_article: int | None = None
    max_yuan_per_table: str | int = ""
    max_yuan_article: int | None = None
    venue: str = ""
    venue_article: int | None = None
    version: int = -1  # page forms: the version the form showed (the API uses If-Match)

    labels: ClassVar[dict[str, str]] = {
        "articles": "条文",
        "occasions": "允许办席的事由",
        "occasions_article": "事由条款所在条",
        "max_tables": "每场最多桌数",
        "max_tables_article": "桌数条款所在条",
        "max_yuan_per_table": "每桌最高标准（元）",
        "max_yuan_article": "标准条款所在条",
        "venue": "指定办席地点",
        "venue_article": "地点条款所在条",
        "version": "版本",
    }


class ReviewRecord(msgspec.Struct, forbid_unknown_fields=True):
    reviewed_on: date
    approved: bool
    opinion: str = ""

    labels: ClassVar[dict[str, str]] = {
        "reviewed_on": "审查日期",
        "approved": "审查结论",
        "opinion": "审查意见",
    }


class VoteRecord(msgspec.Struct, forbid_unknown_fields=True):
    voted_on: date
    attendees: int
    votes_for: int
    votes_against: int = 0
    votes_abstain: int = 0

    labels: ClassVar[dict[str, str]] = {
        "voted_on": "表决日期",
        "attendees": "到会人数",
        "votes_for": "赞成票",
        "votes_against": "反对票",
        "votes_abstain": "弃权票",
    }


class FilingRecord(msgspec.Struct, forbid_unknown_fields=True):
    filed_on: date
    authority: str
    filing_no: str

    labels: ClassVar[dict[str, str]] = {
        "filed_on": "备案日期",
        "authority": "备案机关",
        "filing_no": "备案号",
    }


class PublishRecord(msgspec.Struct, forbid_unknown_fields=True):
    published_on: date
    effective_from: date | None = None

    labels: ClassVar[dict[str, str]] = {"published_on": "公布日期", "effective_from": "施行日期"}


class RevisionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Revise a rule set: its latest version copied as a new draft."""

    drafted_on: date | None = None  # when the revision began (default today)

    labels: ClassVar[dict[str, str]] = {"drafted_on": "修订日期"}


class DeclarationCreate(msgspec.Struct, forbid_unknown_fields=True):
    village_id: AreaId
    household_head: str
    occasion: str
    banquet_on: date
    tables: int
    yuan_per_table: str | int  # yuan: "350", "299.50" or 350
    venue: str = ""
    note: str = ""

    labels: ClassVar[dict[str, str]] = {
        "village_id": "村/社区",
        "household_head": "户主姓名",
        "occasion": "宴席事由",
        "banquet_on": "办席日期",
        "tables": "桌数",
        "yuan_per_table": "每桌标准（元）",
        "venue": "办席地点",
        "note": "备注",
    }


# ---- rows ------------------------------------------------------------------------------------


class Clause(msgspec.Struct):
    """One quantitative clause: its article label and what it limits."""

    article: int | None
    label: str  # 第五条
    kind: str  # occasions | max_tables | max_fen_per_table | venue
    text: str  # 每桌不超过300元


class RuleVersionRow(msgspec.Struct):
    id: UUID
    rule_set_id: UUID
    program_id: UUID
    village_id: UUID
    version_no: int
    status: str
    articles: list[str]
    occasions: list[str]
    occasions_article: int | None
    max_tables: int | None
    max_tables_article: int | None
    max_fen_per_table: int | None
    max_fen_article: int | None
    venue: str
    venue_article: int | None
    last_step_on: date | None
    published_on: date | None
    effective_from: date | None
    filing_no: str
    updated_at: datetime
    version: int


class RuleSetRow(msgspec.Struct):
    id: UUID
    program_id: UUID
    village_id: UUID
    village_name: str
    title: str
    created_at: datetime
    version: int


class RuleSetSummary(msgspec.Struct):
    """A rule set in the list: its latest version and the version in force today."""

    id: UUID
    village_id: UUID
    village_name: str
    title: str
    latest_no: int | None
    latest_status: str | None
    in_force_no: int | None
    in_force_from: date | None


class RuleStepRow(msgspec.Struct):
    id: UUID
    rule_version_id: UUID
    kind: str
    occurred_on: date
    details: dict[str, str | int]  # opinion, vote counts, filing authority and number …
    recorded_by_name: str
    created_at: datetime


class RuleVersionDetail(msgspec.Struct):
    """A version with its clauses (labelled) and its dated history."""

    version: RuleVersionRow
    clauses: list[Clause]
    steps: list[RuleStepRow]


class RuleSetDetail(msgspec.Struct):
    rule_set: RuleSetRow
    versions: list[RuleVersionRow]


class DeclarationRow(msgspec.Struct):
    """A declaration; ``household_head`` is masked (张*华) unless the reader may see it."""

    id: UUID
    program_id: UUID
    village_id: UUID
    village_name: str
    household_head: str
    occasion: str
    banquet_on: date
    tables: int
    fen_per_table: int
    yuan_per_table: str
    venue: str
    note: str
    rule_version_id: UUID | None
    rule_version_no: int | None
    within_limits: bool
    findings: list[str]
    recorded_by: UUID | None
    recorded_by_name: str
    created_at: datetime
