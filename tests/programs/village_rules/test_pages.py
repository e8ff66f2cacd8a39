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
