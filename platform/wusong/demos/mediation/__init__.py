"""Demo mediation cases for the demo programs that take cases: 金玉米调解工作室 and 郭家店村共享法庭
(梨树县), 黄土坑街道矛盾帮帮团 and 站前社区法官说法点 (铁东区), and 伊通县's no-litigation villages.

Plausible disputes of the last three years (rural: neighbours, land, corn sales, farm work,
cattle in the fields; urban: leaks, property fees, rent, wages) with generated names, valid
resident ID numbers of the county and mobiles, each taken through the use cases by the county's
mediator as the work would go (``proceed``): most settled with an effective agreement and
follow-up visits, some not settled, withdrawn or returned to the referring court, court-referred
and confirmed ones reviewed by the court, a few still open (some past their deadline). Random
but fixed (a seed per county), so every demo shows the same cases.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from mediation import services
from mediation.schemas import CaseCreate, Referral
from programs import repo as programs_repo
from programs import services as programs_services
from programs.schemas import StaffAdd
from tenants import repo as tenants_repo
from tenants import services as tenants_services
from tenants.schemas import MemberAreasSet, MemberCreate
from wusong.core.clock import local_today
from wusong.core.tenancy import Role, TenantContext
from wusong.demos.mediation.people import People
from wusong.demos.mediation.proceed import Intake, proceed
from wusong.demos.mediation.texts import RURAL, URBAN

# Runs after the loaders that create the programs its cases belong to (programs_core,
# no_litigation): ``wusong.demos.loaders`` orders by ORDER, then by name.
ORDER = 1

SOURCES = ("application", "initiative", "court", "hotline", "app", "department")
SOURCE_WEIGHTS = (45, 20, 15, 8, 5, 7)


@dataclass(frozen=True)
class Plan:
    """A program's demo cases: in which villages, how many, which courts refer and confirm."""

    program: str
    villages: tuple[str, ...]
    count: int
    courts: tuple[str, ...]
    urban: bool = False


GUOJIADIAN = ("郭家店人民法庭", "梨树县人民法院")
TIEDONG = ("四平市铁东区人民法院",)
YITONG = ("东尖山村", "西尖山村", "三道村", "龙王村", "兴隆村", "城北社区")
PLANS: dict[str, list[Plan]] = {
    "lishu": [
        Plan("金玉米调解工作室", ("郭家店村", "二龙湖村"), 30, GUOJIADIAN),
        Plan("郭家店村共享法庭", ("郭家店村",), 10, GUOJIADIAN[:1]),
    ],
    "tiedong": [
        Plan("黄土坑街道矛盾帮帮团", ("向阳社区",), 10, TIEDONG, urban=True),
        Plan("站前社区法官说法点", ("站前社区",), 6, TIEDONG, urban=True),
    ],
    "yitong": [Plan("伊通县无讼村（社区）创建", YITONG, 12, ("伊通满族自治县人民法院",))],
}
# Each county's mediator: username, name and work area when the demo creates them here.
MEDIATORS = {
    "lishu": ("lishu-mediator", "", ""),
    "tiedong": ("tiedong-mediator", "黄土坑街道调解员", "黄土坑街道"),
    "yitong": ("yitong-mediator", "伊通镇调解员", "伊通镇"),
}
AMOUNTS = (800, 1200, 1500, 2600, 3000, 4500, 6800, 9000, 12000, 18500)


