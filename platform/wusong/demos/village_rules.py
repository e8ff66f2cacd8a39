"""Demo: 双辽市's village-rules program (移风易俗) covering 茂林镇: 宝山村's rules with the 300-yuan
cap at the village canteen (published, then revised), 双山村's rules (a first vote failed), a
village officer of 宝山村, and about 40 banquet declarations over 2024–2026, a few over the cap."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from typing import Any

from wusong.core.tenancy import Role, TenantContext

OCCASIONS = ["婚嫁", "丧葬", "升学", "参军", "乔迁", "寿宴"]
BAOSHAN_ARTICLES = [
    "为推进移风易俗、树立文明乡风，根据《中华人民共和国村民委员会组织法》等法律法规，"
    "结合本村实际，经村民代表会议讨论通过，制定本村规民约。",
    "本村村民应当遵守法律法规，尊老爱幼，邻里和睦；发生矛盾纠纷，优先通过村人民调解委员会调解。",
    "倡导婚事新办、丧事简办、其他事不办，反对大操大办、铺张浪费和高价彩礼。",
    "村民办理婚嫁、丧葬、升学、参军宴席，应于办席前向村红白理事会申报；乔迁、寿宴等其他事宜不办宴席。",
    "宴席规模每场不超过20桌，每桌标准不超过300元（含酒水）。",
    "宴席一律在村食堂举办，由村红白理事会统一服务。",
    "违反本村规民约的，由村民委员会批评教育，并在评先评优中予以体现。",
    "本村规民约自公布之日起施行，由村民委员会负责解释。",
]
SHUANGSHAN_ARTICLES = [
    "为弘扬社会主义核心价值观、推进移风易俗，经村民会议讨论通过，制定本村规民约。",
    "村民应当勤俭持家，婚丧嫁娶从简，不攀比、不铺张。",
    "婚嫁、丧葬、升学、参军可以办席，其他事宜不办宴席；办席前向村红白理事会申报。",
    "宴席每场不超过15桌，每桌标准不超过300元。",
    "本村规民约由村民委员会负责解释，自公布之日起施行。",
]
HOUSEHOLDS = [
    "张立华", "王秀兰", "李国强", "刘德胜", "陈玉梅", "杨占山", "赵春生", "黄丽娟", "周海涛",
    "吴桂芝", "徐长林", "孙凤英", "马文军", "朱红霞", "胡振东", "郭淑珍", "何永刚", "高秀云",
    "林建国", "罗玉珍",
]  # fmt: skip


async def load(ctx: TenantContext) -> None:
    if ctx.tenant_slug != "shuangliao":
        return
    from programs import repo as programs_repo
    from programs import services as programs_services
    from programs.schemas import ProgramCreate, Transition
    from tenants import repo as tenants_repo
    from tenants import services as tenants_services
    from tenants.schemas import MemberAreasSet, MemberCreate
    from wusong.demo import DEMO_PASSWORD

    areas = {area.name: area for area in await tenants_repo.all_areas(ctx)}
    town, baoshan, shuangshan = areas["茂林镇"], areas["宝山村"], areas["双山村"]
    program = await programs_services.create_program(
        ctx,
        ProgramCreate(
            kind="village_rules",
            name="移风易俗·村规民约",
            host_org="茂林镇人民政府",
            description="推进婚事新办、丧事简办：各村村规民约经合法性审查、村民（代表）会议表决、"
            "备案后公布；宴席申报按每桌不超过300元、在村食堂办席等条款自动核对。",
            starts_on=date(2024, 1, 1),
            area_ids=[town.id],
            config={"majority": "half", "quorum": 0, "occasions": list(OCCASIONS)},
        ),
    )
    await programs_services.activate_program(ctx, program.id, Transition())
    membership = await tenants_services.create_member(
        ctx,
        MemberCreate("shuangliao-officer", "宝山村村务工作者", "village_officer", DEMO_PASSWORD),
        must_change_password=False,
    )
    await programs_repo.add_member(ctx, program.id, membership)
    await tenants_services.set_member_areas(ctx, membership, MemberAreasSet(area_ids=[baoshan.id]))
    officer = await tenants_repo.get_member(ctx, membership)
    as_officer = dataclasses.replace(
        ctx,
        user_id=officer.user_id,
        actor_name=officer.username,
        display_name=officer.display_name,
        role=Role.VILLAGE_OFFICER,
    )
    as_township = dataclasses.replace(ctx, actor_name="茂林镇司法所")
    as_shuangshan = dataclasses.replace(ctx, actor_name="双山村村委会")

    await _baoshan(as_officer, as_township, program.id, baoshan.id)
    await _shuangshan(as_shuangshan, as_township, program.id, shuangshan.id)
    await _declarations(as_officer, as_shuangshan, program.id, baoshan.id, shuangshan.id)


async def _lifecycle(
    ctx: TenantContext,
    township: TenantContext,
    program_id: Any,
    version: Any,
    days: tuple[date, date, date, date, date],
    votes: tuple[int, int, int, int],
    filing_no: str,
) -> Any:
    """Review, vote, filing and publication of a draft on the given days."""
    from programs.village_rules import services
    from programs.village_rules.schemas import (
        FilingRecord,
        PublishRecord,
        ReviewRecord,
        VoteRecord,
    )

    reviewed, voted, filed, published, effective = days
    await services.record_review(
        township,
        program_id,
        version.id,
        ReviewRecord(reviewed, True, "经审查，内容不违反法律法规。"),
    )
    await services.record_vote(ctx, program_id, version.id, VoteRecord(voted, *votes))
    await services.record_filing(
        ctx, program_id, version.id, FilingRecord(filed, "茂林镇人民政府", filing_no)
    )
    return await services.publish(ctx, program_id, version.id, PublishRecord(published, effective))


async def _baoshan(
    ctx: TenantContext, township: TenantContext, program_id: Any, village: Any
) -> None:
    from programs.village_rules import repo, services
    from programs.village_rules.schemas import (
        DraftUpdate,
        ReviewRecord,
        RevisionCreate,
        RuleSetCreate,
    )

    rule_set = await services.create_rule_set(
        ctx, program_id, RuleSetCreate(village, "宝山村村规民约", date(2024, 1, 8))
    )
    first = (await repo.versions_of(ctx, rule_set.id))[0]
    clauses: dict[str, Any] = {
        "occasions": ["婚嫁", "丧葬", "升学", "参军"],
        "occasions_article": 4,
        "max_tables": 20,
        "max_tables_article": 5,
        "max_yuan_per_table": "300",
        "max_yuan_article": 5,
        "venue": "村食堂",
        "venue_article": 6,
    }
    first = await services.update_draft(
        ctx,
        program_id,
        first.id,
        DraftUpdate(
            articles=[*BAOSHAN_ARTICLES[:5], "宴席一律在村食堂举办。", *BAOSHAN_ARTICLES[6:]],
            version=first.version,
            **clauses,
        ),
    )
    # The township first returned the draft: the canteen rule needed the council's service terms.
    await services.record_review(
        township,
        program_id,
        first.id,
        ReviewRecord(date(2024, 1, 22), False, "第六条请写明由红白理事会统一服务，其余无意见。"),
    )
    first = await repo.get_version(ctx, program_id, first.id)
    first = await services.update_draft(
        ctx,
        program_id,
        first.id,
        DraftUpdate(articles=BAOSHAN_ARTICLES, version=first.version, **clauses),
    )
    await _lifecycle(
        ctx,
        township,
        program_id,
        first,
        (
            date(2024, 2, 5),
            date(2024, 3, 6),
            date(2024, 3, 15),
            date(2024, 3, 20),
            date(2024, 4, 1),
        ),
        (46, 41, 3, 2),
        "茂林备〔2024〕3号",
    )
    # Revised in 2025: at most 15 tables a banquet.
    second = await services.revise(ctx, program_id, rule_set.id, RevisionCreate(date(2025, 8, 4)))
    articles = list(BAOSHAN_ARTICLES)
    articles[4] = "宴席规模每场不超过15桌，每桌标准不超过300元（含酒水）。"
    second = await services.update_draft(
        ctx,
        program_id,
        second.id,
        DraftUpdate(articles=articles, version=second.version, **{**clauses, "max_tables": 15}),
    )
    await _lifecycle(
        ctx,
        township,
        program_id,
        second,
        (
            date(2025, 8, 20),
            date(2025, 9, 5),
            date(2025, 9, 12),
            date(2025, 9, 18),
            date(2025, 10, 1),
        ),
        (48, 44, 2, 2),
        "茂林备〔2025〕7号",
    )


async def _shuangshan(
    ctx: TenantContext, township: TenantContext, program_id: Any, village: Any
) -> None:
    from programs.village_rules import repo, services
    from programs.village_rules.schemas import (
        DraftUpdate,
        ReviewRecord,
        RuleSetCreate,
        VoteRecord,
    )

    rule_set = await services.create_rule_set(
        ctx, program_id, RuleSetCreate(village, "双山村村规民约", date(2024, 3, 1))
    )
    version = (await repo.versions_of(ctx, rule_set.id))[0]
    draft = DraftUpdate(
        articles=SHUANGSHAN_ARTICLES,
        occasions=["婚嫁", "丧葬", "升学", "参军"],
        occasions_article=3,
        max_tables=15,
        max_tables_article=4,
        max_yuan_per_table="300",
        max_yuan_article=4,
        version=version.version,
    )
    version = await services.update_draft(ctx, program_id, version.id, draft)
    # The first assembly fell short of a majority: back to draft, reviewed again, adopted.
    await services.record_review(
        township, program_id, version.id, ReviewRecord(date(2024, 3, 18), True, "")
    )
    await services.record_vote(
        ctx, program_id, version.id, VoteRecord(date(2024, 4, 2), 52, 24, 20, 8)
    )
    version = await repo.get_version(ctx, program_id, version.id)
    await _lifecycle(
        ctx,
        township,
        program_id,
        version,
        (
            date(2024, 4, 20),
            date(2024, 5, 8),
            date(2024, 5, 15),
            date(2024, 5, 20),
            date(2024, 6, 1),
        ),
        (55, 47, 5, 3),
        "茂林备〔2024〕5号",
    )


async def _declarations(
    officer: TenantContext,
    shuangshan_ctx: TenantContext,
    program_id: Any,
    baoshan: Any,
    shuangshan: Any,
) -> None:
    """About 40 declarations over 2024–2026; most within the rules, a few over the cap."""
    from programs.village_rules import services
    from programs.village_rules.schemas import DeclarationCreate

    rng = random.Random(20240301)  # noqa: S311 - reproducible demo data, not a secret
    start, end = date(2024, 2, 10), date(2026, 11, 20)
    days = sorted(start + timedelta(days=rng.randrange((end - start).days)) for _ in range(40))
    over_cap = {4, 13, 22, 31}  # 350, 380, 320, 400 yuan a table
    caps = iter(["350", "380", "320", "400"])
    for n, day in enumerate(days):
        in_baoshan = n % 3 != 2
        occasion = rng.choice(["婚嫁", "婚嫁", "丧葬", "丧葬", "升学", "参军"])
        tables = rng.randint(6, 14)
        yuan = rng.choice(["260", "280", "288", "300", "300", "240"])
        if n in over_cap:
            yuan = next(caps)
        if n == 18:
            occasion, tables = "寿宴", 10  # not an occasion the rules allow
        if n == 27:
            tables = 22  # more tables than allowed
        data = DeclarationCreate(
            village_id=baoshan if in_baoshan else shuangshan,
            household_head=HOUSEHOLDS[n % len(HOUSEHOLDS)],
            occasion=occasion,
            banquet_on=day,
            tables=tables,
            yuan_per_table=yuan,
            venue="村食堂" if in_baoshan and n != 9 else ("自家院内" if n == 9 else ""),
        )
        await services.declare_banquet(officer if in_baoshan else shuangshan_ctx, program_id, data)
