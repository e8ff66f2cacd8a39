"""Walks the application's route table: every tenant route, with a way to fill its parameters.

Routes added later are picked up automatically. A new path parameter name needs one entry in
``World.ids`` — the walker fails loudly until it has one, so no route can slip through untested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.factories import Browser, Member, make_area, make_member, make_token

TENANT_PREFIXES = ("/t/{tenant:str}", "/api/v1/t/{tenant:str}")
PARAM = re.compile(r"\{(\w+):\w+\}")
ROLES = ("admin", "mediator", "court_reviewer", "inspector", "viewer")


@dataclass(frozen=True)
class TenantRoute:
    name: str
    method: str
    path: str  # the template, e.g. /t/{tenant:str}/areas/{area_id:uuid}/edit

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self, slug: str, ids: dict[str, UUID]) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "tenant":
                return slug
            if name not in ids:
                raise AssertionError(
                    f"route {self.name} has path parameter {name!r}: add an id for it in "
                    "tests/tenant_routes.py (World.ids) so isolation and roles are tested"
                )
            return str(ids[name])

        return PARAM.sub(fill, self.path)


def tenant_routes(app: Litestar) -> list[TenantRoute]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(TENANT_PREFIXES):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method in {"OPTIONS", "HEAD"}:
                    continue
                assert handler.name, f"give the handler of {method} {route.path} a name"
                found.append(TenantRoute(handler.name, method, route.path))
    return sorted(found, key=lambda r: (r.path, r.method))


@dataclass
class World:
    """One tenant's objects: an area tree, a member of every role, tokens and a victim member."""

    tenant: dict[str, Any]
    members: dict[str, Member]
    tokens: dict[str, str] = field(default_factory=dict)
    ids_by_role: dict[str, dict[str, UUID]] = field(default_factory=dict)

    def ids(self, role: str = "admin") -> dict[str, UUID]:
        return self.ids_by_role[role]


async def build_world(tenant: dict[str, Any], prefix: str, county: str) -> World:
    town = await make_area(tenant, "township", f"{prefix}镇", f"{county}101000")
    village = await make_area(tenant, "village", f"{prefix}村", f"{county}101201", town["id"])
    victim = await make_member(tenant, f"{prefix}-victim", "mediator")
    world = World(tenant=tenant, members={})
    for role in ROLES:
        member = await make_member(tenant, f"{prefix}-{role}", role)
        world.members[role] = member
        _, secret = await make_token(member, "主令牌")
        world.tokens[role] = secret
        spare_id, _ = await make_token(member, "待吊销")
        world.ids_by_role[role] = {
            "area_id": village["id"],
            "member_id": victim.membership_id,
            "token_id": spare_id,
        }
    return world


FORM = {
    "kind": "township",
    "name": "越权改名",
    "division_code": "220399109000",
    "version": "1",
    "active": "0",
    "role": "viewer",
    "username": "intruder",
    "display_name": "越权",
    "password": "intruder-password-1",
}
JSON_BODY = {"name": "越权改名"}


async def call(
    browser: Browser, route: TenantRoute, slug: str, ids: dict[str, UUID], token: str
) -> Any:
    url = route.url(slug, ids)
    if route.api:
        headers = {"Authorization": f"Bearer {token}", "If-Match": '"1"'}
        if route.method in {"POST", "PATCH", "PUT"}:
            return await browser.client.request(route.method, url, json=JSON_BODY, headers=headers)
        return await browser.client.request(route.method, url, headers=headers)
    if route.method == "GET":
        return await browser.get(url, follow_redirects=False)
    return await browser.post(url, FORM, follow_redirects=False)


async def snapshot(tenants: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Every row of every table, read inside each tenant's context (RLS shows it nothing else)."""
    from piccolo.conf.apps import Finder

    from wusong import db

    volatile = {"user_sessions", "login_attempts"}
    state: dict[str, list[str]] = {}
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if name in volatile:
            continue
        rows: list[str] = []
        for tenant in tenants:
            async with db.transaction(write=False, tenant_id=tenant["id"]):
                for row in await table.select():
                    row.pop("last_used_at", None)
                    rows.append(repr(sorted(row.items())))
        state[name] = sorted(set(rows))
    return state
