"""What the reports domain contributes: indicators, program pages' figures and the dashboard."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from wusong.core.domain import Domain

DOMAIN = Domain(
    name="reports",
    api_tags=[Tag(name="reports", description="指标、工作台与导出（XLSX/CSV）")],
)
