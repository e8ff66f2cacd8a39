"""The city overview on a desktop and a phone: a user who is a viewer in one county and an
administrator in another opens it from the navigation, chooses 2025, reads the counties side by
side with the city total, and follows a county's figure to that county's own dashboard; then
asks for the city report, sees it made without a reload while a real worker renders it, and
downloads it.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.browser.conftest import Journey, run_worker
from tests.factories import PASSWORD, job_queue
from tests.reports.city_seed import USER, build_world
from tests.reports.documents.pdfcheck import text as pdf_text


@pytest.fixture
async def seeded() -> None:
    await build_world()
    async with job_queue():  # the journey's queue starts empty
        pass


async def _sign_in(trip: Journey) -> None:
    page = trip.page
    await trip.goto("/login")
    await page.get_by_label("用户名").fill(USER)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("heading", name="选择区县").wait_for()
    await page.get_by_role("link", name=re.compile("梨树县")).click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))


async def test_city_overview(trip: Journey) -> None:
    page = trip.page
    await _sign_in(trip)
    await trip.nav("全市概览")
    await page.get_by_role("heading", name="全市概览", level=1).wait_for()
    await page.get_by_label("统计期间").select_option("2025")
    await page.get_by_role("button", name="查看").click()
    await page.wait_for_url(re.compile(r"/city/?\?period=2025"))
    await page.get_by_text("当前：2025年").wait_for()
    await trip.shot("city-2025")
    siping = page.locator("section.city-section", has_text="四平市合计")
    cases = siping.locator("section.indicator", has_text="调解案件")
    await cases.scroll_into_view_if_needed()
    rate = cases.locator("tr", has_text="调解成功率")
    await rate.get_by_text("71.4").wait_for()
    await trip.shot("city-cases")
    stars = siping.locator("section.indicator", has_text="红色物业星级分布")
    await stars.scroll_into_view_if_needed()
    await trip.shot("city-red-property")
    assert await page.get_by_text("双辽市").count() == 0
    accepted = cases.locator("tr", has_text="受理案件").locator("a.figure").nth(1)  # 梨树县
    assert await accepted.get_attribute("href") == "/t/lishu/dashboard?period=2025"
    await accepted.click()
    await page.wait_for_url(re.compile(r"/t/lishu/dashboard\?period=2025$"))
    await page.get_by_role("heading", name="数据看板").wait_for()
    await trip.shot("lishu-dashboard")


async def test_city_report(trip: Journey) -> None:
    page = trip.page
    await _sign_in(trip)
    await trip.goto("/city?period=2025")
    siping = page.locator("section.city-section", has_text="四平市合计")
    reports = siping.locator("section.city-reports")
    await reports.scroll_into_view_if_needed()
    await reports.get_by_role("button", name="生成全市概况报告（2025年）").click()
    await page.get_by_text("已提交：全市概况报告正在生成").wait_for()
    row = page.locator("#reports-tiexi .doc-row").first  # asked in 铁西区, 四平市's first
    assert "2025-01-01 至 2025-12-31" in await row.inner_text()
    assert await row.locator("[data-doc-label]").inner_text() == "排队中"
    await trip.shot("city-report-queued")
    await page.evaluate("window.__marker = 1")  # gone if the page were loaded again

    await run_worker(trip.server)
    link = row.get_by_role("link", name="下载 PDF")
    await link.wait_for(timeout=30_000)
    assert await row.locator("[data-doc-label]").inner_text() == "已生成"
    assert await page.evaluate("window.__marker") == 1, "the page was reloaded"
    await trip.shot("city-report-ready")
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == "四平市 全市概况报告（2025年1月1日至2025年12月31日）.pdf"
    text = pdf_text(await asyncio.to_thread(Path(await download.path()).read_bytes))
    for shown in ("四平市全市概况报告", "梨树县", "铁西区", "四平市合计", "71.4"):
        assert shown in text, shown
    assert "双辽市" not in text
