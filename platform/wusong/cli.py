"""The ``wusong`` command: platform operations, migrations, server, worker and demo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from wusong.core.errors import DomainError, Invalid
from wusong.core.settings import SettingsError, get_settings

T = TypeVar("T")
EXIT_INVALID = 2


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run(factory: Callable[[], Awaitable[T]], *, owner: bool = False) -> T:
    """Run one async operation with the database open; domain errors become one-line exits.

    The operation opens its own unit of work; input is asked for before, never inside one.
    ``owner``: connect as the owner role (PostgreSQL: migrations, cross-tenant operator views).
    """

    async def main() -> T:
        from wusong.core import db

        settings = get_settings()
        async with db.as_owner(settings) if owner else contextlib.nullcontext():
            await db.start(settings)
            try:
                return await factory()
            finally:
                await db.stop()

    try:
        return asyncio.run(main())
    except SettingsError as error:
        fail(str(error), EXIT_INVALID)
    except Invalid as error:
        for field, message in error.errors.items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(EXIT_INVALID)
    except DomainError as error:
        fail(error.message)
    raise AssertionError("unreachable")  # pragma: no cover


def run_unit(action: Callable[[], Awaitable[T]], *, writes: bool, owner: bool = False) -> T:
    """Run ``action`` in one unit of work of its own (the command is its caller)."""
    from wusong.core.db import unit_of_work

    async def work() -> T:
        async with unit_of_work(writes=writes):
            return await action()

    return run(work, owner=owner)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Wusong (无讼): county mediation and no-litigation village programs."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    try:
        get_settings()
    except SettingsError as error:
        fail(str(error), EXIT_INVALID)


# ---- database --------------------------------------------------------------------------------


@main.command()
def migrate() -> None:
    """Apply every pending migration (SQLite or PostgreSQL).

    On PostgreSQL it connects as WUSONG_DATABASE_OWNER_URL's owner role, then grants the
    runtime role of WUSONG_DATABASE_URL what it needs (again on every run).
    """
    from wusong.migrate import migrate_all

    run(lambda: migrate_all(get_settings()), owner=True)
    click.echo("migrations applied")


# ---- tenants ---------------------------------------------------------------------------------


@main.group()
def tenant() -> None:
    """Create, list and (de)activate tenants (county-level units)."""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Chinese name, e.g. 梨树县")
@click.option("--division-code", required=True, help="12-digit code, e.g. 220322000000")
@click.option("--parent-city", default="", help="e.g. 四平市")
@click.option("--parent-city-code", default="", help="e.g. 220300000000")
def tenant_create(
    slug: str, name: str, division_code: str, parent_city: str, parent_city_code: str
) -> None:
    """Create a tenant."""
    from tenants import services
    from tenants.schemas import TenantCreate

    data = TenantCreate(slug, name, division_code, parent_city, parent_city_code)
    created = run_unit(lambda: services.create_tenant(data), writes=True)
    click.echo(f"created tenant {created.slug} ({created.name}, {created.division_code})")


@tenant.command("list")
def tenant_list() -> None:
    """List tenants with their status and member count."""
    from tenants import repo

    # Member counts across tenants: cross-tenant by nature, so it runs as the owner role,
    # which row-level security lets through (the runtime role sees one tenant at a time).
    rows = run_unit(repo.list_tenants, writes=False, owner=True)
    if not rows:
        click.echo("no tenants")
    for row in rows:
        state = "active" if row.active else "inactive"
        click.echo(
            f"{row.slug:<14} {row.division_code}  {state:<8} {row.members:>4} members  "
            f"{row.parent_city}{row.name}"
        )


@tenant.command("deactivate")
@click.argument("slug")
def tenant_deactivate(slug: str) -> None:
    """Deactivate a tenant: its users can no longer sign in; nothing is deleted."""
    _set_tenant_active(slug, False)
    click.echo(f"deactivated tenant {slug}")


@tenant.command("activate")
@click.argument("slug")
def tenant_activate(slug: str) -> None:
    """Reactivate a deactivated tenant."""
    _set_tenant_active(slug, True)
    click.echo(f"activated tenant {slug}")


def _set_tenant_active(slug: str, active: bool) -> None:
    from tenants import services

    run_unit(lambda: services.set_tenant_active(slug, active), writes=True)


# ---- users and tokens ------------------------------------------------------------------------


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\n")


async def _in_tenant(slug: str, work: Callable[[Any], Awaitable[T]], *, writes: bool) -> T:
    """Run ``work(ctx)`` as the platform in one unit of work bound to the tenant ``slug``."""
    from tenants import repo
    from wusong.core.db import set_tenant, unit_of_work
    from wusong.core.tenancy import system_context

    async with unit_of_work(writes=writes):
        tenant = await repo.tenant_by_slug(slug)
        if tenant is None:
            raise Invalid({"tenant": f"no tenant {slug!r}"})
        await set_tenant(tenant.id)
        return await work(system_context(tenant, "platform"))


def _user_exists(username: str) -> bool:
    from tenants import repo

    return run_unit(lambda: repo.user_by_username(username), writes=False) is not None


@main.group()
def user() -> None:
    """Create users and give them roles in tenants."""


@user.command("create")
@click.argument("username")
@click.option("--tenant", "slug", required=True, help="tenant slug, e.g. lishu")
@click.option("--role", required=True, help="admin, mediator, court_reviewer, inspector or viewer")
@click.option("--display-name", default="", help="name shown in the product (defaults to USERNAME)")
def user_create(username: str, slug: str, role: str, display_name: str) -> None:
    """Create USERNAME in a tenant (or add an existing user to it).

    The password is read from a prompt, or from the first line of standard input; never argv.
    """
    from tenants import services
    from tenants.schemas import MemberCreate

    name = username.strip()
    existing = _user_exists(name)
    password = "" if existing else _read_password()

    async def work(ctx: Any) -> str:
        if existing:
            await services.add_existing_user(ctx, name, role)
            return "added existing user"
        data = MemberCreate(name, display_name or name, role, password)
        await services.create_member(ctx, data, must_change_password=False)
        return "created user"

    outcome = run(lambda: _in_tenant(slug, work, writes=True))
    click.echo(f"{outcome} {username} in {slug} as {role}")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--tenant", "slug", required=True)
@click.option("--name", "token_name", default="cli", help="a label for the token")
def token_create(username: str, slug: str, token_name: str) -> None:
    """Create an API token for USERNAME in a tenant; it is printed once and stored hashed."""
    from tenants import repo, services
    from tenants.schemas import TokenCreate

    async def work(ctx: Any) -> str:
        user = await repo.user_by_username(username)
        member = await repo.member_by_user(ctx, user.id) if user else None
        if user is None or member is None:
            raise Invalid({"username": f"{username} is not a member of {slug}"})
        created = await services.create_token(ctx, user.id, TokenCreate(token_name))
        return created.token

    click.echo(run(lambda: _in_tenant(slug, work, writes=True)))


# ---- audit -------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The tenant audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", required=True)
def audit_verify(slug: str) -> None:
    """Recompute the tenant's hash chain; exit 1 naming each broken row."""
    from tenants import audit as audit_log

    count, problems = run(lambda: _in_tenant(slug, audit_log.verify_chain, writes=False))
    if problems:
        for problem in problems:
            click.echo(
                f"BROKEN seq={problem.seq} id={problem.event_id}: {problem.reason}", err=True
            )
        sys.exit(1)
    click.echo(f"ok: {count} events, chain intact")


# ---- processes ---------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web server (uvicorn)."""
    import uvicorn

    uvicorn.run(
        "wusong.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


@main.command()
@click.option("--burst", is_flag=True, help="process queued jobs, then exit")
def worker(burst: bool) -> None:
    """Run the arq background worker."""
    from arq.worker import run_worker

    from wusong.worker import WorkerSettings

    run_worker(WorkerSettings, burst=burst)  # type: ignore[arg-type]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """Migrate, load demo data once, then run the server and a worker in one process."""
    from wusong.demo import run_demo

    run_demo(host, port)


if __name__ == "__main__":  # pragma: no cover
    main()
