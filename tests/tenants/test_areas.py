"""The township/village tree through pages and the JSON API: rules, errors, optimistic locking."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Browser, Member, make_area, make_token


async def _area_count(tenant: dict[str, Any]) -> int:
    from tenants.tables import Area
    from wusong.core.db import unit_of_work

    async with unit_of_work(writes=False, tenant_id=tenant.id):
        return await Area.count().where(Area.tenant == tenant.id)


async def test_admin_builds_the_tree_through_pages(browser: Browser, admin_a: Member) -> None:
    await browser.login("admin-a")
    created = await browser.post(
        "/t/lishu/areas/new",
        {"kind": "township", "name": "郭家店镇", "division_code": "220322101000"},
    )
    assert created.status_code == 200
    assert "已新增乡镇/街道：郭家店镇" in created.text
    tree = await browser.get("/t/lishu/areas")
    assert "郭家店镇" in tree.text
    town_id = tree.text.split('id="area-')[1].split('"')[0]
    village = await browser.post(
        "/t/lishu/areas/new",
        {
            "kind": "village",
            "name": "郭家店村",
            "division_code": "220322101201",
            "parent_id": town_id,
        },
    )
    assert "已新增村/社区：郭家店村" in village.text
    assert await _area_count(admin_a.tenant) == 2


async def test_invalid_area_form_is_reshown_with_chinese_field_errors_and_nothing_written(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    response = await browser.post(
        "/t/lishu/areas/new", {"kind": "township", "name": "  ", "division_code": "123"}
    )
    assert response.status_code == 422
    assert "名称不能为空" in response.text
    assert "区划代码须为 12 位数字" in response.text
    assert 'value="123"' in response.text  # the submitted value is kept
    overlong = await browser.post(
        "/t/lishu/areas/new",
        {"kind": "township", "name": "长" * 61, "division_code": "220322101000"},
    )
    assert overlong.status_code == 422
    assert "名称不能超过 60 个字" in overlong.text
    foreign = await browser.post(
        "/t/lishu/areas/new",
        {"kind": "township", "name": "外县镇", "division_code": "220302101000"},
    )
    assert foreign.status_code == 422
    assert "须以本区县代码 220322 开头" in foreign.text
    assert await _area_count(admin_a.tenant) == 0


async def test_duplicate_division_code_and_village_outside_its_township(
    browser: Browser, admin_a: Member
) -> None:
    town = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await browser.login("admin-a")
    duplicate = await browser.post(
        "/t/lishu/areas/new",
        {"kind": "township", "name": "重复镇", "division_code": "220322100000"},
    )
    assert duplicate.status_code == 422
    assert "区划代码 220322100000 已存在" in duplicate.text
    wrong_prefix = await browser.post(
        "/t/lishu/areas/new",
        {
            "kind": "village",
            "name": "错村",
            "division_code": "220322101201",
            "parent_id": str(town.id),
        },
    )
    assert wrong_prefix.status_code == 422
    assert "须以所属乡镇代码 220322100 开头" in wrong_prefix.text
    assert await _area_count(admin_a.tenant) == 1


async def test_rename_and_deactivate_rules(browser: Browser, admin_a: Member) -> None:
    town = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    village = await make_area(admin_a.tenant, "village", "霍家店村", "220322100201", town.id)
    await browser.login("admin-a")
    renamed = await browser.post(
        f"/t/lishu/areas/{village.id}/edit", {"name": "霍家店新村", "version": "1"}
    )
    assert "已保存" in renamed.text
    assert "霍家店新村" in renamed.text
    stale = await browser.post(
        f"/t/lishu/areas/{village.id}/edit", {"name": "过期的名字", "version": "1"}
    )
    assert stale.status_code == 409
    blocked = await browser.post(
        f"/t/lishu/areas/{town.id}/active", {"active": "0", "version": "1"}
    )
    assert "仍有启用的村/社区" in blocked.text
    await browser.post(f"/t/lishu/areas/{village.id}/active", {"active": "0", "version": "2"})
    done = await browser.post(f"/t/lishu/areas/{town.id}/active", {"active": "0", "version": "1"})
    assert "已停用：梨树镇" in done.text


async def test_api_lists_creates_and_updates_with_etags(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    created = await client.post(
        "/api/v1/t/lishu/areas",
        json={"kind": "township", "name": "榆树台镇", "division_code": "220322102000"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    area = created.json()
    assert created.headers["etag"] == '"1"'
    listing = await client.get("/api/v1/t/lishu/areas?limit=5&count=true", headers=auth)
    assert listing.status_code == 200
    assert listing.json()["total"] == 1
    assert listing.json()["items"][0]["name"] == "榆树台镇"
    assert listing.json()["has_more"] is False
    await client.post(
        "/api/v1/t/lishu/areas",
        json={"kind": "township", "name": "孤家子镇", "division_code": "220322103000"},
        headers=auth,
    )
    first = (await client.get("/api/v1/t/lishu/areas?limit=1", headers=auth)).json()
    assert first["has_more"] is True
    assert first["total"] is None
    second = (await client.get("/api/v1/t/lishu/areas?limit=1&offset=1", headers=auth)).json()
    assert second["has_more"] is False
    assert second["items"][0]["name"] == "孤家子镇"
    url = f"/api/v1/t/lishu/areas/{area['id']}"
    missing = await client.patch(url, json={"name": "新名"}, headers=auth)
    assert missing.status_code == 428
    stale = await client.patch(url, json={"name": "新名"}, headers={**auth, "If-Match": '"7"'})
    assert stale.status_code == 412
    ok = await client.patch(url, json={"name": "新名"}, headers={**auth, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["name"] == "新名"
    assert ok.headers["etag"] == '"2"'


async def test_api_invalid_input_is_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    bad = await client.post(
        "/api/v1/t/lishu/areas",
        json={"kind": "township", "name": "", "division_code": "22"},
        headers=auth,
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"name", "division_code"}
    wrong_type = await client.post(
        "/api/v1/t/lishu/areas", json={"kind": "township", "name": 5}, headers=auth
    )
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"]
    not_json = await client.post(
        "/api/v1/t/lishu/areas",
        content=b"{nope",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert not_json.status_code in {400, 422}
    bad_limit = await client.get("/api/v1/t/lishu/areas?limit=100000", headers=auth)
    assert bad_limit.status_code in {400, 422}
    assert await _area_count(admin_a.tenant) == 0


async def test_api_without_or_with_bad_token_is_401(
    browser: Browser, client: httpx.AsyncClient, admin_a: Member
) -> None:
    assert (await client.get("/api/v1/t/lishu/areas")).status_code == 401
    bad = await client.get("/api/v1/t/lishu/areas", headers={"Authorization": "Bearer wst_nope"})
    assert bad.status_code == 401
    assert bad.json()["detail"]
    # A signed-in browser's session cookie never authenticates the API (so CSRF cannot reach it).
    assert (await browser.login("admin-a")).status_code == 200
    assert (await browser.get("/t/lishu/areas")).status_code == 200
    assert (await client.get("/api/v1/t/lishu/areas")).status_code == 401


async def test_an_edit_that_lost_the_race_comes_back_with_the_input_and_what_changed(
    browser: Browser, admin_a: Member
) -> None:
    """Two administrators edit one village; the second to save sees the form again (409) with
    what they typed, the current name named next to it, and can save deliberately."""
    from tenants import services
    from tenants.schemas import AreaUpdate
    from tests.factories import in_tenant

    town = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await browser.login("admin-a")
    form = await browser.get(f"/t/lishu/areas/{town.id}/edit")
    assert 'name="version" value="1"' in form.text
    async with in_tenant(admin_a.tenant) as ctx:  # the other session saves first
        await services.update_area(ctx, town.id, AreaUpdate(name="梨树新镇"), 1)

    lost = await browser.post(
        f"/t/lishu/areas/{town.id}/edit", {"name": "我的名字", "version": "1"}
    )
    assert lost.status_code == 409
    assert 'value="我的名字"' in lost.text  # the input is kept
    assert "已被他人修改" in lost.text
    assert "请修改以下问题" not in lost.text  # not an input error: someone saved first
    assert 'href="#f-version"' not in lost.text  # no link to a field that is not shown
    assert "名称：您填写的是“我的名字”，当前为“梨树新镇”" in lost.text
    assert 'name="version" value="2"' in lost.text  # saving again is a deliberate overwrite
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        assert (await services.repo.get_area(ctx, town.id)).name == "梨树新镇"

    saved = await browser.post(
        f"/t/lishu/areas/{town.id}/edit", {"name": "我的名字", "version": "2"}
    )
    assert saved.status_code == 200
    assert "已保存" in saved.text
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        assert (await services.repo.get_area(ctx, town.id)).name == "我的名字"

    stale_button = await browser.post(
        f"/t/lishu/areas/{town.id}/active", {"active": "0", "version": "1"}
    )
    assert stale_button.status_code == 200  # back to the tree, with the message
    assert "记录已被他人修改" in stale_button.text
