"""The demo's village rules: 双辽市's program with 宝山村's 300-yuan cap and 双山村's rules,
their whole lifecycle, a village officer, and declarations over 2024–2026, a few breaking a
clause."""

from __future__ import annotations

from datetime import date

from tests.factories import in_tenant


async def test_shuangliao_demo_has_published_rules_and_checked_declarations() -> None:
    from programs.tables import Program
    from programs.village_rules import repo, services
    from programs.village_rules.repo import DeclarationFilter
    from tenants import repo as tenants_repo
    from wusong.core.scoped import scoped
    from wusong.demo import load_demo_data

    assert await load_demo_data() is True
    tenant = await tenants_repo.tenant_by_slug("shuangliao")
    async with in_tenant(tenant, writes=False) as ctx:
        program = await scoped(ctx, Program).select().where(Program.kind == "village_rules").first()
        assert program["status"] == "active"
        sets = await repo.list_rule_sets(ctx, program["id"], date(2026, 1, 1))
        assert {s.village_name: s.in_force_no for s in sets} == {"宝山村": 2, "双山村": 1}
        baoshan = next(s for s in sets if s.village_name == "宝山村")
        in_force = await repo.version_in_force(
            ctx, program["id"], baoshan.village_id, date(2025, 1, 1)
        )
        assert in_force is not None
        assert (in_force.max_fen_per_table, in_force.venue) == (30000, "村食堂")
        steps = await repo.steps_of(ctx, [in_force.id])
        assert [s.kind for s in steps] == [
            "drafted", "review_returned", "review_approved", "vote_passed", "filed", "published",
        ]  # fmt: skip
        rows, _ = await repo.list_declarations(ctx, program["id"], DeclarationFilter(), limit=100)
        assert len(rows) == 40
        flagged = [f for r in rows for f in r.findings]
        assert "第五条：每桌不超过300元（申报350元）" in flagged
        assert "无生效的村规民约" in flagged
        assert sum(r.within_limits for r in rows) >= 28
        officer = await tenants_repo.user_by_username("shuangliao-officer")
        assert officer is not None
        assert program["kind"] == services.KIND
