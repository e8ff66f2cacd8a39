"""PostgreSQL row-level security: the second wall between tenants (the first is the repository)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.factories import (
    TENANT_B,
    Browser,
    Member,
    make_area,
    make_tenant,
    make_token,
)

# Tables without a tenant column that row-level security still covers (through their user).
USER_TABLES = {"user_sessions"}


def protected_tables() -> set[str]:
    """Every tenant table, enumerated from the code, and the sessions."""
    from wusong.core.scoped import tenant_table_names

    return set(tenant_table_names()) | USER_TABLES


async def _connect(url_variable: str) -> Any:
    import asyncpg

    return await asyncpg.connect(os.environ[url_variable])


async def _seed_two_tenants(admin_a: Member, browser: Browser) -> None:
    """Rows in every protected table of two tenants, so that 0 rows means something: the
    walker's worlds (every domain's seeders), a token and a session."""
    from tests.walker import build_world

    await build_world(admin_a.tenant, "a", "220322")
    await build_world(await make_tenant(TENANT_B), "b", "220302")
    await make_token(admin_a)
    await browser.login("admin-a")  # a session


@pytest.fixture(autouse=True)
def _postgres_only(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("row-level security exists on PostgreSQL only (CI runs this on PostgreSQL)")


async def test_app_role_cannot_bypass_row_level_security() -> None:
    from tenants.tables import Tenant

    row = (
        await Tenant.raw("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    )[0]
    assert row == {"rolsuper": False, "rolbypassrls": False}


async def test_every_tenant_table_is_forced_under_rls() -> None:
    from piccolo.conf.apps import Finder

    from tenants.tables import Tenant

    tenant_tables = {
        t._meta.tablename
        for t in Finder().get_table_classes()
        if "tenant" in {c._meta.name for c in t._meta.columns}
    }
    rows = await Tenant.raw(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relkind = 'r' AND relname = ANY({})",
        list(tenant_tables),
    )
    protected = {r["relname"] for r in rows if r["relrowsecurity"] and r["relforcerowsecurity"]}
    assert tenant_tables <= protected
    assert {"areas", "audit_events", "memberships", "api_tokens"} <= protected
    sessions = await Tenant.raw(
        "SELECT relrowsecurity AND relforcerowsecurity AS forced FROM pg_class "
        "WHERE relname = 'user_sessions'"
    )
    assert sessions == [{"forced": True}]


async def test_without_a_tenant_the_app_role_sees_zero_rows(admin_a: Member) -> None:
    from tenants.tables import Area, AuditEvent
    from wusong.core.db import unit_of_work

    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    assert await Area.count() == 0
    assert await AuditEvent.count() == 0
    async with unit_of_work(writes=False):
        assert await Area.count() == 0
        setting = await Area.raw("SELECT current_setting('wusong.tenant_id', true) AS v")
        assert setting[0]["v"] in (None, "")
    async with unit_of_work(writes=False, tenant_id=admin_a.tenant.id):
        assert await Area.count() == 1
    # The setting is per transaction: the pooled connection does not keep it.
    async with unit_of_work(writes=False):
        assert await Area.count() == 0


async def test_tenant_context_sees_and_writes_only_its_own_rows(admin_a: Member) -> None:
    import asyncpg

    from tenants.tables import Area
    from wusong.core.db import unit_of_work

    tenant_b = await make_tenant(TENANT_B)
    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await make_area(tenant_b, "township", "英雄街道", "220302001000")
    async with unit_of_work(writes=False, tenant_id=tenant_b.id):
        names = [r["name"] for r in await Area.select(Area.name)]
    assert names == ["英雄街道"]
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
        async with unit_of_work(writes=True, tenant_id=tenant_b.id):
            await Area.insert(
                Area(
                    tenant=admin_a.tenant.id,
                    kind="township",
                    name="越界",
                    division_code="220322199000",
                )
            )
    async with unit_of_work(writes=True, tenant_id=tenant_b.id):
        changed = (
            await Area.update({Area.name: "改"}).where(Area.name == "梨树镇").returning(Area.id)
        )
    assert changed == []


async def test_runtime_role_without_a_tenant_reads_zero_rows_of_every_protected_table(
    admin_a: Member, browser: Browser
) -> None:
    await _seed_two_tenants(admin_a, browser)
    owner = await _connect("WUSONG_DATABASE_OWNER_URL")
    runtime = await _connect("WUSONG_DATABASE_URL")
    try:
        for table in sorted(protected_tables()):
            seeded = await owner.fetchval(f'SELECT count(*) FROM "{table}"')
            assert seeded > 0, f"{table}: seed rows first, or 0 rows proves nothing"
            assert await runtime.fetchval(f'SELECT count(*) FROM "{table}"') == 0, table
        # Password hashes cannot be listed; the rest of the users table can be read.
        assert await runtime.fetchval("SELECT count(*) FROM users") >= 2
        with pytest.raises(asyncpg_errors().InsufficientPrivilegeError):
            await runtime.fetch("SELECT password_hash FROM users")
        assert await owner.fetchval("SELECT count(*) FROM users WHERE password_hash <> ''") >= 2
    finally:
        await owner.close()
        await runtime.close()


def asyncpg_errors() -> Any:
    import asyncpg

    return asyncpg.exceptions


async def test_runtime_role_owns_nothing_and_can_change_no_schema_or_policy(
    admin_a: Member, browser: Browser
) -> None:
    errors = asyncpg_errors()
    await _seed_two_tenants(admin_a, browser)
    runtime = await _connect("WUSONG_DATABASE_URL")
    try:
        owned = await runtime.fetchval(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        assert owned == 0
        for table in sorted(protected_tables()):
            policies = await runtime.fetch(
                "SELECT policyname FROM pg_policies WHERE tablename = $1", table
            )
            assert policies, table
            for statement in (
                f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
                f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
                *(f'DROP POLICY "{p["policyname"]}" ON "{table}"' for p in policies),
                f'TRUNCATE "{table}"',
            ):
                with pytest.raises(errors.InsufficientPrivilegeError):
                    await runtime.execute(statement)
        with pytest.raises(errors.InsufficientPrivilegeError):
            await runtime.execute("CREATE TABLE intruder (id int)")
        # The audit log is append-only for the runtime role, even inside its own tenant.
        async with runtime.transaction():
            await runtime.execute(
                "SELECT set_config('wusong.tenant_id', $1, true)", str(admin_a.tenant.id)
            )
            assert await runtime.fetchval("SELECT count(*) FROM audit_events") > 0
        for statement in ("UPDATE audit_events SET actor_name = 'x'", "DELETE FROM audit_events"):
            async with runtime.transaction():
                await runtime.execute(
                    "SELECT set_config('wusong.tenant_id', $1, true)", str(admin_a.tenant.id)
                )
                with pytest.raises(errors.InsufficientPrivilegeError):
                    await runtime.execute(statement)
    finally:
        await runtime.close()


async def test_authentication_functions_are_narrow_security_definers() -> None:
    runtime = await _connect("WUSONG_DATABASE_URL")
    try:
        rows = await runtime.fetch(
            "SELECT p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner) AS owner "
            "FROM pg_proc p WHERE p.proname LIKE 'wusong\\_%'"
        )
    finally:
        await runtime.close()
    names = {r["proname"] for r in rows}
    assert {"wusong_authenticate_token", "wusong_authenticate_session"} <= names
    runtime_role = os.environ["WUSONG_DATABASE_URL"].split("://")[1].split("@")[0]
    for row in rows:
        if not row["prosecdef"]:
            continue
        assert any(c.startswith("search_path=") for c in row["proconfig"] or []), row["proname"]
        assert row["owner"] != runtime_role


async def test_runtime_role_sees_a_users_own_sessions_and_memberships_only(
    admin_a: Member, browser: Browser
) -> None:
    """The user setting (set by the authentication functions) shows that user's rows only."""
    await _seed_two_tenants(admin_a, browser)
    runtime = await _connect("WUSONG_DATABASE_URL")
    try:
        async with runtime.transaction():
            await runtime.execute(
                "SELECT set_config('wusong.user_id', $1, true)", str(admin_a.user_id)
            )
            users = {r["user"] for r in await runtime.fetch('SELECT "user" FROM user_sessions')}
            members = await runtime.fetch('SELECT "user", tenant FROM memberships')
            tokens = await runtime.fetchval("SELECT count(*) FROM api_tokens")
    finally:
        await runtime.close()
    assert users == {admin_a.user_id}
    assert [(r["user"], r["tenant"]) for r in members] == [(admin_a.user_id, admin_a.tenant.id)]
    assert tokens == 0  # tokens are tenant rows only
