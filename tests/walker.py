"""The route walker: every tenant route of the application, and a world of objects to call it with.

Routes are read from the app: what each declares (``access(...)``: roles, writes, form), which
table each ``{x_id}`` path parameter and each ``*_id`` body field points at (``ref(Table)`` on its
type), and the body struct (JSON ``data``, or the route's FormPage). Objects come from seeders,
and valid bodies from examples: ``tests/<domain>/world.py`` modules register them with
``@seeder`` and ``@example(Struct)`` and are imported here automatically (without an example,
a body is made of values of the right shape). So a new route, table or domain is walked by the
isolation, leak and role tests without editing them; a path parameter without ``ref()`` fails
loudly instead of being skipped.
"""

from __future__ import annotations

import importlib
import re
import types
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import msgspec
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.factories import ROOT_DIR, Browser, Member, make_member, make_token

TENANT_PREFIXES = ("/t/{tenant:str}", "/api/v1/t/{tenant:str}")
PARAM = re.compile(r"\{(\w+):\w+\}")
ROLES = ("admin", "mediator", "court_reviewer", "inspector", "village_officer", "viewer")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ---- routes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantRoute:
    name: str
    method: str
    path: str  # the template, e.g. /t/{tenant:str}/areas/{area_id:uuid}/edit
    roles: frozenset[str]
    writes: bool
    path_refs: dict[str, str]  # path parameter → table
    body: type[msgspec.Struct] | None  # JSON data struct, or the form's input struct

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def body_refs(self) -> dict[str, str]:
        """Body fields holding ids of tenant rows → their table."""
        from wusong.core.scoped import referenced_table

        if self.body is None:
            return {}
        refs = {}
        for name, hint in typing.get_type_hints(self.body, include_extras=True).items():
            table = referenced_table(hint)
            if table:
                refs[name] = table
        return refs

    def url(self, slug: str, world: World, role: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return slug if name == "tenant" else str(world.target(self.path_refs[name], role))

        return PARAM.sub(fill, self.path)


def _body_struct(route: HTTPRoute, handler: Any, access: Any) -> type[msgspec.Struct] | None:
    if access.form is not None:
        return access.form.input  # type: ignore[no-any-return]
    hint = typing.get_type_hints(handler.fn, include_extras=True).get("data")
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return None


def tenant_routes(app: Litestar) -> list[TenantRoute]:
    from wusong.core.scoped import referenced_table
    from wusong.core.web import route_access

    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(TENANT_PREFIXES):
            continue
        for handler in route.route_handlers:
            access = route_access(handler)
            for method in handler.http_methods:
                if method in {"OPTIONS", "HEAD"}:
                    continue
                assert handler.name, f"give the handler of {method} {route.path} a name"
                assert access is not None, f"{handler.name} declares no access(...)"
                hints = typing.get_type_hints(handler.fn, include_extras=True)
                path_refs = {}
                for param in PARAM.findall(route.path):
                    if param == "tenant":
                        continue
                    table = referenced_table(hints.get(param))
                    assert table, (
                        f"{handler.name}: type path parameter {param!r} as "
                        "Annotated[UUID, ref(Table)] so the walker knows whose ids to try"
                    )
                    path_refs[param] = table
                found.append(
                    TenantRoute(
                        name=handler.name,
                        method=method,
                        path=route.path,
                        roles=frozenset(access.roles),
                        writes=access.writes,
                        path_refs=path_refs,
                        body=_body_struct(route, handler, access),
                    )
                )
    return sorted(found, key=lambda r: (r.path, r.method))


# ---- the world -------------------------------------------------------------------------------


@dataclass
class World:
    """One tenant's objects: a member (and API token) of every role, and targets to call with.

    A target is the row a route's ``{x_id}`` or ``x_id`` field gets, per table, optionally per
    role (a member may revoke only their own tokens, so each role gets its own token target).
    """

    tenant: Any
    prefix: str  # "a" or "b": usernames and names start with it
    county: str  # the tenant's 6-digit division code
    members: dict[str, Member] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    targets: dict[str, dict[str | None, UUID]] = field(default_factory=dict)
    named: dict[str, UUID] = field(default_factory=dict)  # rows examples refer to by name
    calls: int = 0

    def add_target(self, table: str, row_id: UUID, role: str | None = None) -> None:
        self.targets.setdefault(table, {})[role] = row_id

    def serial(self) -> int:
        """A new number per call, for examples that must not repeat (codes, names)."""
        self.calls += 1
        return self.calls

    def target(self, table: str, role: str) -> UUID:
        by_role = self.targets.get(table, {})
        found = by_role.get(role, by_role.get(None))
        assert found is not None, (
            f"no {table} row to walk with: add one in a tests/<domain>/world.py seeder"
        )
        return found


Seeder = Callable[[World], Awaitable[None]]
SEEDERS: list[Seeder] = []
Example = Callable[[World], dict[str, Any]]
EXAMPLES: dict[type, Example] = {}


def seeder(function: Seeder) -> Seeder:
    """Register a function that adds a domain's objects (and targets) to a tenant's world."""
    SEEDERS.append(function)
    return function


def example(struct: type) -> Callable[[Example], Example]:
    """Register a valid body of ``struct`` in a world, with that world's ids in it.

    The isolation walk sends it with another tenant's ids in the id fields and expects a
    refusal, then sends it as it is and expects success: only the foreign id made it fail.
    """

    def register(function: Example) -> Example:
        EXAMPLES[struct] = function
        return function

    return register


def _import_seeders() -> None:
    # Domains in dependency order, a domain's own world before its sub-packages' worlds.
    order = ["tenants", "programs", "mediation", "reports"]

    def position(path: Any) -> tuple[int, int, str]:
        parts = path.relative_to(ROOT_DIR).parts
        domain = order.index(parts[1]) if parts[1] in order else len(order)
        return domain, len(parts), str(path)

    for module in sorted(ROOT_DIR.glob("tests/**/world.py"), key=position):
        dotted = ".".join(module.relative_to(ROOT_DIR).with_suffix("").parts)
        importlib.import_module(dotted)


async def build_world(tenant: Any, prefix: str, county: str) -> World:
    _import_seeders()
    world = World(tenant=tenant, prefix=prefix, county=county)
    for role in ROLES:
        member = await make_member(tenant, f"{prefix}-{role}", role)
        world.members[role] = member
        _, secret = await make_token(member, "主令牌")
        world.tokens[role] = secret
    for seed in SEEDERS:
        await seed(world)
    return world


# ---- calling a route -------------------------------------------------------------------------


def _plain(hint: Any) -> Any:
    """The type under Annotated[...] and Optional[...]."""
    while True:
        if typing.get_origin(hint) is typing.Annotated:
            hint = typing.get_args(hint)[0]
        elif isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
            hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        else:
            return hint


def _sample(hint: Any, table: str | None, world: World, role: str) -> Any:
    """A value of the right shape: the world's target for ids, a plain value otherwise."""
    if table:
        return str(world.target(table, role))
    plain = _plain(hint)
    if plain is bool:
        return False
    if plain is int:
        return 1
    return "测试"


def body_for(
    route: TenantRoute, world: World, role: str, ids_from: World | None = None
) -> dict[str, Any]:
    """A body for ``route`` in ``world``: its registered example, or values of the right shape.

    With ``ids_from``, every id field holds that (other) world's id instead.
    """
    from wusong.core.scoped import referenced_table

    if route.body is None:
        return {}
    make = EXAMPLES.get(route.body)
    if make is not None:
        body = make(world)
        if ids_from is not None:
            foreign = make(ids_from)
            body.update({name: foreign[name] for name in route.body_refs if name in foreign})
    else:
        hints = typing.get_type_hints(route.body, include_extras=True)
        body = {}
        for spec in msgspec.structs.fields(route.body):
            table = referenced_table(hints[spec.name])
            source = ids_from if (table and ids_from is not None) else world
            body[spec.encode_name] = _sample(hints[spec.name], table, source, role)
    if route.api:
        return body
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in body.items()
    }


