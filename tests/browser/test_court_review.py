"""A court reviewer, on a desktop and a phone: opens the review queue, opens a case file, shows
a party's full ID number (logged), accepts the joint application for judicial confirmation with
its 调确字 number and then confirms the agreement."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.browser.conftest import Journey
from tests.factories import PASSWORD, TENANT_A, in_tenant, make_area, make_member, make_tenant

SEEDED: dict[str, Any] = {}


@pytest.fixture
async def seeded() -> None:
    from mediation.court import services
    from mediation.court.schemas import ConfirmationApply
    from tests.mediation.court.factories import make_court_case, make_effective_agreement
    from wusong.core.clock import local_today

    tenant = await make_tenant(TENANT_A)
    await make_member(tenant, "court-a", "court_reviewer")
    town = await make_area(tenant, "township", "郭家店镇", "220322101000")
    village = await make_area(tenant, "village", "郭家店村", "220322101201", town.id)
    case = await make_court_case(tenant, area_id=village.id)
    await make_effective_agreement(tenant, case.id, local_today() - timedelta(days=1))
    async with in_tenant(tenant) as ctx:
        application = ConfirmationApply("梨树县人民法院郭家店人民法庭")
        await services.apply_for_confirmation(ctx, case.id, application, case.version)
    SEEDED["case_no"] = case.case_no


async def test_court_reviewer_accepts_then_confirms(trip: Journey) -> None:
    page = trip.page
    case_no = SEEDED["case_no"]
    await trip.goto("/login")
    await page.get_by_label("用户名").fill("court-a")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/t/lishu/$"))

    await trip.nav("法院审查")
    await page.get_by_text("受理期限").first.wait_for()
    await trip.shot("queue")
    await page.get_by_role("link", name=f"审查{case_no}").click()
    await page.get_by_role("heading", name="当事人").wait_for()
    await trip.shot("case-file")
    await page.get_by_role("link", name="显示完整号码").first.click()
    await page.get_by_text("11010519491231002X").wait_for()
    await trip.shot("id-revealed")

    await page.get_by_role("link", name="登记审查决定").click()
    await page.get_by_label("受理", exact=True).check()
    await page.get_by_label("法院案号").fill("（2026）吉0322民调确字第15号")
    await trip.shot("accept-form")
    await page.get_by_role("button", name="登记决定").click()
    await page.get_by_text("已登记审查决定：受理").wait_for()
    await page.get_by_text("已受理，待裁定").wait_for()
    await trip.shot("accepted")

    await page.get_by_role("link", name="登记审查决定").click()
    await page.get_by_label("裁定确认调解协议有效").check()
    await page.get_by_role("button", name="登记决定").click()
    await page.get_by_text("已登记审查决定：裁定确认调解协议有效").wait_for()
    await page.get_by_text("已确认有效").wait_for()
    await trip.shot("confirmed")

    await trip.nav("法院审查")
    await page.get_by_text("没有待审查的案件。").wait_for()
    await trip.shot("queue-empty")
