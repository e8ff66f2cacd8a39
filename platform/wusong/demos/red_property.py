"""Demo of red property rating (红色物业) in 铁西区: 104 rated complexes, 90 property inspectors,
inspections since 2023 under two rubric versions, and complaints whose collective share falls
by about 90% (the article: 五星分类、五级收费, collective complaints down 90%)."""

from __future__ import annotations

import copy
import dataclasses
import random
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from programs import repo as programs_repo
from programs import services as programs_services
from programs.red_property import repo, services
from programs.red_property.config import decode
from programs.red_property.schemas import (
    ComplaintCreate,
    ComplexCreate,
    InspectionCreate,
    RubricSave,
)
from programs.schemas import ProgramCreate, Transition
from tenants import repo as tenants_repo
from tenants import services as tenants_services
from tenants.schemas import AreaCreate, MemberAreasSet, MemberCreate
from wusong.core.tenancy import Role, TenantContext

COMPLEXES = 104
INSPECTORS = 90
FIRST_DAY = date(2023, 3, 1)

# 英雄街道 and 丰茂社区 come with the demo tenant; the other communities are added here.
AREAS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("英雄街道", "220302001000", [("丰茂社区", "220302001001"), ("兴华社区", "220302001002"),
                                  ("英雄社区", "220302001003")]),
    ("仁兴街道", "220302002000", [("仁兴社区", "220302002001"), ("北沟社区", "220302002002")]),
    ("地直街道", "220302003000", [("地直社区", "220302003001"), ("紫气社区", "220302003002")]),
]  # fmt: skip
STREETS = ["英雄大路", "北沟路", "仁兴街", "地直街", "紫气大路", "海丰大街", "平西路", "南新华街"]
NAMES = ["丰茂", "兴华", "紫气", "北沟", "仁兴", "地直", "海丰", "平西", "锦绣", "阳光", "幸福",
         "和平", "金色", "泰和", "隆基", "新华", "铁西", "英雄", "银河", "翠园"]  # fmt: skip
