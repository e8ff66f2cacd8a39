"""Tenant-scoped queries filter on the context's tenant by themselves, on both databases.

The application's filter is tested on its own: on PostgreSQL the unit of work is pointed at the
*other* tenant's row-level-security context, so a helper that forgot its filter would show that
tenant's rows instead of none (RLS, the second wall, cannot hide the mistake here).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import pytest

from tests.factories import TENANT_A, TENANT_B, in_tenant, make_area, make_tenant


@asynccontextmanager
async def acting_as_b_with_rls_of_a(
    tenant_a: Any, tenant_b: Any, *, writes: bool
) -> AsyncIterator[Any]:
    from wusong.core.db import current_unit, is_postgres, unit_of_work
    from wusong.core.tenancy import system_context

    async with unit_of_work(writes=writes) as unit:
        if is_postgres():
            await current_unit().transaction.connection.execute(
                "SELECT set_config('wusong.tenant_id', $1, true)", str(tenant_a.id)
            )
        unit.bound(tenant_b.id)
        yield system_context(tenant_b)


@pytest.fixture
async def two_trees() -> tuple[Any, Any]:
    tenant_a = await make_tenant(TENANT_A)
    tenant_b = await make_tenant(TENANT_B)
    town_a = await make_area(tenant_a, "township", "梨树镇", "220322100000")
    await make_area(tenant_a, "village", "霍家店村", "220322100201", town_a.id)
    await make_area(tenant_b, "township", "英雄街道", "220302001000")
    return tenant_a, tenant_b


async def test_select_count_exists_update_delete_see_only_the_contexts_tenant(
    two_trees: tuple[Any, Any],
) -> None:
    from tenants.tables import Area
    from wusong.core.scoped import scoped

    tenant_a, tenant_b = two_trees
    async with acting_as_b_with_rls_of_a(tenant_a, tenant_b, writes=True) as ctx_b:
        areas = scoped(ctx_b, Area)
        assert await areas.select(Area.name) == ([] if _pg() else [{"name": "英雄街道"}])
        assert await areas.count() == (0 if _pg() else 1)
        assert not await areas.exists().where(Area.name == "梨树镇")
        renamed = await areas.update({Area.name: "改"}).returning(Area.id)
        assert len(renamed) == (0 if _pg() else 1)
        removed = await areas.delete().where(Area.kind == "village").returning(Area.id)
        assert removed == []
    async with in_tenant(tenant_a, writes=False) as ctx_a:
        names = {row["name"] for row in await scoped(ctx_a, Area).select(Area.name)}
    assert names == {"梨树镇", "霍家店村"}


def _pg() -> bool:
    from wusong.core.db import is_postgres

    return is_postgres()


async def test_tenant_statements_bind_the_contexts_tenant(two_trees: tuple[Any, Any]) -> None:
    from tenants import repo

    tenant_a, tenant_b = two_trees
    async with acting_as_b_with_rls_of_a(tenant_a, tenant_b, writes=False) as ctx_b:
        rows, has_more, _ = await repo.list_areas(ctx_b)
        members = await repo.list_members(ctx_b)
        counts = await repo.home_counts(ctx_b)
    assert [r.name for r in rows] == ([] if _pg() else ["英雄街道"])
    assert not has_more
    assert members == []
    assert counts["villages"] == 0


async def test_insert_stamps_the_tenant_and_require_owned_refuses_other_tenants_ids(
    two_trees: tuple[Any, Any],
) -> None:
    from tenants.tables import Area
    from wusong.core.errors import Invalid, NotFound, UnscopedQuery
    from wusong.core.scoped import insert, require_owned, scoped

    tenant_a, tenant_b = two_trees
    async with in_tenant(tenant_a, writes=False) as ctx_a:
        a_town = (await scoped(ctx_a, Area).select(Area.id).where(Area.kind == "township"))[0]
    async with in_tenant(tenant_b) as ctx_b:
        new_id = await insert(
            ctx_b, Area, kind="township", name="新街道", division_code="220302002000"
        )
        assert await require_owned(ctx_b, Area, str(new_id)) == new_id
        for foreign in (a_town["id"], uuid4(), "not-a-uuid", None):
            with pytest.raises(Invalid) as refused:
                await require_owned(ctx_b, Area, foreign, field="parent_id", label="上级")
            assert refused.value.errors == {"parent_id": "上级无效或不属于本区县"}
            with pytest.raises(NotFound):
                await require_owned(ctx_b, Area, foreign)
        with pytest.raises(UnscopedQuery):
            await insert(ctx_b, Area, tenant=tenant_a.id, kind="township", name="x")
    async with in_tenant(tenant_b, writes=False) as ctx_b:
        stamped = await scoped(ctx_b, Area).select(Area.tenant).where(Area.id == new_id).first()
    assert stamped == {"tenant": tenant_b.id}


async def test_a_context_of_another_tenant_than_the_unit_is_refused(
    two_trees: tuple[Any, Any],
) -> None:
    from tenants import repo
    from tenants.tables import Area
    from wusong.core.errors import UnitOfWorkError
    from wusong.core.scoped import scoped
    from wusong.core.tenancy import system_context

    tenant_a, tenant_b = two_trees
    async with in_tenant(tenant_a, writes=False):
        with pytest.raises(UnitOfWorkError, match="bound to tenant"):
            scoped(system_context(tenant_b), Area)
        with pytest.raises(UnitOfWorkError, match="bound to tenant"):
            await repo.list_members(system_context(tenant_b))


def test_tenant_statements_must_scope_every_tenant_table() -> None:
    from wusong.core.errors import UnscopedQuery
    from wusong.core.scoped import TenantStatement, unscoped_references

    assert unscoped_references("SELECT * FROM areas WHERE tenant = {tenant}") == []
    assert (
        unscoped_references(
            "SELECT * FROM memberships m JOIN users u ON u.id = m.user WHERE m.tenant = {tenant}"
        )
        == []
    )
    assert unscoped_references("SELECT * FROM areas WHERE kind = {}") == ["areas"]
    joined = (
        "SELECT * FROM areas a JOIN memberships m ON m.tenant = a.tenant WHERE a.tenant = {tenant}"
    )
    assert unscoped_references(joined) == ["m"]
    sub = (
        "SELECT (SELECT COUNT(*) FROM areas WHERE tenant = {tenant}),"
        " (SELECT COUNT(*) FROM audit_events) AS n"
    )
    assert unscoped_references(sub)
    with pytest.raises(UnscopedQuery):
        TenantStatement("SELECT id FROM api_tokens WHERE prefix = {}").check()
