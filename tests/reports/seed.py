"""A studio with a known activity log over two years, in two villages, for the reports tests.

Figures of 2025 and of 2024 (the same days a year earlier), by kind, month and village:

    2025: consultation 3 records / 9 people (Jan ×2 in 宝山村, Mar ×1 in 郭家店村),
          post_judgment_qa 2 / 5 (Mar, 宝山村), guidance 1 / 1 (Dec 31, no village)
    2024: consultation 1 / 2 (Jan, 宝山村), post_judgment_qa 2 / 6 (Mar, 郭家店村)
    2023 and 2026: one consultation each, counted nowhere in 2025 or 2024.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from tests.factories import in_tenant, make_area
from tests.programs.factories import make_program


@dataclass
class Seeded:
    tenant: Any
    studio: Any
    other: Any  # a second studio of the same tenant, whose records must not count
    township: UUID
    baoshan: UUID
    guojia: UUID


ACTIVITIES = [
    # (kind, day, people, village)
    ("consultation", date(2025, 1, 5), 4, "baoshan"),
    ("consultation", date(2025, 1, 20), 2, "baoshan"),
    ("consultation", date(2025, 3, 1), 3, "guojia"),
    ("post_judgment_qa", date(2025, 3, 10), 2, "baoshan"),
    ("post_judgment_qa", date(2025, 3, 11), 3, "baoshan"),
    ("guidance", date(2025, 12, 31), 1, None),
    ("consultation", date(2024, 1, 7), 2, "baoshan"),
    ("post_judgment_qa", date(2024, 3, 2), 1, "guojia"),
    ("post_judgment_qa", date(2024, 3, 30), 5, "guojia"),
    ("consultation", date(2023, 12, 31), 7, "baoshan"),
    ("consultation", date(2026, 1, 1), 7, "baoshan"),
]


async def add_activity(
    tenant: Any, program_id: UUID, kind: str, day: date, people: int, area: UUID | None
) -> UUID:
    from programs.tables import Activity
    from wusong.core.scoped import insert

    async with in_tenant(tenant) as ctx:
        return await insert(
            ctx, Activity, program=program_id, area=area, kind=kind, occurred_on=day, people=people
        )


async def seed_studio(tenant: Any, code: str = "220322") -> Seeded:
    township = await make_area(tenant, "township", "郭家店镇", f"{code}101000")
    baoshan = await make_area(tenant, "village", "宝山村", f"{code}101201", township.id)
    guojia = await make_area(tenant, "village", "郭家店村", f"{code}101202", township.id)
    studio = await make_program(
        tenant,
        "mediation_studio",
        "金玉米调解工作室",
        area_ids=[township.id],
        host_org="郭家店法庭",
    )
    other = await make_program(tenant, "shared_court", "共享法庭", area_ids=[baoshan.id])
    villages = {"baoshan": baoshan.id, "guojia": guojia.id, None: None}
    for kind, day, people, village in ACTIVITIES:
        await add_activity(tenant, studio.id, kind, day, people, villages[village])
    # the other program's records: same days, never in the studio's figures
    await add_activity(tenant, other.id, "consultation", date(2025, 1, 5), 50, baoshan.id)
    return Seeded(tenant, studio, other, township.id, baoshan.id, guojia.id)


async def count_behind(tenant: Any, link: str) -> tuple[int, int]:
    """Records and people the activity list behind ``link`` holds: the same filters
    (``kind``, ``from``, ``to`` inclusive, ``village``) applied to the table itself."""
    from urllib.parse import parse_qs, urlsplit

    from piccolo.query.functions.aggregate import Sum

    from programs.tables import Activity
    from wusong.core.scoped import scoped

    parts = urlsplit(link)
    segments = parts.path.split("/")
    assert (segments[1], segments[3], segments[5]) == ("t", "programs", "activities"), link
    assert set(parse_qs(parts.query)) <= {"kind", "from", "to", "village"}, link
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    async with in_tenant(tenant, writes=False) as ctx:
        where = Activity.program == UUID(segments[4])
        if "kind" in query:
            where &= Activity.kind == query["kind"]
        if "from" in query:
            where &= Activity.occurred_on >= date.fromisoformat(query["from"])
        if "to" in query:
            where &= Activity.occurred_on <= date.fromisoformat(query["to"])
        if "village" in query:
            where &= Activity.area == UUID(query["village"])
        records = await scoped(ctx, Activity).count().where(where)
        rows = await scoped(ctx, Activity).select(Sum(Activity.people)).where(where)
        people = rows[0]["sum"] if rows else 0
        return records, int(people or 0)
