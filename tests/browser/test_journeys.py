"""What a county administrator does on a first day, in a real browser, on a desktop and a phone.

An admin signs in, adds a township and a village, creates a user; that user is forced to change
the temporary password; the audit log shows all of it. Later issues add their journeys here.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, make_member, make_tenant


@pytest.fixture
async def seeded() -> None:
    tenant = await make_tenant(TENANT_A)
    await make_member(tenant, "admin-a", "admin")


async def _sign_in(trip: Journey, username: str, password: str) -> None:
    page = trip.page
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()


async def _sign_out(trip: Journey) -> None:
    await trip.page.get_by_role("button", name="退出").click()
    await trip.page.wait_for_url(re.compile(r"/login$"))


async def test_admin_builds_the_county_and_a_new_user_takes_over(trip: Journey) -> None:
    page = trip.page
    await trip.goto("/")
    await page.wait_for_url(re.compile(r"/login"))
    await trip.shot("sign-in")
    await _sign_in(trip, "admin-a", PASSWORD)
    await page.wait_for_url(re.compile(r"/t/lishu/$"))
    await page.get_by_role("heading", name="梨树县").wait_for()
    await trip.shot("home")

    await trip.nav("乡镇与村")
    await page.get_by_role("link", name="新增乡镇/街道").first.click()
    await page.get_by_label("名称").fill("郭家店镇")
    await page.get_by_label("区划代码").fill("220322101000")
    await trip.shot("new-township")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已新增乡镇/街道：郭家店镇").wait_for()
    await trip.shot("township-added")

    await page.get_by_role("link", name="新增村/社区").click()
    await page.get_by_label("所属乡镇/街道").select_option(label="郭家店镇（220322101000）")
    await page.get_by_label("名称").fill("二龙湖村")
    await page.get_by_label("区划代码").fill("220322101202")
    await trip.shot("new-village")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已新增村/社区：二龙湖村").wait_for()
    await trip.shot("village-added")

    await trip.nav("用户")
    await page.get_by_role("link", name="新增用户").click()
    await page.get_by_label("用户名").fill("wang.tj")
    await page.get_by_label("姓名").fill("王调解")
    await page.get_by_label("角色").select_option(label="调解员")
    await page.get_by_label("临时密码").fill("temporary-pw-1")
    await trip.shot("new-user")
    await page.get_by_role("button", name="创建用户").click()
    await page.get_by_text("已新增用户 wang.tj").wait_for()
    await page.get_by_text("待改密码").first.wait_for()
    await trip.shot("user-added")
    await _sign_out(trip)

    await _sign_in(trip, "wang.tj", "temporary-pw-1")
    await page.wait_for_url(re.compile(r"/account/password$"))
    await page.get_by_role("heading", name="修改密码").wait_for()
    await page.get_by_text("请先修改初始密码").wait_for()
    await trip.shot("forced-password-change")
    await page.locator("#f-current_password").fill("temporary-pw-1")
    await page.locator("#f-new_password").fill("my-own-password-1")
    await page.locator("#f-confirm_password").fill("my-own-password-1")
    await page.get_by_role("button", name="保存新密码").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))
    await page.get_by_text("密码已修改").wait_for()
    await trip.shot("user-home")
    await _sign_out(trip)

    await _sign_in(trip, "admin-a", PASSWORD)
    await page.wait_for_url(re.compile(r"/t/lishu/$"))
    await trip.nav("审计日志")
    log = page.locator("table tbody")
    for text in ("新增区域", "郭家店镇", "二龙湖村", "新增用户", "wang.tj", "修改本人密码"):
        await log.get_by_text(text).first.wait_for()
    await trip.shot("audit-log")
