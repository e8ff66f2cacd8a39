"""The ``wusong`` command: platform operations, migrations, server, worker and demo."""

from __future__ import annotations

import asyncio
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


def run(factory: Callable[[], Awaitable[T]]) -> T:
    """Run one async operation with the database open; domain errors become one-line exits.

    The operation opens its own unit of work; input is asked for before, never inside one.
    """

    async def main() -> T:
        from wusong.core import db

        await db.start(get_settings())
        try:
            return await factory()
        finally:
            await db.stop()

    try:
        return asyncio.run(main())
    except Invalid as error:
        for field, message in error.errors.items():
            click.echo(f"error: {field}: {message}", err=True)
        sys.exit(EXIT_INVALID)
    except DomainError as error:
        fail(error.message)
    raise AssertionError("unreachable")  # pragma: no cover


def run_unit(action: Callable[[], Awaitable[T]], *, writes: bool) -> T:
    """Run ``action`` in one unit of work of its own (the command is its caller)."""
    from wusong.core.db import unit_of_work

    async def work() -> T:
        async with unit_of_work(writes=writes):
            return await action()

    return run(work)


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
    """Apply every pending migration (SQLite or PostgreSQL)."""
    from wusong.migrate import migrate_all

    run(migrate_all)
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

    rows = run_unit(repo.list_tenants, writes=False)
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
        _, secret = await services.create_token(ctx, user.id, TokenCreate(token_name))
        return secret

    click.echo(run(lambda: _in_tenant(slug, work, writes=True)))


# ---- audit -------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The tenant audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", default=None, help="one tenant's slug (default: every tenant)")
def audit_verify(slug: str | None) -> None:
    """Check each chain (HMAC) and its anchors; exit 1 naming the first bad row of each."""
    from tenants import audit as audit_log
    from tenants.anchors import default_store

    anchors = default_store().read()
    results = run_unit(
        lambda: audit_log.for_each_tenant(slug, lambda ctx: audit_log.verify_chain(ctx, anchors)),
        writes=False,
    )
    broken = False
    for ctx, (count, problems) in results:
        name = f"{ctx.tenant_slug}（{ctx.tenant_name}）"
        if problems:
            broken = True
            problem = problems[0]
            row = f"（id {problem.event_id}）" if problem.event_id else ""
            click.echo(f"{name}：第 {problem.seq} 条{row}：{problem.reason}", err=True)
            continue
        checked = sum(1 for a in anchors if a.tenant == str(ctx.tenant_id))
        click.echo(f"{name}：共 {count} 条，链完整，已核对 {checked} 个锚点")
    if broken:
        sys.exit(1)


@audit.command("anchor")
@click.option("--tenant", "slug", default=None, help="one tenant's slug (default: every tenant)")
def audit_anchor(slug: str | None) -> None:
    """Record each chain's head in the anchor log now (the worker does it every hour)."""
    from tenants import audit as audit_log

    for anchor in run(lambda: audit_log.anchor_heads(slug)):
        click.echo(f"{anchor.slug}：锚定第 {anchor.seq} 条 {anchor.hash[:16]}…")


@audit.command("rekey")
@click.option("--tenant", "slug", default=None, help="one tenant's slug (default: every tenant)")
@click.option(
    "--previous-key-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="a file holding the previous WUSONG_AUDIT_KEY, when the key is being replaced",
)
def audit_rekey(slug: str | None, previous_key_file: str | None) -> None:
    """Re-sign the chains with WUSONG_AUDIT_KEY, once, after checking them (run as the owner).

    Legacy SHA-256 chains (and chains of --previous-key-file) are verified, then re-signed in
    one transaction; a chain that does not verify is refused and nothing is changed.
    """
    from pathlib import Path

    from tenants import audit as audit_log
    from tenants.anchors import default_store

    previous = []
    if previous_key_file:
        previous.append(audit_log.ChainKey.from_secret(Path(previous_key_file).read_text().strip()))
    heads = run_unit(lambda: audit_log.rekey(slug, previous), writes=True)
    default_store().append(heads)  # the new heads, so the anchors follow the new signatures
    for anchor in heads:
        click.echo(f"{anchor.slug}：已重新签名 {anchor.seq} 条，密钥标识 {anchor.key_id}")


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
