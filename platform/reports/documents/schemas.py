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

# What each kind is called, and whether it is a case's document.
KINDS: dict[str, str] = {
    "agreement": "人民调解协议书",
    "case_file": "调解案卷（法院审查）",
    "program": "项目工作报告",
    "tenant": "区县工作报告",
}
CASE_KINDS = frozenset({"agreement", "case_file"})
# Reports over a period (administrators only): a program's (subject = the program) and the
# county's (no subject).
REPORT_KINDS = frozenset({"program", "tenant"})
STATUSES: dict[str, str] = {
    "queued": "排队中",
    "rendering": "生成中",
    "ready": "已生成",
    "failed": "生成失败",
}


class ReportAsk(msgspec.Struct, kw_only=True):
    """``POST …/reports``: which document of which subject (a case's id for agreement and
    case_file, a program's for program, none for tenant) and, for the reports, the period
    (both days included)."""

    kind: str
    subject_id: UUID | None = None
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
    document: DocumentRow | None = None
    period_from: date | None = None  # a work report's period (both days included)
    period_to: date | None = None