SUFFIXES = ["小区", "家园", "花园", "嘉园", "名苑", "新城"]
COMPANIES = [
    "四平市铁西物业服务有限公司", "四平万家物业服务有限公司", "吉林省宏达物业管理有限公司",
    "四平市安居物业服务有限公司", "四平市金桥物业管理有限公司", "四平市红嘴物业服务有限公司",
    "四平市福居物业服务有限公司", "吉林省长城物业管理有限公司", "四平市诚信物业服务有限公司",
    "四平市鑫源物业管理有限公司", "四平市和谐家园物业服务有限公司", "四平市惠民物业服务有限公司",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = [
    "建国",
    "海燕",
    "志强",
    "丽华",
    "明",
    "秀英",
    "立新",
    "桂芳",
    "晓东",
    "春梅",
    "国庆",
    "玉兰",
]

RUBRIC_2023: dict[str, Any] = {
    "criteria": [
        {"name": "党建引领", "weight": 20},
        {"name": "服务质量", "weight": 25},
        {"name": "设施设备维护", "weight": 20},
        {"name": "环境卫生", "weight": 15},
        {"name": "安全秩序", "weight": 10},
        {"name": "收费公示", "weight": 10},
    ],
    "vetoes": [
        {"name": "业主满意度低于80%"},
        {"name": "发生重大安全责任事故"},
        {"name": "违规收费经查属实"},
    ],
    "bands": [
        {"stars": 5, "min_score": 90, "max_score": 100},
        {"stars": 4, "min_score": 80, "max_score": 89},
        {"stars": 3, "min_score": 70, "max_score": 79},
        {"stars": 2, "min_score": 60, "max_score": 69},
        {"stars": 1, "min_score": 50, "max_score": 59},
        {"stars": 0, "min_score": 0, "max_score": 49},
    ],
    "fees": [
        {"stars": 5, "level": "一级", "ceiling_fen": 150},
        {"stars": 4, "level": "二级", "ceiling_fen": 125},
        {"stars": 3, "level": "三级", "ceiling_fen": 100},
        {"stars": 2, "level": "四级", "ceiling_fen": 80},
        {"stars": 1, "level": "五级", "ceiling_fen": 60},
    ],
    "valid_months": 12,
}
# 2025: owners' evaluation becomes a criterion of its own.
RUBRIC_2025 = copy.deepcopy(RUBRIC_2023)
RUBRIC_2025["criteria"] = [
    {"name": "党建引领", "weight": 20},
    {"name": "服务质量", "weight": 20},
    {"name": "设施设备维护", "weight": 20},
    {"name": "环境卫生", "weight": 15},
    {"name": "安全秩序", "weight": 10},
    {"name": "收费公示", "weight": 5},
    {"name": "业主评价", "weight": 10},
]
# Complaints per year (all, collective): collective complaints fall by about 90%.
COMPLAINTS = {2023: (150, 48), 2024: (115, 21), 2025: (85, 9), 2026: (64, 5)}
CATEGORIES = ["fees", "service", "repairs", "security", "environment", "other"]
SUMMARIES = {
    "fees": ["物业费收取标准不透明", "公摊水电费未公示"],
    "service": ["物业人员服务态度差", "报修后长时间无人处理"],
    "repairs": ["电梯频繁故障", "楼顶漏水未维修", "单元门禁损坏"],
    "security": ["夜间巡逻不到位", "小区车辆乱停乱放"],
    "environment": ["垃圾清运不及时", "绿化带长期无人养护"],
    "other": ["装修噪音扰民", "快递堆放占用通道"],
}


async def load(ctx: TenantContext) -> None:
    if ctx.tenant_slug != "tiexi":
        return
    rng = random.Random(20230301)  # noqa: S311 - reproducible demo data, not secrets
    towns = await _areas(ctx)
    program = await programs_services.create_program(
        ctx,
        ProgramCreate(
            kind="red_property",
            name="红色物业星级评定",
            host_org="铁西区住房和城乡建设局",
            description="党建引领红色物业：五星分类、五级收费，物业督察员定期督察评星。",
            starts_on=FIRST_DAY,
            area_ids=list(towns),
            config=RUBRIC_2023,
        ),
    )
    await programs_services.activate_program(ctx, program.id, Transition())
    inspectors = await _inspectors(ctx, program.id, towns)
    complexes = await _complexes(ctx, program.id, towns, rng)
    today = services.today()
    plans = _plans(complexes, today, rng)
    switch = date(2025, 1, 1)
    for day, complex_id, town, quality in sorted(p for p in plans if p[0] < switch):
        await _inspect(ctx, program.id, complex_id, day, quality, rng, inspectors[town])
    await services.save_rubric(ctx, program.id, RubricSave(decode(RUBRIC_2025)))
    for day, complex_id, town, quality in sorted(p for p in plans if p[0] >= switch):
        await _inspect(ctx, program.id, complex_id, day, quality, rng, inspectors[town])
    await _complaints(ctx, program.id, [c for (c, _), _ in complexes], today, rng)


async def _areas(ctx: TenantContext) -> dict[UUID, list[UUID]]:
    """The streets (townships) with their communities, created where missing."""
    existing = {a.division_code: a for a in await tenants_repo.all_areas(ctx)}
    towns: dict[UUID, list[UUID]] = {}
    for town_name, town_code, villages in AREAS:
        town = existing.get(town_code) or await tenants_services.create_area(
            ctx, AreaCreate("township", town_name, town_code)
        )
        towns[town.id] = []
        for name, code in villages:
            village = existing.get(code) or await tenants_services.create_area(
                ctx, AreaCreate("village", name, code, parent_id=town.id)
            )
            towns[town.id].append(village.id)
    return towns


async def _inspectors(
    ctx: TenantContext, program_id: UUID, towns: dict[UUID, list[UUID]]
) -> dict[UUID, list[TenantContext]]:
    """90 property inspectors, each staffing the program and working in one street."""
    from tenants.security import hash_password
    from wusong.demo import DEMO_PASSWORD

    by_town: dict[UUID, list[TenantContext]] = {town: [] for town in towns}
    order = list(towns)
    shared_hash = await hash_password(DEMO_PASSWORD)  # one argon2 run, not ninety
    for n in range(1, INSPECTORS + 1):
        username = f"tiexi-inspector-{n:02d}"
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        member = MemberCreate(username, f"督察员{name}", Role.INSPECTOR.value, DEMO_PASSWORD)
        membership = await tenants_services.create_member(
            ctx, member, must_change_password=False, password_hash=shared_hash
        )
        town = order[n % len(order)]
        await tenants_services.set_member_areas(ctx, membership, MemberAreasSet(area_ids=[town]))
        await programs_repo.add_member(ctx, program_id, membership)
        row = await tenants_repo.get_member(ctx, membership)
        by_town[town].append(
            dataclasses.replace(
                ctx,
                user_id=row.user_id,
                actor_name=username,
                display_name=row.display_name,
                role=Role.INSPECTOR,
                via="session",
            )
        )
    return by_town


async def _complexes(
    ctx: TenantContext, program_id: UUID, towns: dict[UUID, list[UUID]], rng: random.Random
) -> list[tuple[tuple[UUID, UUID], float]]:
    """104 complexes across the communities, each with a quality that rises over the years."""
    villages = [(town, village) for town, vs in towns.items() for village in vs]
    names = [f"{a}{b}" for a in NAMES for b in SUFFIXES]
    rng.shuffle(names)
    found = []
    for n in range(COMPLEXES):
        town, village = villages[n % len(villages)]
        row = await services.create_complex(
            ctx,
            program_id,
            ComplexCreate(
                name=names[n],
                area_id=village,
                address=f"{rng.choice(STREETS)} {rng.randint(1, 360)} 号",
                company=rng.choice(COMPANIES),
                households=rng.randrange(120, 1800, 6),
            ),
        )
        found.append(((row.id, town), rng.uniform(0.55, 0.92)))
    return found


def _plans(
    complexes: list[tuple[tuple[UUID, UUID], float]], today: date, rng: random.Random
) -> list[tuple[date, UUID, UUID, float]]:
    """About one inspection per complex and year; the latest may still be due."""
    plans = []
    for (complex_id, town), quality in complexes:
        day = FIRST_DAY + timedelta(days=rng.randrange(0, 270))
        year = 0
        while day <= today:
            plans.append((day, complex_id, town, min(quality + 0.05 * year, 0.99)))
            day += timedelta(days=rng.randrange(320, 400))
            year += 1
    return plans


async def _inspect(
    ctx: TenantContext,
    program_id: UUID,
    complex_id: UUID,
    day: date,
    quality: float,
    rng: random.Random,
    inspectors: list[TenantContext],
) -> None:
    _, config = await services.current_rubric(ctx, program_id)
    scores = [
        max(0, min(c.weight, round(c.weight * rng.gauss(quality, 0.07)))) for c in config.criteria
    ]
    vetoes = [config.vetoes[0].name] if quality < 0.62 and rng.random() < 0.3 else []
    notes = rng.choice(
        ["", "楼道整洁，消防通道畅通", "绿化养护到位", "需加强电梯维保", "收费已公示"]
    )
    await services.record_inspection(
        rng.choice(inspectors),
        program_id,
        complex_id,
        InspectionCreate(day, scores, vetoes, notes),
    )


async def _complaints(
    ctx: TenantContext, program_id: UUID, complexes: list[UUID], today: date, rng: random.Random
) -> None:
    for year, (total, collective) in COMPLAINTS.items():
        last = min(date(year, 12, 31), today)
        span = (last - date(year, 1, 1)).days
        for n in range(total):
            category = rng.choice(CATEGORIES)
            received = date(year, 1, 1) + timedelta(days=rng.randrange(0, span + 1))
            row = await services.record_complaint(
                ctx,
                program_id,
                rng.choice(complexes),
                ComplaintCreate(
                    received, category, rng.choice(SUMMARIES[category]), collective=n < collective
                ),
            )
            if received < today - timedelta(days=30) or rng.random() < 0.5:
                await repo.set_complaint_status(ctx, row.id, "handled", row.version)