def _intake(
    rng: random.Random,
    people: People,
    plan: Plan,
    program_id: UUID,
    villages: dict[str, UUID],
    place: str,
    accepted_on: date,
) -> Intake:
    """One plausible case of the plan: category, parties, facts and claims, source."""
    texts = URBAN if plan.urban else RURAL
    category = rng.choice(list(texts))
    title, facts, claims, organisation = rng.choice(texts[category])
    village = rng.choice(plan.villages)
    unit = "号楼" if plan.urban else "组"
    address = f"{place}{village}{rng.randint(1, 12)}{unit}"
    applicant = people.party("applicant", address)
    organisation = organisation.format(c=people.county_name, v=village)
    respondent = people.party("respondent", address, organisation)
    amount = rng.choice(AMOUNTS) if "{m}" in claims else None
    words = {"a": applicant.name, "b": respondent.name, "v": village, "n": rng.randint(2, 9),
             "m": amount}  # fmt: skip
    source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
    referral = None
    if source == "court":
        court, number = rng.choice(plan.courts), rng.randint(100, 2999)
        referral = Referral(
            referring_court=court,
            court_ref_no=f"（{accepted_on.year}）吉{people.county[2:]}民诉前调{number}号",
            referral_date=accepted_on,
            procedure=rng.choice(("classic", "classic", "ordinary", "simplified")),
        )
    data = CaseCreate(
        category=category,
        source=source,
        title=title,
        facts=facts.format(**words),
        claims=claims.format(**words),
        village_id=villages[village],
        program_id=program_id,
        accepted_on=accepted_on,
        parties=[applicant, respondent],
        referral=referral,
    )
    return Intake(data, village, f"{place}{village}", amount, plan.courts)


async def _mediator(
    ctx: TenantContext, areas: dict[str, UUID], program_ids: list[UUID]
) -> TenantContext:
    """The county's demo mediator (created here where the demo has none), staff of the
    programs whose cases they handle (assigning twice changes nothing), as the acting member."""
    username, display, area = MEDIATORS[ctx.tenant_slug]
    members = {m.username: m.id for m in await tenants_repo.list_members(ctx)}
    membership_id = members.get(username)
    if membership_id is None:
        from wusong.demo import DEMO_PASSWORD

        data = MemberCreate(username, display, "mediator", DEMO_PASSWORD)
        membership_id = await tenants_services.create_member(ctx, data, must_change_password=False)
        await tenants_services.set_member_areas(
            ctx, membership_id, MemberAreasSet(area_ids=[areas[area]])
        )
    for program_id in program_ids:
        await programs_services.add_staff(ctx, program_id, StaffAdd(membership_id=membership_id))
    member = await tenants_repo.get_member(ctx, membership_id)
    return dataclasses.replace(
        ctx, user_id=member.user_id, actor_name=member.username,
        display_name=member.display_name, role=Role.MEDIATOR, via="session",
    )  # fmt: skip


async def _court(ctx: TenantContext) -> TenantContext:
    """Who records the court's decisions: the county's court reviewer where the demo has one,
    else the platform in the court's name."""
    for member in await tenants_repo.list_members(ctx):
        if member.role == Role.COURT_REVIEWER.value:
            return dataclasses.replace(
                ctx, user_id=member.user_id, actor_name=member.username,
                display_name=member.display_name, role=Role.COURT_REVIEWER, via="session",
            )  # fmt: skip
    return dataclasses.replace(ctx, actor_name=PLANS[ctx.tenant_slug][0].courts[0])


async def load(ctx: TenantContext) -> None:
    plans = PLANS.get(ctx.tenant_slug)
    if not plans:
        return
    rng = random.Random(f"cases-{ctx.tenant_slug}")  # noqa: S311 - demo data, not secrets
    people = People(rng, ctx.division_code, ctx.tenant_name)
    all_areas = await tenants_repo.all_areas(ctx)
    areas = {a.name: a.id for a in all_areas}
    names = {a.id: a.name for a in all_areas}
    parents = {a.name: a.parent_id for a in all_areas}
    programs = {p.name: p for p in await programs_repo.list_program_rows(ctx)}
    mediator = await _mediator(ctx, areas, [programs[plan.program].id for plan in plans])
    court = await _court(ctx)
    today = local_today()
    intakes: list[tuple[date, int, Plan, UUID, str]] = []
    for plan in plans:
        program = programs[plan.program]
        start = max(program.starts_on or today, today - timedelta(days=3 * 365))
        parent = parents[plan.villages[0]]
        place = ctx.tenant_name + (names[parent] if parent else "")
        for _ in range(plan.count):
            day = start + timedelta(days=rng.randrange(0, (today - start).days))
            intakes.append((day, len(intakes), plan, program.id, place))
    for accepted_on, _, plan, program_id, place in sorted(intakes):  # numbered as taken in
        intake = _intake(rng, people, plan, program_id, areas, place, accepted_on)
        case = await services.create_case(mediator, intake.data)
        await proceed(mediator, court, rng, case, intake, today)
