"""Village rules pages: an officer declares a banquet and sees it flagged; every page renders."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar

from tests.factories import TENANT_A, Browser, make_tenant
from tests.walker import build_world


async def test_every_page_renders_for_an_officer(app: Litestar, client: httpx.AsyncClient) -> None:
    world = await build_world(await make_tenant(TENANT_A), "a", "220322")
    browser = Browser(client)
    assert (await browser.login("a-village_officer")).status_code == 200
    program = world.named["program:village_rules"]
    base = f"/t/lishu/programs/{program}"
    rule_set = world.targets["village_rule_sets"][None]
    version = world.targets["village_rule_versions"][None]
    declaration = world.targets["village_banquet_declarations"][None]
    for path in (
        "/rules", f"/rules/{rule_set}", f"/rules/versions/{version}",
        f"/rules/versions/{version}/edit", "/declarations", "/declarations/new",
        f"/declarations/{declaration}", "/declarations?flagged=1&from=2025-01-01&to=2025-12-31",
    ):  # fmt: skip
        response = await browser.get(base + path)
        assert response.status_code == 200, (path, response.text[-3000:])
    page: Any = await browser.get(base + "/declarations")
    assert "张*华" in page.text
    assert "张三华" not in page.text


async def test_admin_configures_village_rules_on_the_settings_page(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    """The settings page carries the type's form: majority, quorum, occasions (a 、-separated
    list), days ahead; each save a new version; a bad item is named at its field."""
    from programs import repo
    from tests.factories import in_tenant

    world = await build_world(await make_tenant(TENANT_A), "a", "220322")
    browser = Browser(client)
    await browser.login("a-admin")
    program = world.named["program:village_rules"]
    url = f"/t/lishu/programs/{program}"
    settings = await browser.get(url + "/settings")
    assert "表决通过条件" in settings.text
    assert "宴席事由" in settings.text
    assert 'href="' + url + '/rules"' in settings.text  # the type's own pages stay linked
    form = {
        "version": "1",
        "config.majority": "two_thirds",
        "config.quorum": "30",
        "config.occasions": "婚嫁、丧葬，升学",
        "config.declare_days_ahead": "90",
    }
    bad = await browser.post(url + "/config", {**form, "config.occasions": "婚嫁、婚嫁"})
    assert bad.status_code == 422
    assert "宴席事由“婚嫁”重复" in bad.text
    negative = await browser.post(url + "/config", {**form, "config.quorum": "-1"})
    assert negative.status_code == 422
    assert "最低到会人数应在 0 到 10000 之间" in negative.text
    saved = await browser.post(url + "/config", form, follow_redirects=False)
    assert saved.status_code == 303
    async with in_tenant(world.tenant, writes=False) as ctx:
        current = await repo.config_version(ctx, program)
        first = await repo.config_version(ctx, program, 1)
    assert current is not None
    assert first is not None
    assert current.version_no == 2
    assert current.config == {
        "majority": "two_thirds",
        "quorum": 30,
        "occasions": ["婚嫁", "丧葬", "升学"],
        "declare_days_ahead": 90,
    }
    assert first.config["majority"] == "half"  # the earlier version is kept as it was
    page = await browser.get(url + "/settings")
    assert "婚嫁、丧葬、升学" in page.text
    assert "到会人员三分之二以上赞成" in page.text
