"""What the reports domain contributes: indicators, program pages' figures, the dashboard, and
PDF documents (requests, the render job and its sweep, downloads, public verification)."""

from __future__ import annotations

from arq import cron, func
from litestar.openapi.spec import Tag

from reports.api import ReportApi
from reports.city import sees_city
from reports.documents.api import CityReportApi, DocumentApi
from reports.documents.jobs import JOB_TIMEOUT, render_document, sweep_document_requests
from reports.documents.routes import CityReportPages, DocumentPages, VerifyPages
from reports.routes import CityPages, ReportPages
from wusong.core.domain import Domain, NavEntry
from wusong.core.tenancy import ADMIN

DOMAIN = Domain(
    name="reports",
    pages=[ReportPages, DocumentPages, CityReportPages],
    public=[VerifyPages, CityPages],
    api=[ReportApi, DocumentApi, CityReportApi],
    nav=[
        NavEntry("数据看板", "/dashboard", order=50),
        NavEntry("文书登记", "/documents", roles=ADMIN, order=920),
    ],
    api_tags=[
        Tag(
            name="reports",
            description="指标、数据看板与导出（XLSX/CSV）、全市概览，PDF 文书的申请与下载",
        )
    ],
    template_globals={"sees_city": sees_city},
    jobs=[func(render_document, timeout=JOB_TIMEOUT), sweep_document_requests],
    cron_jobs=[cron(sweep_document_requests, second=20, run_at_startup=True)],
    audit_actions={
        "document.request": "申请生成文书",
        "document.retry": "重新生成文书",
        "document.issue": "出具文书",
        "document.download": "下载含完整身份证号码的文书",
    },
    audit_objects={"report_request": "文书申请", "document": "文书"},
    audit_fields={
        "kind": "类型",
        "case_no": "案号",
        "full_ids": "含完整身份证号码",
        "number": "编号",
        "doc_version": "版本",
        "sha256": "SHA-256",
        "pages": "页数",
        "report_subject": "报告对象",
        "period": "报告期间",
    },
)
