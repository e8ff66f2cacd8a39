"""Village rules: the lifecycle's order, the majority rule, and the check of a banquet against
the version in force on its day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.factories import in_tenant, make_area, make_tenant
from tests.programs.factories import make_program
from tests.programs.village_rules.rules import published_rules


@pytest.fixture
async def county() -> dict[str, Any]:
    tenant = await make_tenant()
    town = await make_area(tenant, "township", "茂林镇", "220322101000")
    village = await make_area(tenant, "village", "宝山村", "220322101201", town.id)
    program = await make_program(
        tenant, "village_rules", "移风易俗", area_ids=[town.id],
        config={"majority": "two_thirds", "quorum": 30},
    )  # fmt: skip
    return {"tenant": tenant, "town": town, "village": village, "program": program}


async def _draft(ctx: Any, program_id: Any, village_id: Any) -> Any:
    from programs.village_rules import repo, services
    from programs.village_rules.schemas import DraftUpdate, RuleSetCreate

    drafted = date.today() - timedelta(days=10)
    rule_set = await services.create_rule_set(
        ctx, program_id, RuleSetCreate(village_id, "", drafted)
    )
    version = (await repo.versions_of(ctx, rule_set.id))[0]
    return await services.update_draft(
        ctx, program_id, version.id,
        DraftUpdate(articles="一、移风易俗。\n二、每桌不超过300元。", max_yuan_per_table="300",
                    max_yuan_article=2, version=version.version),
    )  # fmt: skip


async def test_a_version_cannot_skip_a_step(county: dict[str, Any]) -> None:
    from programs.village_rules import services
    from programs.village_rules.schemas import FilingRecord, PublishRecord, VoteRecord
    from wusong.core.errors import Conflict

    program = county["program"]
    day = date.today() - timedelta(days=3)
    async with in_tenant(county["tenant"]) as ctx:
        draft = await _draft(ctx, program.id, county["village"].id)
        with pytest.raises(Conflict, match="未经村民（代表）会议表决通过的版本不能公布"):
            await services.publish(ctx, program.id, draft.id, PublishRecord(day))
        with pytest.raises(Conflict, match="未经乡镇合法性审查通过的版本不能"):
            await services.record_vote(ctx, program.id, draft.id, VoteRecord(day, 40, 30))
        with pytest.raises(Conflict, match="未经村民（代表）会议表决通过的版本不能备案"):
            await services.record_filing(ctx, program.id, draft.id, FilingRecord(day, "镇", "1"))


async def test_the_configured_majority_and_quorum_decide_the_vote(county: dict[str, Any]) -> None:
    from programs.village_rules import services
    from programs.village_rules.schemas import ReviewRecord, VoteRecord

    program = county["program"]
    day = date.today() - timedelta(days=3)
    async with in_tenant(county["tenant"]) as ctx:
        draft = await _draft(ctx, program.id, county["village"].id)
        await services.record_review(ctx, program.id, draft.id, ReviewRecord(day, True))
        # 26 of 40 is more than half but less than the configured two thirds: back to draft
        failed = await services.record_vote(ctx, program.id, draft.id, VoteRecord(day, 40, 26, 14))
        assert failed.status == "draft"
        await services.record_review(ctx, program.id, draft.id, ReviewRecord(day, True))
        # two thirds of 27 attendees, but below the quorum of 30: not adopted
        short = await services.record_vote(ctx, program.id, draft.id, VoteRecord(day, 27, 27))
        assert short.status == "draft"
        await services.record_review(ctx, program.id, draft.id, ReviewRecord(day, True))
        passed = await services.record_vote(ctx, program.id, draft.id, VoteRecord(day, 30, 20, 10))
        assert passed.status == "voted"  # exactly two thirds is 三分之二以上
    from programs.village_rules.config import vote_passes

    assert vote_passes("half", 40, 21)
    assert not vote_passes("half", 40, 20)


async def test_a_banquet_is_checked_against_the_version_in_force_on_its_day(
    county: dict[str, Any],
) -> None:
    from programs.village_rules import services
    from programs.village_rules.schemas import DeclarationCreate

    program, village = county["program"], county["village"].id
    async with in_tenant(county["tenant"]) as ctx:
        before_rules = await services.declare_banquet(
            ctx, program.id, DeclarationCreate(village, "王五", "婚嫁", date(2024, 3, 1), 10, "500")
        )
        first = await published_rules(
            ctx, program.id, village, effective_from=date(2024, 6, 1), max_yuan="300",
            occasions=["婚嫁", "丧葬"], occasions_article=1,
        )  # fmt: skip
        revised = await published_rules(
            ctx, program.id, village, effective_from=date(2025, 6, 1), max_yuan="400",
            rule_set_id=first.rule_set_id, occasions=["婚嫁", "丧葬"], occasions_article=1,
        )  # fmt: skip
        old = await services.declare_banquet(
            ctx,
            program.id,
            DeclarationCreate(village, "张三华", "婚嫁", date(2025, 5, 31), 10, "350"),
        )
        new = await services.declare_banquet(
            ctx,
            program.id,
            DeclarationCreate(village, "张三华", "婚嫁", date(2025, 6, 1), 10, "350"),
        )
        party = await services.declare_banquet(
            ctx,
            program.id,
            DeclarationCreate(village, "赵六", "寿宴", date(2025, 7, 1), 10, "450.5"),
        )
    assert before_rules.findings == ["无生效的村规民约"]
    assert not before_rules.within_limits
    assert before_rules.rule_version_id is None
    assert old.rule_version_id == first.id
    assert not old.within_limits
    assert old.findings == ["第二条：每桌不超过300元（申报350元）"]
    assert new.rule_version_id == revised.id
    assert new.within_limits
    assert new.findings == []
    assert party.findings == [
        "第一条：办席事由限于婚嫁、丧葬（申报寿宴）",
        "第二条：每桌不超过400元（申报450.50元）",
    ]
