"""Village rules test data: a village's rules taken through the whole lifecycle.

(Not in world.py: importing a world module from a test would register its seeder out of order.)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from programs.village_rules.schemas import (
    DraftUpdate,
    FilingRecord,
    PublishRecord,
    ReviewRecord,
    RuleSetCreate,
    VoteRecord,
)


async def published_rules(
    ctx: Any,
    program_id: Any,
    village_id: Any,
    *,
    articles: list[str] | None = None,
    max_yuan: str = "300",
    effective_from: date = date(2025, 1, 1),
    rule_set_id: Any = None,
    **clauses: Any,
) -> Any:
    """A rule set for the village (or a revision of ``rule_set_id``) taken through the whole
    lifecycle, published and in force from ``effective_from``; returns the version."""
    from programs.village_rules import repo, services
    from programs.village_rules.schemas import RevisionCreate

    start = effective_from - timedelta(days=20)
    if rule_set_id is None:
        rule_set = await services.create_rule_set(
            ctx, program_id, RuleSetCreate(village_id=village_id, drafted_on=start)
        )
        rule_set_id = rule_set.id
        version = (await repo.versions_of(ctx, rule_set_id))[0]
    else:
        version = await services.revise(ctx, program_id, rule_set_id, RevisionCreate(start))
    texts = articles or ["移风易俗，喜事新办，丧事简办。", "宴席规模从简。", "宴席在村食堂举办。"]
    draft = DraftUpdate(
        articles=texts,
        max_yuan_per_table=max_yuan,
        max_yuan_article=clauses.pop("max_yuan_article", 2),
        version=version.version,
        **clauses,
    )
    version = await services.update_draft(ctx, program_id, version.id, draft)
    await services.record_review(ctx, program_id, version.id, ReviewRecord(start, True))
    await services.record_vote(ctx, program_id, version.id, VoteRecord(start, 50, 40, 5, 5))
    await services.record_filing(
        ctx, program_id, version.id, FilingRecord(start, "镇人民政府", f"备{version.id.hex[:6]}")
    )
    return await services.publish(ctx, program_id, version.id, PublishRecord(start, effective_from))
