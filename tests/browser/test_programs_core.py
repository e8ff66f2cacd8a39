"""Programs core in a real browser, on a desktop and a phone: an administrator assigns a
mediator to 郭家店镇, creates 金玉米调解工作室, configures, staffs and starts it; the mediator
sees their work area and program, and logs a consultation in their village."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, make_area, make_member, make_tenant


@pytest.fixture
async def seeded() -> None:
    tenant = await make_tenant(TENANT_A)
    await make_member(tenant, "admin-a", "admin")
    await make_member(tenant, "guo-med", "mediator")
    town = await make_area(tenant, "township", "郭家店镇", "220322101000")
    await make_area(tenant, "village", "郭家店村", "220322101201", town.id)
    other = await make_area(tenant, "township", "梨树镇", "220322100000")
    await make_area(tenant, "village", "霍家店村", "220322100201", other.id)


async def _sign_in(trip: Journey, username: str) -> None:
    await trip.page.get_by_label("用户名").fill(username)
    await trip.page.get_by_label("密码").fill(PASSWORD)
    await trip.page.get_by_role("button", name="登录").click()
    await trip.page.wait_for_url(re.compile(r"/t/lishu/$"))


async def test_programs_core(trip: Journey) -> None:
    page = trip.page
    page.on("dialog", lambda dialog: dialog.accept())
    await trip.goto("/login")
    await _sign_in(trip, "admin-a")

    await trip.nav("用户")
    await page.get_by_role("link", name="管理 guo-med").click()
    await page.get_by_label("郭家店镇（整个乡镇）").check()
    await trip.shot("member-areas")
    await page.get_by_role("button", name="保存工作区域").click()
    await page.get_by_text("已保存工作区域：郭家店镇").wait_for()

    await trip.nav("试点项目")
    await page.get_by_text("还没有试点项目").wait_for()
    await trip.shot("programs-empty")
    await page.get_by_role("link", name="新建项目").click()
    await page.get_by_role("link", name=re.compile("调解工作室")).click()
    await page.get_by_label("项目名称").fill("金玉米调解工作室")
    await page.get_by_label("承办单位").fill("梨树县人民法院郭家店法庭")
    await page.get_by_label("开始日期").fill("2024-01-01")
    await page.get_by_label("郭家店镇（整个乡镇）").check()
    await page.get_by_label("指导法庭").fill("郭家店法庭")
    await page.get_by_label("目标：法律咨询（人次）").fill("1200")
    await trip.shot("new-program")
    await page.get_by_role("button", name="新建项目（筹备中）").click()
    await page.get_by_text("已新建项目：金玉米调解工作室").wait_for()
    await trip.shot("settings-draft")

    await page.locator("#config").get_by_label("在线庭审辅助").uncheck()
    await page.get_by_role("button", name="保存为新版本").click()
    await page.get_by_text("已保存配置（第 2 版）").wait_for()
    await page.get_by_role("button", name="启动项目").click()
    await page.get_by_text("已启动：金玉米调解工作室").wait_for()
    await trip.shot("settings-active")

    await page.locator(".tabs").get_by_role("link", name="工作人员").click()
    await page.get_by_label("用户").select_option(label="guo-med（guo-med，调解员）")
    await page.get_by_role("button", name="分配到本项目").click()
    await page.get_by_text("已分配工作人员：guo-med").wait_for()
    await trip.shot("staff")
    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url(re.compile(r"/login$"))

    await _sign_in(trip, "guo-med")
    await page.get_by_text("我的工作区域：郭家店镇").wait_for()
    await trip.shot("mediator-home")
    await trip.nav("试点项目")
    await page.get_by_role("cell", name="郭家店镇").wait_for()
    await trip.shot("my-programs")
    program_url = await page.get_by_role("link", name="金玉米调解工作室").get_attribute("href")
    assert program_url
    await page.wait_for_load_state("networkidle")  # the favicon, before leaving the page
    await trip.goto(program_url + "/activities")
    await page.get_by_label("活动类型").select_option(label="判后答疑")
    await page.get_by_label("日期").fill("2025-03-01")
    await page.get_by_label("人数（人次）").fill("6")
    await page.get_by_label("备注").fill("判后答疑：土地承包合同纠纷")
    await trip.shot("log-activity")
    await page.get_by_role("button", name="登记", exact=True).click()
    await page.get_by_text("已登记：2025-03-01 6 人次").wait_for()
    await page.locator("#activity-total").get_by_text("1").wait_for()
    await trip.shot("activity-logged")
    assert not trip.problems, trip.problems
