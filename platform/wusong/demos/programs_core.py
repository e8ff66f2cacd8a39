"""Demo of the programs core: where 梨树县's members work, 金玉米调解工作室 at 郭家店法庭 and a
shared court at 郭家店村 (梨树县), 矛盾帮帮团 and 法官说法点 (铁东区), with plausible monthly
activity logs (the article: 2,000+ consultations and guidance, 1,500+ post-judgment Q&A)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import UUID

from programs import repo, services
from programs.schemas import ProgramCreate, StaffAdd, Transition
from tenants import repo as tenants_repo
from tenants.schemas import MemberAreasSet
from tenants.services import set_member_areas
from wusong.core.tenancy import TenantContext

# Per month: activity kind → (entries, people per entry low, high).
STUDIO_MONTH = {
    "consultation": (5, 6, 11),
    "guidance": (3, 4, 8),
    "post_judgment_qa": (4, 9, 15),
    "legal_education": (1, 20, 60),
}
COURT_MONTH = {
    "legal_education": (1, 30, 80),
    "online_filing": (2, 1, 4),
    "online_hearing": (1, 1, 3),
    "consultation": (2, 3, 8),
}
TEAM_MONTH = {
    "consultation": (3, 3, 9),
    "guidance": (2, 2, 6),
    "legal_education": (1, 15, 50),
}
TALK_MONTH = {
    "post_judgment_qa": (2, 2, 6),
    "legal_education": (2, 20, 45),
    "consultation": (2, 2, 5),
}


def _months(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def _activities(
    program_id: UUID,
    villages: list[UUID],
    plan: dict[str, tuple[int, int, int]],
    start: date,
    recorder: tuple[UUID | None, str],
    seed: int,
) -> list[dict[str, Any]]:
    """Plausible entries from ``start`` to today, a few per kind and month."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    today = services.today()
    rows = []
    for month in _months(start, today):
        last = today.day if (month.year, month.month) == (today.year, today.month) else 28
        for kind, (entries, low, high) in plan.items():
            for _ in range(entries):
                rows.append(
                    {
                        "program": program_id,
                        "area": rng.choice(villages),
                        "kind": kind,
                        "occurred_on": month.replace(day=rng.randint(1, last)),
                        "people": rng.randint(low, high),
                        "note": "",
                        "recorded_by": recorder[0],
                        "recorded_by_name": recorder[1],
                    }
                )
    return rows


async def _program(
    ctx: TenantContext,
    data: ProgramCreate,
    staff: list[UUID],
) -> UUID:
    program = await services.create_program(ctx, data)
    for membership_id in staff:
        await services.add_staff(ctx, program.id, StaffAdd(membership_id=membership_id))
    await services.activate_program(ctx, program.id, Transition())
    return program.id


async def load(ctx: TenantContext) -> None:
    if ctx.tenant_slug == "lishu":
        await _lishu(ctx)
    elif ctx.tenant_slug == "tiedong":
        await _tiedong(ctx)


async def _lishu(ctx: TenantContext) -> None:
    areas = {a.name: a.id for a in await tenants_repo.all_areas(ctx)}
    members = {m.username: m for m in await tenants_repo.list_members(ctx)}
    where = {
        "lishu-mediator": MemberAreasSet(area_ids=[areas["郭家店镇"]]),
        "lishu-officer": MemberAreasSet(area_ids=[areas["霍家店村"]]),
        "lishu-court": MemberAreasSet(county=True),
        "lishu-inspector": MemberAreasSet(county=True),
    }
    for username, assignment in where.items():
        await set_member_areas(ctx, members[username].id, assignment)
    mediator = members["lishu-mediator"]
    studio = await _program(
        ctx,
        ProgramCreate(
            kind="mediation_studio",
            name="金玉米调解工作室",
            host_org="梨树县人民法院郭家店法庭",
            description="法官与人民调解员共同驻点，就地提供法律咨询、诉讼指导、调解与判后答疑。",
            starts_on=date(2024, 1, 1),
            area_ids=[areas["郭家店镇"]],
            targets={"consultation": 1200, "guidance": 800, "post_judgment_qa": 1500},
            config={"host_tribunal": "郭家店法庭"},
        ),
        [mediator.id],
    )
    court = await _program(
        ctx,
        ProgramCreate(
            kind="shared_court",
            name="郭家店村共享法庭",
            host_org="梨树县人民法院",
            description="设在村委会的共享法庭：调解指导、网上立案、在线诉讼、普法宣传、基层治理。",
            starts_on=date(2024, 6, 1),
            area_ids=[areas["郭家店村"]],
            config={"site_level": "village"},
        ),
        [mediator.id, members["lishu-court"].id],
    )
    guojia = [areas["郭家店村"], areas["二龙湖村"]]
    rows = _activities(
        studio, guojia, STUDIO_MONTH, date(2024, 1, 1), (mediator.user_id, mediator.display_name), 7
    )
    rows += _activities(
        court,
        [areas["郭家店村"]],
        COURT_MONTH,
        date(2024, 6, 1),
        (members["lishu-court"].user_id, members["lishu-court"].display_name),
        8,
    )
    await repo.insert_activities(ctx, rows)


async def _tiedong(ctx: TenantContext) -> None:
    areas = {a.name: a.id for a in await tenants_repo.all_areas(ctx)}
    admin = next(m for m in await tenants_repo.list_members(ctx) if m.role == "admin")
    team = await _program(
        ctx,
        ProgramCreate(
            kind="help_team",
            name="黄土坑街道矛盾帮帮团",
            host_org="铁东区司法局",
            description="社区干部、网格员、律师与志愿者组成的帮帮团，就地化解邻里与家庭矛盾。",
            starts_on=date(2025, 1, 1),
            area_ids=[areas["黄土坑街道"]],
            config={"team_type": "dispute_help"},
        ),
        [admin.id],
    )
    talk = await _program(
        ctx,
        ProgramCreate(
            kind="help_team",
            name="站前社区法官说法点",
            host_org="铁东区人民法院",
            description="法官定期到社区以案说法、答疑解惑。",
            starts_on=date(2025, 3, 1),
            area_ids=[areas["站前社区"]],
            config={"team_type": "judge_talk"},
        ),
        [admin.id],
    )
    recorder = (admin.user_id, admin.display_name)
    rows = _activities(team, [areas["向阳社区"]], TEAM_MONTH, date(2025, 1, 1), recorder, 11)
    rows += _activities(talk, [areas["站前社区"]], TALK_MONTH, date(2025, 3, 1), recorder, 12)
    await repo.insert_activities(ctx, rows)
