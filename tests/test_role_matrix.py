"""Every tenant route × every role: allowed or 403, as ALLOWED says. New routes must be added."""

from __future__ import annotations

import httpx
from litestar import Litestar

from tests.factories import TENANT_A, Browser, make_tenant
from tests.tenant_routes import ROLES, build_world, call, tenant_routes

EVERYONE = set(ROLES)
ADMIN = {"admin"}

ALLOWED: dict[str, set[str]] = {
    "tenant.home": EVERYONE,
    "areas.tree": EVERYONE,
    "areas.new": ADMIN,
    "areas.create": ADMIN,
    "areas.edit": ADMIN,
    "areas.update": ADMIN,
    "areas.set_active": ADMIN,
    "users.list": ADMIN,
    "users.new": ADMIN,
    "users.create": ADMIN,
    "users.detail": ADMIN,
    "users.update": ADMIN,
    "users.set_active": ADMIN,
    "users.reset_password": ADMIN,
    "audit.list": ADMIN,
    "tokens.list": EVERYONE,
    "tokens.create": EVERYONE,
    "tokens.revoke": EVERYONE,
    "api.me": EVERYONE,
    "api.areas.list": EVERYONE,
    "api.areas.detail": EVERYONE,
    "api.areas.create": ADMIN,
    "api.areas.update": ADMIN,
    "api.users.list": ADMIN,
    "api.tokens.list": EVERYONE,
    "api.tokens.create": EVERYONE,
    "api.tokens.revoke": EVERYONE,
    "api.audit.list": ADMIN,
}


async def test_role_matrix_covers_every_tenant_route(app: Litestar) -> None:
    names = {route.name for route in tenant_routes(app)}
    assert names == set(ALLOWED), (
        f"classify new routes in ALLOWED: {sorted(names - set(ALLOWED))}; "
        f"remove gone ones: {sorted(set(ALLOWED) - names)}"
    )


async def test_each_role_gets_exactly_its_routes(app: Litestar, client: httpx.AsyncClient) -> None:
    tenant = await make_tenant(TENANT_A)
    world = await build_world(tenant, "a", "220322")
    wrong = []
    for role in ROLES:
        client.cookies.clear()
        browser = Browser(client)
        assert (await browser.login(f"a-{role}")).status_code == 200
        for route in tenant_routes(app):
            response = await call(browser, route, "lishu", world.ids(role), world.tokens[role])
            allowed = role in ALLOWED[route.name]
            status = response.status_code
            ok = (status not in {401, 403, 404} and status < 500) if allowed else status == 403
            if not ok:
                wrong.append(f"{role:<15} {route.method:<6} {route.path}: {status}")
    assert not wrong, "role matrix mismatches:\n" + "\n".join(wrong)
