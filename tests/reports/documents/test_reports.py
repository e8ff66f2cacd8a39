"""A program's work report and the county's, asked for through the API by an administrator,
rendered by a real arq worker in burst mode (strict: any WeasyPrint warning fails the render)
into stored documents whose text carries the indicators' figures of the period and the charts'
labels; bad periods, another county's program and a mediator are refused with nothing written."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import (
    TENANT_B,
    in_tenant,
    job_queue,
    make_member,
    make_tenant,
    make_token,
    run_worker_burst,
)
from tests.programs.factories import make_program
from tests.reports.case_seed import CaseSeeded, seed_cases
from tests.reports.documents.pdfcheck import text as pdf_text

REPORTS = "/api/v1/t/lishu/reports"
YEAR = {"period_from": "2025-01-01", "period_to": "2025-12-31"}


async def _token(tenant: Any, username: str, role: str) -> dict[str, str]:
    member = await make_member(tenant, username, role)
    _, token = await make_token(member)
    return {"Authorization": f"Bearer {token}"}


async def _rendered(client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any]) -> Any:
    async with job_queue():
        asked = await client.post(REPORTS, json=body, headers=auth)
        assert asked.status_code == 202, asked.text
        assert asked.json()["status"] == "queued"
        worker = await run_worker_burst()
    assert worker.jobs_failed == 0
    status = (await client.get(f"{REPORTS}/{asked.json()['id']}", headers=auth)).json()
    assert status["status"] == "ready", status  # a WeasyPrint warning would have failed it
    pdf = await client.get(f"{REPORTS}/{asked.json()['id']}/document", headers=auth)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    return status, pdf.content


async def _summary(tenant: Any, program: Any | None) -> dict[str, Any]:
    """The summary table's cells as the indicators compute them (label → cell)."""
    from reports import indicators
    from reports.periods import year

    async with in_tenant(tenant, writes=False) as ctx:
        if program is None:
            tables = await indicators.tenant_tables(ctx, year(2025))
        else:
            tables = await indicators.program_tables(ctx, program, year(2025))
    summary = next(t for t in tables if t.key == "cases.summary")
    return {str(row[0].value): row[1] for row in summary.rows}


async def _written(tenant: Any) -> tuple[int, int]:
    from reports.tables import ReportRequest
    from tenants.tables import AuditEvent
    from wusong.core.scoped import scoped

    async with in_tenant(tenant, writes=False) as ctx:
        return (
            int(await scoped(ctx, ReportRequest).count()),
            int(await scoped(ctx, AuditEvent).count()),
        )


async def test_a_program_report_carries_the_periods_figures_and_its_charts(
    client: httpx.AsyncClient, tenant_a: Any
) -> None:
    from reports.documents.reports_content import figure_text

    seeded: CaseSeeded = await seed_cases(tenant_a)
    studio = seeded.studio.studio
    admin = await _token(tenant_a, "report-admin", "admin")
    status, pdf = await _rendered(
        client, admin, {"kind": "program", "subject_id": str(studio.id), **YEAR}
    )
    document = status["document"]
    assert document["title"] == "金玉米调解工作室 工作报告（2025年1月1日至2025年12月31日）"
    assert status["kind_label"] == "项目工作报告"
    text = pdf_text(pdf)
    assert "金玉米调解工作室工作报告" in text
    assert "报告期间：2025年1月1日至2025年12月31日" in text
    summary = await _summary(tenant_a, studio)
    accepted, rate, amount = summary["受理案件"], summary["调解成功率"], summary["协议金额"]
    assert (accepted.value, accepted.previous) == (5, 3)
    # the opening paragraph: the indicators' figures with last year's and the change
    assert f"受理案件{figure_text(accepted.value)}件（上年同期3件，▲66.7%）" in text
    assert f"调解成功率{figure_text(rate.value)}%（上年同期50.0%，▲10.0个百分点）" in text
    assert f"协议金额{figure_text(amount.value)}元" in text
    assert "6,200.75元" in text
    # tables by village and by category, and by month
    for title in ("按村/社区统计", "按纠纷类型统计", "按月统计（调解案件）", "宝山村", "郭家店村"):
        assert title in text, title
    # the charts: drawn as SVG (their captions, legends and axis labels are text in the PDF)
    for label in ("图1各月受理调解案件（件）", "上年同期受理", "按纠纷类型受理调解案件", "12月"):
        assert label in text, label
    assert "邻里" in text


