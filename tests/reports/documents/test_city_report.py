"""The city report (全市概况报告): the city overview as a PDF, asked from the overview page (or
the API) in one county, rendered by a real arq worker in burst mode with each county's figures
computed in that county's own unit of work, and kept as its asker's alone.

The world is ``city_seed``'s (period 2025): the user is a viewer of 梨树县, an administrator of
铁西区 (both 四平市), a viewer of 朝阳区 (长春市); 双辽市 (no membership) and 伊通县 (a mediator)
never count.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.factories import Browser, in_tenant, job_queue, make_member, make_token, run_worker_burst
from tests.reports.city_seed import USER, World, build_world
from tests.reports.documents.pdfcheck import text as pdf_text

YEAR = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
async def world() -> World:
    return await build_world()


async def _requests(tenant: Any) -> int:
    from reports.tables import ReportRequest
    from wusong.core.scoped import scoped

    async with in_tenant(tenant, writes=False) as ctx:
        return int(await scoped(ctx, ReportRequest).count())


def _ids(page: str, kind: str) -> list[str]:
    return re.findall(rf"/t/tiexi/city/{kind}/([0-9a-f-]{{36}})", page)


async def test_the_overview_asks_for_its_report_and_follows_it_to_the_download(
    browser: Browser, world: World
) -> None:
    await browser.login(USER)
    overview = await browser.get("/city?period=2025")
    # each city's report is asked in the first of its counties listed (四平市: 铁西区)
    assert 'action="/t/tiexi/city/report"' in overview.text
    assert 'action="/t/chaoyang/city/report"' in overview.text
    assert 'name="from" value="2025-01-01"' in overview.text
    async with job_queue():
        asked = await browser.post("/t/tiexi/city/report", YEAR)
        assert asked.status_code == 200
        assert asked.url.path == "/city"
        assert asked.url.params["period"] == "2025"
        assert "全市概况报告正在生成" in asked.text
        status_url = re.search(r'data-doc-status="(/t/tiexi/city/reports/[^"]+)"', asked.text)
        assert status_url is not None  # followed without a reload
        progress = await browser.get(status_url.group(1))
        assert progress.json()["status"] == "queued"
        worker = await run_worker_burst()
    assert worker.jobs_failed == 0
    ready = (await browser.get(status_url.group(1))).json()
    assert ready["status"] == "ready", ready  # strict: a WeasyPrint warning would have failed it
    assert ready["download"].startswith("/t/tiexi/city/documents/")
    page = await browser.get("/city?period=2025")
    assert "data-doc-status=" not in page.text
    assert ready["download"] in page.text
    pdf = await browser.get(ready["download"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "四平市全市概况报告" in text
    assert "报告期间：2025年1月1日至2025年12月31日" in text
    # each county's figures and the total (rates again from the sums), charts by county
    for shown in ("梨树县", "铁西区", "四平市合计", "71.4", "受理案件16件", "调解成功率", "图1"):
        assert shown in text, shown
    assert "各区县受理调解案件（件）" in text
    # counties the user may not see, and the other city, are absent
    for absent in ("双辽市", "伊通县", "长春市", "朝阳区"):
        assert absent not in text, absent


async def test_a_city_report_is_its_askers_alone(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await browser.login(USER)
    async with job_queue():
        await browser.post("/t/tiexi/city/report", YEAR)
        await run_worker_burst()
    page = await browser.get("/city?period=2025")
    request = _ids(page.text, "reports")[0]
    document = _ids(page.text, "documents")[0]
    # another administrator of the same county: listed in the register, but never readable
    await make_member(world.tiexi, "tiexi-admin", "admin")
    other = Browser(client)
    client.cookies.clear()
    await other.login("tiexi-admin")
    for url in (
        f"/t/tiexi/city/reports/{request}/status",
        f"/t/tiexi/city/documents/{document}/download",
        f"/t/tiexi/reports/{request}/status",
        f"/t/tiexi/documents/{document}/download",
    ):
        assert (await other.get(url)).status_code == 404, url
    register = await other.get("/t/tiexi/documents")
    assert "全市概况报告" in register.text
    assert "仅申请人" in register.text
    assert f"/t/tiexi/documents/{document}/download" not in register.text
    theirs = await other.get("/city?period=2025")  # their own overview lists none of it
    assert 'action="/t/tiexi/city/report"' in theirs.text
    assert request not in theirs.text
    assert document not in theirs.text


async def test_bad_requests_are_refused_and_write_nothing(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await browser.login(USER)
    before = await _requests(world.tiexi)
    reversed_ = await browser.post(
        "/t/tiexi/city/report", {"from": "2025-12-31", "to": "2025-01-01"}
    )
    assert reversed_.url.path == "/city"
    assert "截止日期不能早于起始日期" in reversed_.text
    malformed = await browser.post("/t/tiexi/city/report", {"from": "2025-13-01", "to": ""})
    assert "起始日期应为日期" in malformed.text
    assert await _requests(world.tiexi) == before
    # a mediator (伊通县) may not ask; a county where the user is nobody is a 404
    refused = await browser.post("/t/yitong/city/report", YEAR)
    assert refused.status_code == 403
    assert (await browser.post("/t/shuangliao/city/report", YEAR)).status_code == 404
    assert await _requests(world.yitong) == 0


async def test_the_api_asks_follows_and_downloads(client: httpx.AsyncClient, world: World) -> None:
    _, token = await make_token(world.members["lishu"])  # a viewer
    auth = {"Authorization": f"Bearer {token}"}
    base = "/api/v1/t/lishu/city/reports"
    bad = await client.post(
        base, json={"period_from": "2025-06-01", "period_to": "2025-01-01"}, headers=auth
    )
    assert bad.status_code == 422
    assert "period_to" in bad.text
    async with job_queue():
        asked = await client.post(
            base, json={"period_from": "2025-01-01", "period_to": "2025-12-31"}, headers=auth
        )
        assert asked.status_code == 202, asked.text
        assert asked.json()["kind"] == "city"
        early = await client.get(f"{base}/{asked.json()['id']}/document", headers=auth)
        assert early.status_code == 409
        await run_worker_burst()
    status = await client.get(f"{base}/{asked.json()['id']}", headers=auth)
    assert status.json()["status"] == "ready"
    pdf = await client.get(f"{base}/{asked.json()['id']}/document", headers=auth)
    assert pdf.status_code == 200
    assert "梨树县" in pdf_text(pdf.content)
    # the same request through the administrators' /reports routes: a viewer is refused there
    assert (
        await client.get(f"/api/v1/t/lishu/reports/{asked.json()['id']}", headers=auth)
    ).status_code == 403
