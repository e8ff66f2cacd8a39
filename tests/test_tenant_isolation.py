"""Tenant B never sees, counts or changes anything of tenant A, through any tenant route.

Every route is read from the app (tests/walker.py), so routes added later are walked too:
- A's ids (or A's name) in the path: 404, and nothing changes;
- A's ids in every id field of a body: 404, or 422 naming that field, and nothing changes;
- every list and page B can read: none of A's ids or usernames in the answer.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar import Litestar

from tests.factories import TENANT_A, TENANT_B, Browser, make_tenant
from tests.walker import (
    EXAMPLES,
    TenantRoute,
    World,
    build_world,
    call,
    snapshot,
    tenant_fingerprints,
    tenant_routes,
)


async def _two_tenants(client: httpx.AsyncClient) -> tuple[World, World, Browser]:
    world_a = await build_world(await make_tenant(TENANT_A), "a", "220322")
    world_b = await build_world(await make_tenant(TENANT_B), "b", "220302")
    browser = Browser(client)
    assert (await browser.login("b-admin")).status_code == 200
    return world_a, world_b, browser


def _caller(route: TenantRoute) -> str:
    """The role B calls a route as: admin when allowed, else any role that may."""
    return "admin" if "admin" in route.roles else sorted(route.roles)[0]


async def test_tenant_a_in_paths_is_404_for_tenant_b(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    world_a, world_b, browser = await _two_tenants(client)
    routes = tenant_routes(app)
    assert len(routes) >= 20
    before = await snapshot([world_a.tenant, world_b.tenant])
    leaks = []
    for route in routes:
        role = _caller(route)
        await browser.login(f"b-{role}")
        attempts = {"tenant A's name": "lishu"}  # B's member names tenant A, with A's ids ...
        if route.path_refs:
            attempts["A's ids"] = "tiexi"  # ... or uses A's ids under B's own name
        for variant, slug in attempts.items():
            response = await call(browser, route, slug, world_a, role, world_b.tokens[role])
            if response.status_code != 404:
                leaks.append(f"{route.method} {route.path} ({variant}): {response.status_code}")
            elif not route.api:
                assert "页面不存在" in response.text
    assert not leaks, "tenant routes that did not answer 404:\n" + "\n".join(leaks)
    assert await snapshot([world_a.tenant, world_b.tenant]) == before


async def test_tenant_a_ids_in_bodies_are_refused_and_change_nothing(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    """A's ids in every id field of a body: refused (404, or 422 naming the field) and nothing
    written. Then the same body with B's own ids must not be refused for its ids; with a
    registered example body (tests/<domain>/world.py) it must succeed, so that the foreign id
    alone made the difference."""
    world_a, world_b, browser = await _two_tenants(client)
    routes = [r for r in tenant_routes(app) if r.method != "GET" and r.body_refs]
    assert any(route.body in EXAMPLES for route in routes), "areas.create carries parent_id"
    wrong = []
    for route in routes:
        role = _caller(route)
        await browser.login(f"b-{role}")
        before = await snapshot([world_a.tenant, world_b.tenant])
        token = world_b.tokens[role]
        foreign = await call(browser, route, "tiexi", world_b, role, token, body_ids_from=world_a)
        named = _named_fields(route, foreign) & set(route.body_refs)
        if foreign.status_code != 404 and not (foreign.status_code == 422 and named):
            wrong.append(f"{route.method} {route.path}: {foreign.status_code} for A's ids")
        if await snapshot([world_a.tenant, world_b.tenant]) != before:
            wrong.append(f"{route.method} {route.path}: A's ids changed something")
        own = await call(browser, route, "tiexi", world_b, role, token)
        refused_own_ids = own.status_code == 422 and _named_fields(route, own) & named
        if own.status_code in {404, 500} or refused_own_ids:
            wrong.append(f"{route.method} {route.path}: B's own ids refused ({own.status_code})")
        elif route.body in EXAMPLES and own.status_code >= 400:
            wrong.append(f"{route.method} {route.path}: its example fails ({own.status_code})")
    assert not wrong, "A's ids in B's bodies were not refused:\n" + "\n".join(wrong)


def _named_fields(route: TenantRoute, response: Any) -> set[str]:
    """The fields a 422 names: the API's errors list, or the page's error summary, which links
    each message to its field (templates/_forms.html)."""
    if response.status_code != 422:
        return set()
    if route.api:
        return {error["field"] for error in response.json().get("errors", [])}
    return set(re.findall(r'href="#f-(\w+)"', response.text))


async def test_no_answer_to_tenant_b_mentions_tenant_a(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    world_a, world_b, browser = await _two_tenants(client)
    secrets_of_a = await tenant_fingerprints(world_a)
    assert len(secrets_of_a) > 10
    leaks = []
    reads = [route for route in tenant_routes(app) if route.method == "GET"]
    for route in reads:
        role = _caller(route)
        await browser.login(f"b-{role}")
        response = await call(browser, route, "tiexi", world_b, role, world_b.tokens[role])
        assert response.status_code == 200, f"{route.name}: {response.status_code}"
        found = {
            s
            for s in secrets_of_a
            if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", response.text)
        }
        if found:
            leaks.append(f"GET {route.path}: {sorted(found)[:3]}")
    assert not leaks, "tenant A's ids or names in tenant B's answers:\n" + "\n".join(leaks)


async def test_unknown_tenant_and_non_member_look_the_same(client: httpx.AsyncClient) -> None:
    _, world_b, _ = await _two_tenants(client)
    auth = {"Authorization": f"Bearer {world_b.tokens['viewer']}"}
    real = await client.get("/api/v1/t/lishu/areas", headers=auth)
    fake = await client.get("/api/v1/t/no-such-county/areas", headers=auth)
    assert real.status_code == fake.status_code == 404
    assert real.json() == fake.json()
