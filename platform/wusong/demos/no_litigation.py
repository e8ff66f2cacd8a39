"""Demo: 伊通县's no-litigation program — 11 pilot villages and 1 community, with zero new
lawsuits in 2022 (as the article reports), and plausible counts for 2021–2025.

Village codes follow the 12-digit structure under 伊通镇 (220323100000) but are demonstration
values. The rubric changes once (2024: a per-10,000 rate and local settlement are added), so
the demo shows periods evaluated under different rubric versions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wusong.core.tenancy import TenantContext

PROGRAM_NAME = "伊通县无讼村（社区）创建"

# name, code (None: already created by the demo's area list), population, households
PILOTS: list[tuple[str, str | None, int, int]] = [
    ("东尖山村", None, 2860, 930),
    ("西尖山村", "220323100202", 2410, 805),
    ("三道村", "220323100203", 1980, 672),
    ("四道村", "220323100204", 2150, 716),
    ("龙王村", "220323100205", 3320, 1104),
    ("新兴村", "220323100206", 1760, 590),
    ("长发村", "220323100207", 2630, 871),
    ("永安村", "220323100208", 1890, 640),
    ("福安村", "220323100209", 2240, 758),
    ("兴隆村", "220323100210", 3050, 1012),
    ("前进村", "220323100211", 1640, 553),
    ("城北社区", None, 8650, 3120),
]

# New lawsuits by residents per year (pilot order as above); 2022: none anywhere.
LAWSUITS: dict[int, list[int]] = {
    2021: [1, 0, 2, 0, 1, 0, 0, 1, 0, 2, 0, 3],
    2022: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    2023: [0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 2],
    2024: [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    2025: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2],
}

RUBRIC_2021: dict[str, Any] = {"granularity": "year", "indicators": ["lawsuits"], "max_lawsuits": 0}
RUBRIC_2024: dict[str, Any] = {
    "granularity": "year",
    "indicators": ["lawsuits", "rate", "settled"],
    "max_lawsuits": 1,
    "max_rate_per_10k": "3",
    "min_settled_percent": 90,
}


def _disputes(index: int, year: int, lawsuits: int) -> tuple[int, int]:
    """Plausible disputes received and settled locally: a few per 1,000 residents."""
    population = PILOTS[index][2]
    received = max(3, population // 250 + (index + year) % 5)
    settled = received - lawsuits - (1 if (index + year) % 7 == 0 else 0)
    return received, max(0, settled)


async def load(ctx: TenantContext) -> None:
    if ctx.tenant_slug != "yitong":
        return
    from programs import services as programs_services
    from programs.no_litigation import services
    from programs.no_litigation.schemas import CountCreate, PilotCreate
    from programs.schemas import ProgramCreate, Transition
    from tenants import repo as tenants_repo
    from tenants import services as tenants_services
    from tenants.schemas import AreaCreate

    areas = {area.name: area for area in await tenants_repo.all_areas(ctx)}
    town = areas["伊通镇"]
    villages: list[Any] = []
    for name, code, _, _ in PILOTS:
        if code is None:
            villages.append(areas[name])
        else:
            data = AreaCreate("village", name, code, parent_id=town.id)
            villages.append(await tenants_services.create_area(ctx, data))
    program = await programs_services.create_program(
        ctx,
        ProgramCreate(
            kind="no_litigation_village",
            name=PROGRAM_NAME,
            host_org="伊通满族自治县人民法院",
            description="创建“无讼村（社区）”：矛盾纠纷就地化解，辖区居民零新增诉讼。"
            "2022 年 11 个试点村和 1 个社区实现新增诉讼案件零增长。",
            starts_on=date(2021, 1, 1),
            area_ids=[town.id],
            targets={"villages_met": 12},
            config=RUBRIC_2021,
        ),
    )
    await programs_services.activate_program(ctx, program.id, Transition())
    for (_, _, population, households), village in zip(PILOTS, villages, strict=True):
        await services.add_pilot(ctx, program.id, PilotCreate(village.id, population, households))
    version = 1
    for year, counts in LAWSUITS.items():
        if year == 2024:
            await services.save_rubric(ctx, program.id, RUBRIC_2024, version)
            version += 1
        for index, (village, lawsuits) in enumerate(zip(villages, counts, strict=True)):
            received, settled = _disputes(index, year, lawsuits)
            await services.record_count(
                ctx,
                program.id,
                CountCreate(village.id, str(year), lawsuits, received, settled),
            )
