"""A mediator works a case on a phone and a desktop: opens it with two parties through the
intake form, records a session, fills in the agreement's terms, marks every signature until it
takes effect, records the outcome and reads the timeline. A mediator of another township is
refused the case (403) and a user of another county does not find it (404)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, TENANT_B, make_area, make_member, make_tenant
from tests.programs.factories import work_in


@pytest.fixture
async def seeded() -> None:
    """郭家店村's mediator, a mediator of 梨树镇, and a member of another county."""
    tenant = await make_tenant(TENANT_A)
    town = await make_area(tenant, "township", "郭家店镇", "220322101000")
    await make_area(tenant, "village", "郭家店村", "220322101201", town.id)
    other_town = await make_area(tenant, "township", "梨树镇", "220322100000")
    mediator = await make_member(tenant, "mediator-a", "mediator")
    await work_in(tenant, mediator, town.id)
    neighbour = await make_member(tenant, "mediator-lishu", "mediator")
    await work_in(tenant, neighbour, other_town.id)
    await make_member(await make_tenant(TENANT_B), "tiexi-mediator", "mediator")


async def _sign_in(trip: Journey, username: str) -> None:
    page = trip.page
    await page.context.clear_cookies()
    await trip.goto("/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/[a-z]+/$"))


async def test_mediator_opens_a_case_and_settles_it_with_an_agreement(
    trip: Journey, seeded: None
) -> None:
    page = trip.page
    await _sign_in(trip, "mediator-a")
    await trip.nav("纠纷案件")
    await page.get_by_role("link", name="登记纠纷").click()
    await page.get_by_label("纠纷类别").select_option(label="房屋宅基地")
    await page.get_by_label("案件来源").select_option(label="当事人申请")
    await page.get_by_label("村（社区）").select_option(label="郭家店镇 · 郭家店村")
    await page.get_by_label("案由").fill("院墙边界纠纷")
    await page.get_by_label("纠纷事实").fill("两家因宅基地边界院墙位置发生争执。")
    await page.locator("#f-applicant_name").fill("张三")
    await page.locator("#f-applicant_id_number").fill("11010519491231002x")
    await page.locator("#f-applicant_mobile").fill("+86 138-0013-8000")
    await page.locator("#f-respondent_name").fill("李四")
    await page.locator("#f-respondent_mobile").fill("139 0013 9000")
    await trip.shot("intake-form")
    await page.get_by_role("button", name="登记并分配案号").click()
    await page.get_by_text("已登记案件").wait_for()
    await page.get_by_role("heading", name=re.compile(r"梨调字第0001号")).wait_for()
    assert await page.get_by_text("110***********002X").count() == 1  # masked
    await trip.shot("case-opened")
    case_url = page.url

    await page.get_by_role("link", name="记录调解过程").click()
    await page.get_by_label("调解方式").select_option(label="现场")
    await page.get_by_label("调解地点").fill("郭家店村村部")
    await page.get_by_label("参加人员").fill("申请人张三、被申请人李四、调解员")
    await page.get_by_label("调解记录").fill("双方陈述意见，同意按原界桩重砌院墙。")
    await trip.shot("session-form")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已记录调解过程").wait_for()

    await page.get_by_role("button", name="起草调解协议").click()
    await page.wait_for_url(re.compile(r"/agreements/[0-9a-f-]+/edit"))
    await page.get_by_label("争议事项").fill("院墙位置及修缮费用。")
    await page.locator("#f-agreed_on").fill(await _today(page))
    await page.locator("#f-t1_obligor_id").select_option(label="被申请人 李四")
    await page.locator("#f-t1_obligation").fill("支付院墙修缮费用")
    await page.locator("#f-t1_amount").fill("1500")
    await page.locator("#f-t1_way").fill("银行转账")
    await page.locator("#f-t1_place").fill("郭家店村")
    await page.locator("#f-t1_deadline").fill(await _today(page))
    await trip.shot("agreement-form")
    await page.get_by_role("button", name="保存草稿").click()
    await page.get_by_text("已保存第 1 版调解协议草稿").wait_for()
    await trip.shot("agreement-draft")

    for _ in range(4):  # two parties, the mediator, the seal
        async with page.expect_navigation():
            await page.locator("form.mp-sign button").first.click()
    await page.get_by_text("调解协议已生效").first.wait_for()
    await trip.shot("agreement-effective")

    await page.goto(case_url)
    await page.get_by_role("link", name="记录调解结果").click()
    await page.get_by_label("调解结果").select_option(label="调解成功")
    await trip.shot("outcome-form")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已记录调解结果：调解成功").wait_for()
    await page.get_by_role("heading", name="办理记录").scroll_into_view_if_needed()
    for step in ("登记纠纷案件", "记录调解过程", "调解协议生效", "记录调解结果"):
        assert await page.locator(".case-timeline").get_by_text(step).count() >= 1, step
    await trip.shot("timeline")

    # another township's mediator: 403; another county's member: 404
    path = case_url.removeprefix(trip.server.url)
    await _sign_in(trip, "mediator-lishu")
    answer = await page.goto(case_url)
    assert answer is not None
    assert answer.status == 403
    await page.get_by_text("该案件不在您的工作范围内").wait_for()
    await trip.shot("other-township-403")
    await _sign_in(trip, "tiexi-mediator")
    answer = await page.goto(trip.server.url + path.replace("/t/lishu/", "/t/tiexi/"))
    assert answer is not None
    assert answer.status == 404
    await trip.shot("other-county-404")
    # the two refusals are the error statuses this journey expects (the responses, and
    # chromium's console line for each)
    foreign = trip.server.url + path.replace("/t/lishu/", "/t/tiexi/")
    expected = {
        f"403 for {case_url}",
        f"404 for {foreign}",
        "console error: Failed to load resource: the server responded with a status of 403 "
        "(Forbidden)",
        "console error: Failed to load resource: the server responded with a status of 404 "
        "(Not Found)",
    }
    assert expected <= set(trip.problems), trip.problems
    trip.problems[:] = [p for p in trip.problems if p not in expected]


async def _today(page: Any) -> str:
    return str(
        await page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Asia/Shanghai'})")
    )
