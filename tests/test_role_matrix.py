"""Every tenant route × every role: what the route declares (access(...)) is what happens.

A role the route lists gets through its guard (no 401/403/404, never a 500: a route that writes
without declaring it fails here); any other role gets 403. Routes are read from the app, so a
new route is in the matrix as soon as it exists, and it cannot exist without declaring access.
"""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar, get
from litestar.exceptions import ImproperlyConfiguredException

from tests.factories import TENANT_A, Browser, make_tenant
from tests.walker import ROLES, build_world, call, tenant_routes


async def test_each_role_gets_exactly_its_routes(app: Litestar, client: httpx.AsyncClient) -> None:
    world = await build_world(await make_tenant(TENANT_A), "a", "220322")
    routes = tenant_routes(app)
    wrong = []
    for role in ROLES:
        client.cookies.clear()
        browser = Browser(client)
        assert (await browser.login(f"a-{role}")).status_code == 200
        for route in routes:
            response = await call(browser, route, "lishu", world, role, world.tokens[role])
            status = response.status_code
            allowed = role in route.roles
            ok = (status not in {401, 403, 404} and status < 500) if allowed else status == 403
            if not ok:
                wrong.append(f"{role:<15} {route.method:<6} {route.path}: {status}")
    assert not wrong, "role matrix mismatches:\n" + "\n".join(wrong)


def test_a_tenant_route_without_declared_access_cannot_be_registered() -> None:
    from wusong.app import create_app
    from wusong.core.domain import Domain
    from wusong.domains import DOMAINS

    @get("/undeclared", name="scratch.undeclared")
    async def undeclared() -> str:
        return "open to every member?"

    scratch = Domain(name="scratch", pages=[undeclared])
    with pytest.raises(ImproperlyConfiguredException, match=r"scratch\.undeclared"):
        create_app(domains=[*DOMAINS, scratch])
