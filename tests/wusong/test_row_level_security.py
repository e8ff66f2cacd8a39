"""PostgreSQL row-level security: the second wall between tenants (the first is the repository)."""

from __future__ import annotations

import pytest

from tests.factories import TENANT_B, Member, make_area, make_tenant

# Identity tables read by authentication before a tenant is known; filtered by the application.
IDENTITY_TABLES = {"memberships", "api_tokens"}


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
    assert tenant_tables - IDENTITY_TABLES <= protected
    assert {"areas", "audit_events"} <= protected


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
