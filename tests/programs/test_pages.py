"""Programs core pages: the member's work areas on the member page, the users list and the
home page; a program created, configured, activated and logged through the forms; the demo."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import Browser, make_area, make_member
from tests.programs.factories import make_program, staff, work_in

BASE = "/t/lishu"


async def post(browser: Browser, path: str, data: dict[str, Any]) -> Any:
    return await browser.post(path, data, follow_redirects=False)


async def test_admin_sets_work_areas_on_the_member_page(
    browser: Browser, tenant_a: Any, admin_a: Any
) -> None:
    town = await make_area(tenant_a, "township", "郭家店镇", "220322101000")
    village = await make_area(tenant_a, "village", "郭家店村", "220322101201", town.id)
    mediator = await make_member(tenant_a, "guo-med", "mediator")
    await browser.login(admin_a.username)
    page = await browser.get(f"{BASE}/users/{mediator.membership_id}")
    assert "工作区域" in page.text
    assert "未分配" in page.text
    saved = await post(
        browser,
        f"{BASE}/users/{mediator.membership_id}/areas",
        {"area_ids": [str(town.id), str(village.id)]},
    )
    assert saved.status_code == 303
    users = await browser.get(f"{BASE}/users")
    assert re.search(r"guo-med.*?郭家店镇、郭家店村", users.text, re.S)
    bad = await post(
        browser, f"{BASE}/users/{mediator.membership_id}/areas", {"area_ids": "not-an-id"}
    )
    assert bad.status_code == 422
    assert 'href="#f-area_ids"' in bad.text
    county = await post(browser, f"{BASE}/users/{mediator.membership_id}/areas", {"county": "1"})
    assert county.status_code == 303
    browser.client.cookies.clear()
    await browser.login("guo-med")
    home = await browser.get(f"{BASE}/")
    assert "我的工作区域" in home.text
    assert "全县" in home.text


async def test_a_program_through_the_forms(browser: Browser, tenant_a: Any, admin_a: Any) -> None:
    town = await make_area(tenant_a, "township", "郭家店镇", "220322101000")
    village = await make_area(tenant_a, "village", "郭家店村", "220322101201", town.id)
    await browser.login(admin_a.username)
    chooser = await browser.get(f"{BASE}/programs/new")
    assert "调解工作室" in chooser.text
    form = await browser.get(f"{BASE}/programs/new?kind=mediation_studio")
    assert 'name="config.activity_kinds"' in form.text
    assert "checked" in form.text
    bad = await post(
        browser,
        f"{BASE}/programs/new",
        {
            "kind": "mediation_studio",
            "name": "金玉米调解工作室",
            "area_ids": str(town.id),
            "config.host_tribunal": "郭家店法庭",
            "targets.consultation": "abc",
        },
    )
    assert bad.status_code == 422
    assert "targets.consultation" in bad.text
    created = await post(
        browser,
        f"{BASE}/programs/new",
        {
            "kind": "mediation_studio",
            "name": "金玉米调解工作室",
            "area_ids": str(town.id),
            "starts_on": "2024-01-01",
            "config.host_tribunal": "郭家店法庭",
            "config.activity_kinds": ["consultation", "post_judgment_qa"],
            "targets.consultation": "２０００",
        },
    )
    assert created.status_code == 303
    settings_url = created.headers["location"]
    program_id = settings_url.split("/")[-2]
    settings = await browser.get(settings_url)
    assert "第 1 版" in settings.text
    assert "启动项目" in settings.text
    assert "2000" in settings.text
    wrong = await post(
        browser,
        f"{BASE}/programs/{program_id}/config",
        {"version": "1", "config.host_tribunal": "郭家店法庭", "config.activity_kinds": "karaoke"},
    )
    assert wrong.status_code == 422
    assert "未知的服务类型" in wrong.text
    saved = await post(
        browser,
        f"{BASE}/programs/{program_id}/config",
        {
            "version": "1",
            "config.host_tribunal": "郭家店法庭",
            "config.activity_kinds": "consultation",
        },
    )
    assert saved.status_code == 303
    stale = await post(
        browser,
        f"{BASE}/programs/{program_id}/config",
        {
            "version": "1",
            "config.host_tribunal": "别的法庭",
            "config.activity_kinds": "consultation",
        },
    )
    assert stale.status_code == 409
    assert (await post(browser, f"{BASE}/programs/{program_id}/activate", {})).status_code == 303
    activities = await browser.get(f"{BASE}/programs/{program_id}/activities")
    assert "登记活动" in activities.text
    assert "还没有活动记录" in activities.text
    logged = await post(
        browser,
        f"{BASE}/programs/{program_id}/activities",
        {
            "kind": "consultation",
            "occurred_on": "2025-03-01",
            "people": "１２",
            "area_id": str(village.id),
        },
    )
    assert logged.status_code == 303
    listed = await browser.get(
        f"{BASE}/programs/{program_id}/activities?from=2025-03-01&to=2025-03-31"
    )
    assert "共 <strong>1</strong> 条记录" in listed.text
    assert "郭家店村" in listed.text
    future = await post(
        browser,
        f"{BASE}/programs/{program_id}/activities",
        {
            "kind": "consultation",
            "occurred_on": "2099-01-01",
            "people": "0",
            "area_id": str(village.id),
        },
    )
    assert future.status_code == 422
    assert 'href="#f-occurred_on"' in future.text
    assert 'href="#f-people"' in future.text
    staff_page = await browser.get(f"{BASE}/programs/{program_id}/staff")
    assert "还没有工作人员" in staff_page.text


async def test_non_admins_see_their_programs_by_default(browser: Browser, tenant_a: Any) -> None:
    town = await make_area(tenant_a, "township", "郭家店镇", "220322101000")
    far = await make_area(tenant_a, "township", "小宽镇", "220322102000")
    await make_program(tenant_a, "mediation_studio", "金玉米调解工作室", area_ids=[town.id])
    other = await make_program(tenant_a, "shared_court", "小宽镇共享法庭", area_ids=[far.id])
    mediator = await make_member(tenant_a, "guo-med", "mediator")
    await work_in(tenant_a, mediator, town.id)
    await browser.login("guo-med")
    mine = await browser.get(f"{BASE}/programs")
    assert "金玉米调解工作室" in mine.text
    assert "小宽镇共享法庭" not in mine.text
    everything = await browser.get(f"{BASE}/programs?scope=all")
    assert "小宽镇共享法庭" in everything.text
    await staff(other, tenant_a, mediator)
    assert "小宽镇共享法庭" in (await browser.get(f"{BASE}/programs")).text
    settings = await browser.get(f"{BASE}/programs/{other.id}/settings")
    assert settings.status_code == 200
    assert "保存基本信息" not in settings.text


async def test_demo_loads_the_studio_and_the_help_teams() -> None:
    from programs import repo, services
    from programs.repo import ActivityFilter
    from tenants import repo as tenants_repo
    from tests.factories import in_tenant
    from wusong.demo import load_demo_data

    assert await load_demo_data() is True
    lishu = await tenants_repo.tenant_by_slug("lishu")
    async with in_tenant(lishu, writes=False) as ctx:
        programs = {p.name: p for p in await services.list_programs(ctx)}
        studio = programs["金玉米调解工作室"]
        assert studio.status == "active"
        assert studio.areas == "郭家店镇"
        staff_names = [s.username for s in await services.list_staff(ctx, studio.id)]
        assert staff_names == ["lishu-mediator"]
        rows, total = await repo.list_activities(
            ctx, studio.id, ActivityFilter(), offset=0, limit=5000
        )
        people: dict[str, int] = {}
        for row in rows:
            people[row.kind] = people.get(row.kind, 0) + row.people
        assert total == len(rows) < 3000
        assert people["consultation"] + people["guidance"] >= 2000
        assert people["post_judgment_qa"] >= 1500
        assert min(r.occurred_on for r in rows).isoformat().startswith("2024-01")
    tiedong = await tenants_repo.tenant_by_slug("tiedong")
    async with in_tenant(tiedong, writes=False) as ctx:
        names = {p.name for p in await services.list_programs(ctx)}
        assert names == {"黄土坑街道矛盾帮帮团", "站前社区法官说法点"}
