"""The city overview on a desktop and a phone: a user who is a viewer in one county and an
administrator in another opens it from the navigation, chooses 2025, reads the counties side by
side with the city total, and follows a county's figure to that county's own dashboard.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD
from tests.reports.city_seed import USER, build_world


@pytest.fixture
async def seeded() -> None:
    await build_world()


async def test_city_overview(trip: Journey) -> None:
    page = trip.page
    await trip.goto("/login")
    await page.get_by_label("用户名").fill(USER)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("heading", name="选择区县").wait_for()
    await page.get_by_role("link", name=re.compile("梨树县")).click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))
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