async def call(
    browser: Browser,
    route: TenantRoute,
    slug: str,
    path_world: World,
    role: str,
    token: str,
    body_ids_from: World | None = None,
) -> Any:
    """Call ``route`` in tenant ``slug`` as a member of ``role`` (with its token for the API):
    ids in the path and the body from ``path_world``, body ids from ``body_ids_from`` if given."""
    url = route.url(slug, path_world, role)
    body = body_for(route, path_world, role, ids_from=body_ids_from)
    if route.api:
        headers = {"Authorization": f"Bearer {token}", "If-Match": '"1"'}
        if route.method in {"POST", "PATCH", "PUT"}:
            return await browser.client.request(route.method, url, json=body, headers=headers)
        return await browser.client.request(route.method, url, headers=headers)
    if route.method == "GET":
        return await browser.get(url, follow_redirects=False)
    return await browser.post(url, body, follow_redirects=False)


# ---- what the database holds -----------------------------------------------------------------

VOLATILE = {"user_sessions", "login_attempts"}


async def snapshot(tenants: list[Any]) -> dict[str, list[str]]:
    """Every row of every table, read inside each tenant's unit of work (RLS shows it no other)."""
    from piccolo.conf.apps import Finder

    from wusong.core.db import unit_of_work

    state: dict[str, list[str]] = {}
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if name in VOLATILE:
            continue
        rows: set[str] = set()
        for tenant in tenants:
            async with unit_of_work(writes=False, tenant_id=tenant.id):
                # Not the password hash: the runtime role cannot read it (password_changed_at
                # changes with it).
                columns = [c for c in table._meta.columns if c._meta.name != "password_hash"]
                for row in await table.select(*columns):
                    if name == "audit_events" and row["action"].startswith("security."):
                        continue  # the probing users' sign-ins are recorded, as they should be
                    row.pop("last_used_at", None)
                    rows.add(repr(sorted(row.items())))
        state[name] = sorted(rows)
    return state


async def tenant_fingerprints(world: World) -> set[str]:
    """What must never show up in another tenant's answers: every id of the tenant's rows and
    of its members' users, and its members' usernames."""
    from piccolo.conf.apps import Finder

    from wusong.core.db import unit_of_work
    from wusong.core.scoped import is_tenant_table

    found: set[str] = {str(world.tenant.id)}
    async with unit_of_work(writes=False, tenant_id=world.tenant.id):
        for table in Finder().get_table_classes():
            if not is_tenant_table(table):
                continue
            for row in await table.select().where(table.tenant == world.tenant.id):
                found |= set(UUID_TEXT.findall(" ".join(str(v) for v in row.values())))
    found |= {member.username for member in world.members.values()}
    found |= {str(member.user_id) for member in world.members.values()}
    return found
