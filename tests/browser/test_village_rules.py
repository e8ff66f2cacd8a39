"""A village officer declares a banquet over 宝山村's 300-yuan cap, on a phone and a desktop: the
declaration is recorded and flagged with the clause it breaks, and the list masks the name."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, in_tenant, make_area, make_member, make_tenant
from tests.programs.factories import make_program, staff, work_in
from tests.programs.village_rules.rules import published_rules

SEEDED: dict[str, Any] = {}
ARTICLES = [
    "为推进移风易俗，经村民代表会议讨论通过，制定本村规民约。",
    "倡导婚事新办、丧事简办、其他事不办。",
    "村民办理婚嫁、丧葬、升学、参军宴席，应于办席前申报。",
    "宴席规模每场不超过20桌。",
    "每桌标准不超过300元（含酒水）。",
    "宴席一律在村食堂举办。",
]


@pytest.fixture
async def seeded(request: pytest.FixtureRequest) -> None:
    tenant = await make_tenant(TENANT_A)
    town = await make_area(tenant, "township", "茂林镇", "220322101000")
    village = await make_area(tenant, "village", "宝山村", "220322101201", town.id)
    program = await make_program(tenant, "village_rules", "移风易俗", area_ids=[town.id])
    SEEDED["program"] = program.id
    if "admin" in request.node.name:
        await make_member(tenant, "admin-a", "admin")
        return
    officer = await make_member(tenant, "bao-officer", "village_officer")
    await staff(program, tenant, officer)
    await work_in(tenant, officer, village.id)
    async with in_tenant(tenant) as ctx:
        await published_rules(
            ctx, program.id, village.id, articles=ARTICLES, effective_from=date(2024, 4, 1),
            max_yuan_article=5, max_tables=20, max_tables_article=4, venue="村食堂",
            venue_article=6,
        )  # fmt: skip


async def _sign_in(trip: Journey, username: str) -> None:
    await trip.goto("/")
    await trip.page.get_by_label("用户名").fill(username)
    await trip.page.get_by_label("密码").fill(PASSWORD)
    await trip.page.get_by_role("button", name="登录").click()
    await trip.page.wait_for_url(re.compile(r"/t/lishu/$"))


async def test_officer_declares_a_banquet_over_the_cap(trip: Journey) -> None:
    page = trip.page
    base = f"/t/lishu/programs/{SEEDED['program']}"
    await _sign_in(trip, "bao-officer")

    await trip.goto(base + "/declarations")
    await page.get_by_role("heading", name="宴席申报").wait_for()
    await page.get_by_text("还没有宴席申报").wait_for()
    await trip.shot("empty-list")
    await page.get_by_role("link", name="申报宴席").first.click()
    await page.get_by_label("户主姓名").fill("张立华")
    await page.get_by_label("宴席事由").select_option(label="婚嫁")
    await page.get_by_label("办席日期").fill("2025-06-08")
    await page.get_by_label("桌数").fill("12")
    await page.get_by_label("每桌标准（元）").fill("350")
    await page.get_by_label("办席地点").fill("村食堂")
    await trip.shot("form")
    await page.get_by_role("button", name="提交申报").click()

    await page.wait_for_url(re.compile(r"/declarations/[0-9a-f-]{36}$"))
    findings = page.locator("#findings")
    await findings.get_by_text("第五条：每桌不超过300元（申报350元）").wait_for()
    await page.get_by_text("张立华").first.wait_for()  # the recorder sees the full name
    await trip.shot("flagged")

    await page.get_by_role("link", name="← 全部宴席申报").click()
    row = page.locator("tr.vr-flagged")
    await row.get_by_text("张*华").wait_for()
    await row.get_by_text("第五条：每桌不超过300元（申报350元）").wait_for()
    assert await page.get_by_text("张立华").count() == 0
    await trip.shot("list")


async def test_admin_takes_village_rules_from_draft_to_published(trip: Journey) -> None:
    page = trip.page
    base = f"/t/lishu/programs/{SEEDED['program']}"
    await _sign_in(trip, "admin-a")

    await trip.goto(base + "/rules")
    await page.get_by_text("还没有村建立村规民约").wait_for()
    await page.get_by_label("村/社区").select_option(label="宝山村")
    await trip.shot("new-rule-set")
    await page.get_by_role("button", name="建立并起草").click()
    await page.get_by_text("已建立宝山村村规民约").wait_for()
    await page.get_by_role("link", name="修改草稿").click()
    await page.get_by_label("条文").fill("\n".join(ARTICLES))
    await page.get_by_label("婚嫁").check()
    await page.get_by_label("丧葬").check()
    await page.get_by_label("事由条款所在条").fill("3")
    await page.get_by_label("每桌最高标准（元）").fill("300")
    await page.get_by_label("标准条款所在条").fill("5")
    await page.get_by_label("指定办席地点").fill("村食堂")
    await page.get_by_label("地点条款所在条").fill("6")
    await trip.shot("draft")
    await page.get_by_role("button", name="保存草稿").click()
    await page.get_by_text("第五条：每桌不超过300元").wait_for()
    await trip.shot("draft-saved")

    await page.get_by_role("button", name="审查通过").click()
    await page.get_by_text("审查通过，待表决").first.wait_for()
    await page.get_by_label("到会人数").fill("30")
    await page.get_by_label("赞成票").fill("20")
    await page.get_by_label("反对票").fill("6")
    await page.get_by_label("弃权票").fill("4")
    await trip.shot("vote")
    await page.get_by_role("button", name="登记表决结果").click()
    await page.get_by_text("表决通过，待备案").first.wait_for()
    await page.get_by_label("备案机关").fill("茂林镇人民政府")
    await page.get_by_label("备案号").fill("茂林备〔2025〕3号")
    await page.get_by_role("button", name="登记备案").click()
    await page.get_by_text("已备案，待公布").first.wait_for()
    await page.get_by_role("button", name="公布").click()
    await page.get_by_role("heading", name="已公布", exact=True).wait_for()
    await page.get_by_text("到会 30 人，赞成 20、反对 6、弃权 4").wait_for()
    await trip.shot("published")
