"""A dashboard figure links to the records behind it, on a desktop and a phone.

A viewer opens the dashboard from the navigation, chooses 2025, follows the studio's name to
its program page (indicators with year-on-year change), comes back, and follows the studio's
consultation count to the activity list filtered to exactly those records.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, make_member, make_tenant
from tests.reports.seed import seed_studio


@pytest.fixture
async def seeded() -> None:
    tenant = await make_tenant(TENANT_A)
    await make_member(tenant, "viewer-a", "viewer")
    await seed_studio(tenant)


def _activity_list_exists() -> bool:
    from wusong.app import create_app

    paths = {route.path for route in create_app().routes}
    return "/t/{tenant:str}/programs/{program_id:uuid}/activities" in paths


async def test_dashboard_figure_links_to_its_records(trip: Journey) -> None:
    page = trip.page
    await trip.goto("/login")
    await page.get_by_label("用户名").fill("viewer-a")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))
    await trip.nav("数据看板")
    await page.get_by_role("heading", name="数据看板").wait_for()
    await page.get_by_label("统计期间").select_option("2025")
    await page.get_by_role("button", name="查看").click()
    await page.wait_for_url(re.compile(r"/t/lishu/dashboard\?period=2025"))
    await page.get_by_text("当前：2025年").wait_for()
    await trip.shot("dashboard-2025")
    counts = page.locator("#table-activities-headline_records")
    await counts.scroll_into_view_if_needed()
    await trip.shot("dashboard-consultations")

    studio = counts.locator("tr", has_text="金玉米调解工作室")
    await studio.get_by_role("link", name="金玉米调解工作室（调解工作室）").click()
    await page.wait_for_url(re.compile(r"/t/lishu/programs/[0-9a-f-]+\?period=2025$"))
    await page.get_by_role("heading", name=re.compile("金玉米调解工作室")).wait_for()
    await page.get_by_text("郭家店法庭").first.wait_for()
    await trip.shot("program-page")
    await page.get_by_label("统计期间").select_option("2025-Q1")
    await page.get_by_label("村/社区").select_option(label="宝山村")
    await page.get_by_role("button", name="查看").click()
    await page.wait_for_url(re.compile(r"period=2025-Q1.*village="))
    await page.get_by_text("当前：2025年第一季度 · 宝山村").wait_for()
    by_kind = page.locator("#table-activities-by_kind")
    await by_kind.locator("tr", has_text="法律咨询").get_by_text("▲ 100.0%").first.wait_for()
    await trip.shot("program-q1-baoshan")
    await trip.goto("/t/lishu/dashboard?period=2025")

    figure = page.locator("#table-activities-headline_records tr", has_text="金玉米调解工作室")
    link = figure.locator("a.figure").first
    assert await link.inner_text() == "3"
    target = await link.get_attribute("href")
    assert target is not None
    assert target.endswith("/activities?kind=consultation&from=2025-01-01&to=2025-12-31")
    if not _activity_list_exists():
        pytest.skip("the programs core's activity list (/programs/{id}/activities) lands later")
    await link.click()
    await page.wait_for_url(re.compile(r"/activities\?kind=consultation&from=2025-01-01"))
    for day in ("2025-01-05", "2025-01-20", "2025-03-01"):
        await page.get_by_text(day).first.wait_for()
    assert await page.get_by_text("2024-01-07").count() == 0  # last year's consultation
    assert await page.get_by_text("2025-03-10").count() == 0  # a Q&A, not a consultation
    await trip.shot("activity-list")
