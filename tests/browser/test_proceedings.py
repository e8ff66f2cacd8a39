"""A mediator works a case's proceedings on a phone and a desktop: records a session, fills
in the agreement's terms, marks every signature until it takes effect, and records the
outcome."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, make_area, make_member, make_tenant
from tests.programs.factories import work_in

SEEDED: dict[str, Any] = {}


@pytest.fixture
async def seeded() -> None:
    """A case of 郭家店村 with a draft agreement (its facts from the case) and its mediator."""
    from mediation.proceedings import agreements
    from mediation.proceedings.schemas import AgreementIn
    from tests.factories import in_tenant
    from tests.mediation.factories import make_case

    tenant = await make_tenant(TENANT_A)
    town = await make_area(tenant, "township", "郭家店镇", "220322101000")
    village = await make_area(tenant, "village", "郭家店村", "220322101201", town.id)
    mediator = await make_member(tenant, "mediator-a", "mediator")
    await work_in(tenant, mediator, town.id)
    case = await make_case(tenant, village_id=village.id)
    async with in_tenant(tenant) as ctx:
        draft = await agreements.create_draft(ctx, case.id, AgreementIn())
    SEEDED["case"], SEEDED["draft"] = case.id, draft.id


async def test_mediator_records_a_session_and_an_agreement_that_takes_effect(
    trip: Journey,
) -> None:
    page = trip.page
    base = f"/t/lishu/cases/{SEEDED['case']}"
    await trip.goto("/login")
    await page.get_by_label("用户名").fill("mediator-a")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))

    await trip.goto(base + "/sessions/new")
    await page.get_by_label("调解方式").select_option(label="现场")
    await page.get_by_label("调解地点").fill("郭家店村村部")
    await page.get_by_label("参加人员").fill("申请人张三、被申请人李四、调解员")
    await page.get_by_label("调解记录").fill("双方陈述意见，同意按原界桩重砌院墙。")
    await trip.shot("session-form")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已记录调解过程").wait_for()

    await trip.goto(f"{base}/agreements/{SEEDED['draft']}/edit")
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

    await trip.goto(base + "/outcome")
    await page.get_by_label("调解结果").select_option(label="调解成功")
    await trip.shot("outcome-form")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已记录调解结果：调解成功").wait_for()
    await trip.shot("case-settled")


async def _today(page: Any) -> str:
    return str(
        await page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Asia/Shanghai'})")
    )
