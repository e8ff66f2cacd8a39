"""`wusong demo`: demo data loads once, and a private Redis starts when none answers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import redis

from tests.factories import in_tenant


async def test_demo_data_loads_once_with_five_counties_and_every_role() -> None:
    from tenants import repo
    from tenants.tables import Membership
    from wusong.demo import load_demo_data

    assert await load_demo_data() is True
    assert await load_demo_data() is False  # re-running is safe
    tenants = await repo.list_tenants()
    assert [t.name for t in tenants] == ["铁西区", "铁东区", "梨树县", "伊通县", "双辽市"]
    lishu = await repo.tenant_by_slug("lishu")
    async with in_tenant(lishu, writes=False):  # PostgreSQL: memberships are tenant rows
        roles = {r["role"] for r in await Membership.select(Membership.role)}
    assert roles == {
        "admin",
        "mediator",
        "court_reviewer",
        "inspector",
        "village_officer",
        "viewer",
    }
    await _demo_cases_are_plausible(lishu)


async def _demo_cases_are_plausible(lishu: Any) -> None:
    """Every demo program that takes cases has cases; 梨树县's are mostly settled with an
    effective agreement, some confirmed by the court; parties carry valid ID numbers."""
    from mediation import identity
    from mediation.tables import Agreement, CaseParty, Confirmation, MediationCase
    from programs.repo import list_program_rows
    from tenants import repo
    from wusong.core.scoped import scoped
    from wusong.demos.mediation import PLANS

    for slug, plans in PLANS.items():
        tenant = await repo.tenant_by_slug(slug)
        async with in_tenant(tenant, writes=False) as ctx:
            programs = {p.name: p.id for p in await list_program_rows(ctx)}
            for plan in plans:
                found = (
                    await scoped(ctx, MediationCase)
                    .count()
                    .where(MediationCase.program == programs[plan.program])
                )
                assert found == plan.count, plan.program
    async with in_tenant(lishu, writes=False) as ctx:
        statuses = [r["status"] for r in await scoped(ctx, MediationCase).select(
            MediationCase.status)]  # fmt: skip
        assert statuses.count("settled") > len(statuses) // 2
        effective = await scoped(ctx, Agreement).count().where(Agreement.status == "effective")
        assert effective >= statuses.count("settled")
        confirmed = (
            await scoped(ctx, Confirmation).count().where(Confirmation.status == "confirmed")
        )
        assert confirmed >= 1
        parties = await scoped(ctx, CaseParty).select(CaseParty.kind, CaseParty.id_cipher)
        for party in parties:
            if party["kind"] == "person":
                number = identity.decrypt_id_number(ctx.tenant_id, party["id_cipher"])
                assert identity.normal_id_number(number) == number
                assert number.startswith("220322")


def test_private_redis_starts_when_none_answers(tmp_path: Path) -> None:
    from wusong.demo import ensure_redis

    before = os.environ["WUSONG_REDIS_URL"]
    child = ensure_redis("redis://127.0.0.1:1/0", tmp_path)
    try:
        assert child is not None
        url = os.environ["WUSONG_REDIS_URL"]
        assert url != before
        assert redis.Redis.from_url(url).ping()
    finally:
        os.environ["WUSONG_REDIS_URL"] = before
        if child is not None:
            child.terminate()
            child.wait(timeout=10)
    assert ensure_redis(before, tmp_path) is None  # a running Redis is used as it is


async def test_demo_accounts_created_from_one_shared_hash_sign_in(browser: Any) -> None:
    """The 90 demo inspectors share one precomputed hash of the demo password: they sign in."""
    from wusong.demo import DEMO_PASSWORD, load_demo_data

    await load_demo_data()
    answer = await browser.login("tiexi-inspector-07", DEMO_PASSWORD)
    assert answer.status_code == 200
    assert str(answer.url).endswith("/t/tiexi/")
    wrong = await browser.login("tiexi-inspector-08", DEMO_PASSWORD + "x")
    assert "用户名或密码" in wrong.text
