"""What the reports domain contributes: indicators, program pages' figures and the dashboard."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from reports.api import ReportApi
from reports.city import sees_city
from reports.routes import CityPages, ReportPages
from wusong.core.domain import Domain, NavEntry

DOMAIN = Domain(
    name="reports",
    pages=[ReportPages],
    api=[ReportApi],
    public=[CityPages],
    nav=[NavEntry("数据看板", "/dashboard", order=50)],
    api_tags=[Tag(name="reports", description="指标、数据看板与导出（XLSX/CSV）、全市概览")],
    template_globals={"sees_city": sees_city},
)
