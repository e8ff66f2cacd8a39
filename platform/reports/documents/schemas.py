"""Documents' DTOs: a report request as pages and the API show it, a stored document, and what
the public verification page may show."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from reports.tables import Document, ReportRequest
from wusong.core.scoped import ref

RequestId = Annotated[UUID, ref(ReportRequest)]
DocumentId = Annotated[UUID, ref(Document)]
# A city report's request and document (only its asker's are found).
CityRequestId = Annotated[UUID, ref(ReportRequest, "city")]
CityDocumentId = Annotated[UUID, ref(Document, "city")]

# What each kind is called, and whether it is a case's document.
KINDS: dict[str, str] = {
    "agreement": "人民调解协议书",
    "case_file": "调解案卷（法院审查）",
    "program": "项目工作报告",
    "tenant": "区县工作报告",
    "city": "全市概况报告",
}
CASE_KINDS = frozenset({"agreement", "case_file"})
# Reports over a period (administrators only): a program's (subject = the program) and the
# county's (no subject).
REPORT_KINDS = frozenset({"program", "tenant"})
# The city overview as a report (a county's viewers and administrators): asked in one county,
# it holds the figures of every county of that city its asker may see, so it is the asker's
# alone — its subject is the asker (their versions and their list), and nobody else reads it.
CITY_KINDS = frozenset({"city"})
PERIOD_KINDS = REPORT_KINDS | CITY_KINDS
STATUSES: dict[str, str] = {
    "queued": "排队中",
    "rendering": "生成中",
    "ready": "已生成",
    "failed": "生成失败",
}


class ReportAsk(msgspec.Struct, kw_only=True):
    """``POST …/reports``: which document of which subject (a case's id for agreement and
    case_file, a program's for program, none for tenant and city) and, for the reports, the
    period (both days included)."""

    kind: str
    subject_id: UUID | None = None
    period_from: date | None = None
    period_to: date | None = None


class CityReportAsk(msgspec.Struct, kw_only=True):
    """``POST …/city/reports``: the city report over a period (both days included)."""

    period_from: date | None = None
    period_to: date | None = None


class RequestRow(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    subject_id: UUID | None
    period_from: date | None
    period_to: date | None
    status: str
    error: str
    attempts: int
    requested_by_name: str
    document_id: UUID | None
    created_at: datetime
    updated_at: datetime
    full_ids: int = 0  # 1: the court's copy (court reviewers only)


class DocumentRow(msgspec.Struct, kw_only=True):
    id: UUID
    request_id: UUID
    kind: str
    subject_id: UUID | None
    number: str
    title: str
    doc_version: int
    supersedes: UUID | None
    superseded_by: UUID | None
    sha256: str
    size: int
    pages: int
    template_version: str
    storage_key: str
    requested_by_name: str
    issued_at: datetime
    full_ids: int = 0  # 1: the court's copy (court reviewers only)


class DocumentOut(msgspec.Struct, kw_only=True):
    """A stored document as pages and the API show it (where its bytes live stays inside)."""

    id: UUID
    kind: str
    subject_id: UUID | None
    number: str
    title: str
    doc_version: int
    supersedes: UUID | None
    superseded_by: UUID | None
    sha256: str
    size: int
    pages: int
    requested_by_name: str
    issued_at: datetime
    full_ids: bool = False  # the court's copy, with full ID numbers

    @classmethod
    def of(cls, row: DocumentRow) -> DocumentOut:
        return cls(
            id=row.id, kind=row.kind, subject_id=row.subject_id, number=row.number,
            title=row.title, doc_version=row.doc_version, supersedes=row.supersedes,
            superseded_by=row.superseded_by, sha256=row.sha256, size=row.size, pages=row.pages,
            requested_by_name=row.requested_by_name, issued_at=row.issued_at,
            full_ids=bool(row.full_ids),
        )  # fmt: skip


class RequestOut(msgspec.Struct, kw_only=True):
    """A request with its progress, as the API answers (``document`` once it is ready)."""

    id: UUID
    kind: str
    kind_label: str
    subject_id: UUID | None
    status: str
    status_label: str
    error: str
    requested_by_name: str
    created_at: datetime
    updated_at: datetime
    document: DocumentOut | None = None
    period_from: date | None = None  # a work report's period (both days included)
    period_to: date | None = None
