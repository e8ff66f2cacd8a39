"""A county administrator runs a no-litigation program, on a desktop and a phone: adds a pilot
village, enters its yearly count, sees its status and follows a figure to the villages behind it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, in_tenant, make_area, make_member, make_tenant
from tests.programs.factories import make_program

SEEDED: dict[str, Any] = {}


@pytest.fixture
async def seeded() -> None:
    from programs.no_litigation import services
    from programs.no_litigation.schemas import CountCreate, PilotCreate

    tenant = await make_tenant(TENANT_A)
    await make_member(tenant, "admin-a", "admin")
    town = await make_area(tenant, "township", "梨树镇", "220322100000")
    huo = await make_area(tenant, "village", "霍家店村", "220322100201", town.id)
    await make_area(tenant, "village", "八里庙村", "220322100202", town.id)
    program = await make_program(
        tenant, "no_litigation_village", "梨树县无讼村（社区）创建", area_ids=[town.id]
    )
    rubric = {"indicators": ["lawsuits", "rate"], "max_lawsuits": 0, "max_rate_per_10k": "5"}
    async with in_tenant(tenant) as ctx:
        await services.save_rubric(ctx, program.id, rubric, 1)
        await services.add_pilot(ctx, program.id, PilotCreate(huo.id, 2100, 700))
        await services.record_count(ctx, program.id, CountCreate(huo.id, "2023", 1))
    SEEDED["program"] = program.id


async def test_admin_enters_a_villages_yearly_count_and_sees_its_status(trip: Journey) -> None:
    page = trip.page
    base = f"/t/lishu/programs/{SEEDED['program']}/no-litigation"
    await trip.goto("/login")
    await page.get_by_label("用户名").fill("admin-a")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))

    await trip.goto(base + "/rubric")
    await page.get_by_role("heading", name="现行评价标准（第 2 版）").wait_for()
    await trip.shot("rubric")

    await trip.goto(base + "/villages")
    await page.get_by_label("村（社区）").select_option(label="梨树镇 · 八里庙村")
    await page.get_by_label("常住人口").fill("1500")
    await trip.shot("add-pilot")
    await page.get_by_role("button", name="加入试点").click()
    await page.get_by_text("已加入试点：八里庙村").wait_for()
    await trip.shot("pilots")

    await trip.goto(base + "/status?period=2024")
    await page.get_by_role("link", name="录入八里庙村的统计").click()
    await page.get_by_label("新增诉讼案件数（件）").fill("0")
    await trip.shot("count-form")
    await page.get_by_role("button", name="保存").click()
    await page.get_by_text("已录入八里庙村 2024 的统计：达标").wait_for()
    await trip.shot("status-2024")

    await trip.goto(base + "/status?period=2023")
    await page.get_by_text("新增诉讼超过上限").wait_for()
    await trip.shot("status-2023")
    await page.locator(".stat", has_text="未录入").click()
    await page.wait_for_url(re.compile(r"status=missing"))
    rows = page.locator("table.nl-table tbody tr")
    assert await rows.count() == 1
    assert "八里庙村" in await rows.first.inner_text()
    await trip.shot("missing-2023")
