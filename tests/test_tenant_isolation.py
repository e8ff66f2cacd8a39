"""A member of tenant B calls every tenant route with tenant A's ids: 404, nothing changed."""

from __future__ import annotations

import httpx
from litestar import Litestar

from tests.factories import TENANT_A, TENANT_B, Browser, make_tenant
from tests.tenant_routes import build_world, call, snapshot, tenant_routes


async def test_every_tenant_route_hides_tenant_a_from_tenant_b(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    tenant_a = await make_tenant(TENANT_A)
    tenant_b = await make_tenant(TENANT_B)
    world_a = await build_world(tenant_a, "a", "220322")
    world_b = await build_world(tenant_b, "b", "220302")
    browser = Browser(client)
    assert (await browser.login("b-admin")).status_code == 200
    routes = tenant_routes(app)
    assert len(routes) >= 20
    before = await snapshot([tenant_a, tenant_b])

    leaks = []
    for route in routes:
        attempts = {"tenant A": "lishu"}  # B's admin names tenant A, with A's ids ...
        if "{" in route.path.split("{tenant:str}", 1)[1]:
            attempts["A's ids"] = "tiexi"  # ... or uses A's ids under B's own name
        for variant, slug in attempts.items():
            response = await call(browser, route, slug, world_a.ids(), world_b.tokens["admin"])
            if response.status_code != 404:
                leaks.append(f"{route.method} {route.path} ({variant}): {response.status_code}")
            elif not route.api:
                assert "页面不存在" in response.text

    assert not leaks, "tenant routes that did not answer 404:\n" + "\n".join(leaks)
    assert await snapshot([tenant_a, tenant_b]) == before


async def test_unknown_tenant_and_non_member_look_the_same(
    client: httpx.AsyncClient,
) -> None:
    tenant_a = await make_tenant(TENANT_A)
    tenant_b = await make_tenant(TENANT_B)
    await build_world(tenant_a, "a", "220322")
    world_b = await build_world(tenant_b, "b", "220302")
    auth = {"Authorization": f"Bearer {world_b.tokens['viewer']}"}
    real = await client.get("/api/v1/t/lishu/areas", headers=auth)
    fake = await client.get("/api/v1/t/no-such-county/areas", headers=auth)
    assert real.status_code == fake.status_code == 404
    assert real.json() == fake.json()