async def test_the_county_report_spans_its_programs(
    client: httpx.AsyncClient, tenant_a: Any
) -> None:
    from reports.documents.reports_content import figure_text

    await seed_cases(tenant_a)
    admin = await _token(tenant_a, "report-admin", "admin")
    status, pdf = await _rendered(client, admin, {"kind": "tenant", **YEAR})
    assert status["document"]["title"].startswith("梨树县 试点工作报告（2025年1月1日")
    text = pdf_text(pdf)
    summary = await _summary(tenant_a, None)
    accepted = summary["受理案件"]
    assert accepted.value == 7  # every case of the county accepted in 2025
    assert f"受理案件{figure_text(accepted.value)}件（上年同期" in text
    for label in ("金玉米调解工作室", "共享法庭", "各项目调解案件", "各项目受理调解案件"):
        assert label in text, label
    # asked again: a new version of the same report; another period: a document of its own
    again, _ = await _rendered(client, admin, {"kind": "tenant", **YEAR})
    assert again["document"]["doc_version"] == 2
    other, _ = await _rendered(
        client, admin, {"kind": "tenant", "period_from": "2025-01-01", "period_to": "2025-03-31"}
    )
    assert other["document"]["doc_version"] == 1
    assert "2025年第一季度" in other["document"]["number"]


async def test_bad_report_requests_are_refused_and_write_nothing(
    client: httpx.AsyncClient, tenant_a: Any
) -> None:
    seeded = await seed_cases(tenant_a)
    studio = str(seeded.studio.studio.id)
    admin = await _token(tenant_a, "report-admin", "admin")
    mediator = await _token(tenant_a, "report-mediator", "mediator")
    tenant_b = await make_tenant(TENANT_B)
    foreign = await make_program(tenant_b, "mediation_studio", "铁西工作室")
    before = await _written(tenant_a)

    reversed_period = {"period_from": "2025-03-31", "period_to": "2025-01-01"}
    for body in (
        {"kind": "program", "subject_id": studio, **reversed_period},
        {"kind": "tenant", **reversed_period},
    ):
        response = await client.post(REPORTS, json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert "period_to" in response.text
        assert "截止日期不能早于起始日期" in response.text
    missing = await client.post(REPORTS, json={"kind": "tenant"}, headers=admin)
    assert missing.status_code == 422
    assert "period_from" in missing.text
    assert "period_to" in missing.text
    other_county = await client.post(
        REPORTS, json={"kind": "program", "subject_id": str(foreign.id), **YEAR}, headers=admin
    )
    assert other_county.status_code == 404, other_county.text
    for body in ({"kind": "program", "subject_id": studio, **YEAR}, {"kind": "tenant", **YEAR}):
        forbidden = await client.post(REPORTS, json=body, headers=mediator)
        assert forbidden.status_code == 403, forbidden.text
    assert await _written(tenant_a) == before


async def test_an_administrator_asks_from_the_program_page_and_follows_it_on_the_register(
    browser: Any, tenant_a: Any
) -> None:
    seeded = await seed_cases(tenant_a)
    studio = seeded.studio.studio.id
    await make_member(tenant_a, "page-admin", "admin")
    await make_member(tenant_a, "page-mediator", "mediator")
    assert (await browser.login("page-admin")).status_code == 200
    page = await browser.get(f"/t/lishu/programs/{studio}?period=2025-Q1")
    assert "生成工作报告（PDF）" in page.text
    assert 'name="from" value="2025-01-01"' in page.text  # the page's period by default
    assert 'name="to" value="2025-03-31"' in page.text
    dashboard = await browser.get("/t/lishu/dashboard?period=2025")
    assert "/t/lishu/dashboard/report" in dashboard.text
    before = await _written(tenant_a)
    bad = await browser.post(
        f"/t/lishu/programs/{studio}/report", {"from": "2025-03-31", "to": "2025-01-01"}
    )
    assert bad.url.path == f"/t/lishu/programs/{studio}"
    assert "截止日期不能早于起始日期" in bad.text
    assert await _written(tenant_a) == before
    async with job_queue():
        asked = await browser.post(
            f"/t/lishu/programs/{studio}/report", {"from": "2025-01-01", "to": "2025-03-31"}
        )
        assert asked.url.path == "/t/lishu/documents"
        assert "项目工作报告正在生成" in asked.text
        assert "2025-01-01 至 2025-03-31" in asked.text
        assert "data-doc-status=" in asked.text  # followed without a reload
        county = await browser.post(
            "/t/lishu/dashboard/report", {"from": "2025-01-01", "to": "2025-12-31"}
        )
        assert "区县工作报告正在生成" in county.text
        await run_worker_burst()
    register = await browser.get("/t/lishu/documents")
    assert "data-doc-status=" not in register.text  # both ready: nothing pending
    assert "项目工作报告" in register.text
    assert "区县工作报告" in register.text
    # a mediator sees no form and may not post one
    browser.client.cookies.clear()
    assert (await browser.login("page-mediator")).status_code == 200
    page = await browser.get(f"/t/lishu/programs/{studio}")
    assert "生成工作报告（PDF）" not in page.text
    refused = await browser.post(
        f"/t/lishu/programs/{studio}/report", {"from": "2025-01-01", "to": "2025-03-31"}
    )
    assert refused.status_code == 403
