"""Generate mediation cases for the benchmarks: 100,000 cases over 5 counties (about 20,000 each)
with their parties, sessions, agreements, follow-up visits, confirmations and audit events.

    .venv/bin/python benchmarks/gen_cases.py [--cases 100000] [--seed 7]

It migrates and fills the database the settings name (``WUSONG_DATABASE_URL``, and on
PostgreSQL ``WUSONG_DATABASE_OWNER_URL`` for the migration), which must not hold these counties
yet; ``bench_cases.py`` runs it on a database of its own. Every generated user's password is
``--password`` (default: a random one, printed).

What each county gets:
- structure through the use cases (their validation and audit events): the county, 12
  townships of 15 villages each, an administrator, a court reviewer, a county-wide mediator
  (``<slug>-m00``) and one mediator per township (``<slug>-m01`` … ``-m12``) assigned to it,
  and a mediation studio (program) covering the first township's villages;
- the volume bulk-inserted (batched ``executemany``) with exactly the values the product
  writes: accepted over the last three years (a little more each year, fewer on weekends),
  categories and sources with plausible weights, numbers consecutive per county and year in
  the order of acceptance (``case_counters.last_seq`` = the year's largest), due dates by the
  tenant's periods and the official calendar (``mediation.deadlines.period_end``), outcomes by
  age (recent cases open, older ones mostly settled, some failed, withdrawn or sent to court,
  a few still open past their due date), two parties each (valid GB 11643 ID numbers stored
  encrypted, with the keyed hash and the masked form; mobiles), mediation sessions, an
  effective agreement (terms, amounts, every signature) for each settled case, follow-up
  visits once a term's deadline has passed, judicial-confirmation applications with the
  court's decisions, court referrals (court, reference number, procedure, returned when
  mediation failed), and one ``case.create`` audit event per case, chained with the audit key
  like ``tenants.audit.record`` (so each case's timeline and the chain check work on them).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import random
import secrets
import time as time_module
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

# slug, name (its first character abbreviates the case number), county code, cases
TENANTS: list[tuple[str, str, str, int]] = [
    ("bench", "梨树县", "220322000000", 22_000),
    ("bench-b", "双辽市", "220382000000", 20_000),
    ("bench-c", "伊通满族自治县", "220323000000", 20_000),
    ("bench-d", "铁东区", "220303000000", 19_000),
    ("bench-e", "铁西区", "220302000000", 19_000),
]
CITY = ("四平市", "220300000000")
TOWNSHIPS, VILLAGES = 12, 15  # villages per township
YEARS_BACK = 3

# Weights of the standard categories (per cent, county mediation statistics of Jilin are of
# this shape: family and neighbour disputes lead, then land and damages).
CATEGORY_WEIGHTS: dict[str, float] = {
    "marriage_family": 17, "neighbour": 21, "housing_land": 12, "contract": 8, "business": 3,
    "damages": 10, "forest_land": 6, "expropriation": 2, "environment": 1.5, "labour": 5,
    "consumer": 2, "medical": 1, "traffic": 4, "property_management": 3,
    "village_affairs": 2.5, "other": 2,
}  # fmt: skip
SOURCE_WEIGHTS: dict[str, float] = {
    "application": 44, "initiative": 30, "court": 12, "hotline": 7, "app": 3, "department": 4,
}  # fmt: skip
# Outcomes of a closed case.
OUTCOME_WEIGHTS: dict[str, float] = {
    "settled": 78, "partly_settled": 4, "failed": 9, "withdrawn": 5, "litigation": 4,
}  # fmt: skip
FAILURE_WEIGHTS: dict[str, float] = {
    "no_agreement": 55, "party_withdrew": 20, "unreachable": 12, "out_of_scope": 5, "other": 8,
}  # fmt: skip
MONEY = {"contract", "business", "damages", "labour", "consumer", "medical", "traffic",
         "property_management", "expropriation", "housing_land", "environment"}  # fmt: skip
ORGANISATION_RESPONDENT = {"contract": 0.3, "labour": 0.7, "consumer": 0.8, "medical": 0.9,
                           "property_management": 0.9, "environment": 0.6, "business": 0.3,
                           "expropriation": 0.5}  # fmt: skip

TITLES: dict[str, list[str]] = {
    "marriage_family": ["离婚财产分割纠纷", "赡养纠纷", "抚养费纠纷", "婚约彩礼纠纷", "家庭矛盾"],
    "neighbour": ["相邻通行纠纷", "排水纠纷", "院墙界址纠纷", "噪音纠纷", "树木遮挡纠纷"],
    "housing_land": ["宅基地边界纠纷", "房屋买卖纠纷", "房屋租赁纠纷", "建房占地纠纷"],
    "contract": ["买卖合同纠纷", "借款纠纷", "承揽合同纠纷", "农机作业款纠纷"],
    "business": ["合伙经营纠纷", "粮食收购款纠纷", "养殖合作纠纷"],
    "damages": ["人身损害赔偿纠纷", "财产损害赔偿纠纷", "牲畜损害庄稼纠纷"],
    "forest_land": ["土地承包经营权纠纷", "林地界址纠纷", "土地流转纠纷"],
    "expropriation": ["征地补偿款分配纠纷", "拆迁安置纠纷"],
    "environment": ["养殖污染纠纷", "粉尘噪声污染纠纷"],
    "labour": ["追索劳动报酬纠纷", "工伤待遇纠纷", "农民工工资纠纷"],
    "consumer": ["产品质量纠纷", "农资质量纠纷", "服务合同纠纷"],
    "medical": ["医疗损害赔偿纠纷"],
    "traffic": ["机动车交通事故责任纠纷", "非机动车交通事故纠纷"],
    "property_management": ["物业服务费纠纷", "小区停车纠纷"],
    "village_affairs": ["集体收益分配纠纷", "村务公开纠纷"],
    "other": ["其他民间纠纷"],
}
DETAILS = [
    "双方多次协商未果，矛盾有激化苗头",
    "经村调委会排查发现后介入",
    "一方情绪激动，曾发生口角",
    "双方均同意由调解委员会主持调解",
    "涉及金额不大，但双方积怨较深",
]
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
            "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔"
            "白崔康毛邱秦江史")  # fmt: skip
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰志强建华建国淑珍凤兰海燕"
         "文华红梅丽华春梅秀珍玉梅德胜长海宝山凤芝金凤玉珍立新国庆晓东晓明"
         "鹏飞春雨冬梅")  # fmt: skip
COMPANY_WORDS = ["宏达", "鑫源", "丰收", "金穗", "华盛", "兴农", "恒通", "盛世", "福源", "吉祥"]
COMPANY_KINDS = ["建筑有限公司", "农业发展有限公司", "物业服务有限公司", "商贸有限公司",
                 "农机专业合作社", "粮食收储有限公司", "汽车运输有限公司"]  # fmt: skip
TOWN_NAMES = ["城关镇", "郭家店镇", "榆树台镇", "孤家子镇", "小城子镇", "喇嘛甸镇", "蔡家镇",
              "十家堡镇", "孟家岭镇", "万发镇", "东河镇", "沈洋镇", "林海镇", "小宽镇",
              "白山乡", "金山乡", "四棵树乡", "双河乡"]  # fmt: skip
VILLAGE_WORDS = ["前进", "红光", "胜利", "太平", "永安", "长发", "兴隆", "富民", "和平", "新立",
                 "四合", "东升", "三家子", "八里庙", "大房身", "腰屯", "后窑", "靠山", "黑林子",
                 "榆树", "杨树", "双庙", "五台", "二龙", "七棵树"]  # fmt: skip
OTHER_REGIONS = ["220102", "220104", "220182", "220202", "220502", "220602", "210102",
                 "230102", "150102", "130102", "370102", "410102"]  # fmt: skip
COURT_PROCEDURES = {"classic": 70, "ordinary": 18, "simplified": 12}
PERFORMANCE = {"full": 86, "partial": 9, "none": 5}


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# ---- people --------------------------------------------------------------------------------


def person_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.7:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[min(rng.randrange(len(SURNAMES)), rng.randrange(len(SURNAMES)))] + given


def company_name(rng: random.Random, county: str) -> str:
    return county[:2] + rng.choice(COMPANY_WORDS) + rng.choice(COMPANY_KINDS)


def id_number(rng: random.Random, county_code: str) -> str:
    """A valid resident ID number: mostly born in this county, 1945–2005."""
    from mediation.identity import check_character

    region = county_code[:6] if rng.random() < 0.88 else rng.choice(OTHER_REGIONS)
    born = date(1945, 1, 1) + timedelta(days=rng.randrange(61 * 365))
    first17 = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


# ---- days ----------------------------------------------------------------------------------


@cache
def deadline(day: date, days: int) -> date:
    from mediation.deadlines import period_end

    return period_end(day, days).day


def accepted_days(rng: random.Random, n: int, today: date) -> list[date]:
    """n days over the last three years: about 10 % more cases each year, few on weekends."""
    start = today - timedelta(days=365 * YEARS_BACK)
    span = (today - start).days
    days = []
    while len(days) < n:
        offset = int(span * (rng.random() ** 0.9))  # denser towards today
        day = start + timedelta(days=offset + 1)
        if day > today or (day.weekday() >= 5 and rng.random() < 0.75):
            continue
        days.append(day)
    return sorted(days)


def stamp(day: date, n: int) -> datetime:
    """When something of ``day`` was entered: that day in office hours (Asia/Shanghai)."""
    seconds = 30_600 + (n * 37) % 30_000  # 08:30 … 16:50 local
    moment = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=8)
    return moment + timedelta(seconds=seconds)


def money(rng: random.Random) -> Decimal:
    value = min(500_000.0, rng.lognormvariate(8.6, 1.1))  # median about 5,400 yuan
    if rng.random() < 0.8:
        value = max(100, round(value, -2))
    return Decimal(f"{value:.2f}")  # as rules.check_amount stores it: quantized to the cent


# ---- the structure, through the use cases ----------------------------------------------------


async def seed_structure(
    slug: str, name: str, code: str, password_hash: str, password: str
) -> dict[str, Any]:
    from programs import services as programs
    from programs.schemas import ProgramCreate, StaffAdd
    from programs.tables import Program
    from tenants import repo, services
    from tenants.schemas import AreaCreate, MemberAreasSet, MemberCreate, TenantCreate
    from wusong.core import db
    from wusong.core.scoped import scoped
    from wusong.core.tenancy import system_context

    async with db.unit_of_work(writes=True):
        tenant = await services.create_tenant(TenantCreate(slug, name, code, *CITY))
    async with db.unit_of_work(writes=True, tenant_id=tenant.id):
        ctx = system_context(tenant, "bench")
        towns: list[dict[str, Any]] = []
        for t in range(TOWNSHIPS):
            town_code = f"{code[:6]}{100 + t:03d}000"
            town = await services.create_area(ctx, AreaCreate("township", TOWN_NAMES[t], town_code))
            villages = []
            for v in range(VILLAGES):
                word = VILLAGE_WORDS[(t * 7 + v) % len(VILLAGE_WORDS)]
                area = AreaCreate("village", f"{word}村", f"{town_code[:9]}{200 + v:03d}",
                                  parent_id=town.id)  # fmt: skip
                villages.append(await services.create_area(ctx, area))
            towns.append({"id": town.id, "name": town.name, "villages": villages})

        async def member(username: str, display: str, role: str) -> dict[str, Any]:
            data = MemberCreate(username, display, role, password)
            membership = await services.create_member(
                ctx, data, must_change_password=False, password_hash=password_hash
            )
            user = await repo.user_by_username(username)
            assert user is not None
            # the product stores ctx.actor_name (the username) in every *_name column
            return {"membership": membership, "user": user.id, "username": username}

        admin = await member(f"{slug}-admin", "管理员" + name[:2], "admin")
        reviewer = await member(f"{slug}-court", "审查员" + name[:2], "court_reviewer")
        mediators = []
        rng = random.Random(f"{slug}-mediators")
        for m in range(TOWNSHIPS + 1):
            mediator = await member(f"{slug}-m{m:02d}", person_name(rng), "mediator")
            scope = MemberAreasSet(county=True) if m == 0 else MemberAreasSet(
                county=False, area_ids=[towns[m - 1]["id"]]
            )  # fmt: skip
            await services.set_member_areas(ctx, mediator["membership"], scope)
            mediators.append(mediator)
        studio = await programs.create_program(
            ctx,
            ProgramCreate(
                kind="mediation_studio",
                name=f"{towns[0]['name']}老娘舅调解工作室",
                area_ids=[v.id for v in towns[0]["villages"]],
                config={
                    "host_tribunal": f"{name}人民法院{towns[0]['name'][:2]}法庭",
                    "activity_kinds": ["consultation", "guidance"],
                },
                starts_on=date(2022, 1, 1),
            ),
        )
        await scoped(ctx, Program).update({Program.status: "active"}).where(Program.id == studio.id)
        await programs.add_staff(ctx, studio.id, StaffAdd(mediators[1]["membership"]))
    return {
        "tenant": tenant,
        "towns": towns,
        "admin": admin,
        "reviewer": reviewer,
        "mediators": mediators,
        "studio": studio.id,
    }


# ---- the volume ------------------------------------------------------------------------------

CASE_COLUMNS = (
    "id", "tenant", "case_no", "case_year", "case_seq", "category", "source", "area",
    "program", "mediator", "title", "facts", "claims", "party_names", "status", "accepted_on",
    "due_on", "closed_on", "outcome_reason", "outcome_note", "amount_agreed", "referring_court",
    "court_ref_no", "referral_date", "procedure", "extended_on", "extension_note",
    "undisputed_facts", "returned_on", "created_by", "created_by_name", "created_at",
    "updated_at", "version",
)  # fmt: skip
PARTY_COLUMNS = (
    "id", "tenant", "case", "role", "kind", "name", "id_cipher", "id_hash", "id_masked",
    "mobile", "address", "agent_name", "agent_mobile", "position", "created_at", "version",
)  # fmt: skip
SESSION_COLUMNS = ("id", "tenant", "case", "held_on", "place", "mode", "attendees", "record",
                   "recorded_by", "recorded_by_name", "created_at")  # fmt: skip
AGREEMENT_COLUMNS = (
    "id", "tenant", "case", "version_no", "supersedes", "status", "facts", "issues",
    "responsibilities", "signed_on", "effective_on", "amount_total", "created_by_name",
    "created_at", "updated_at", "version",
)  # fmt: skip
TERM_COLUMNS = ("id", "tenant", "agreement", "obligor", "obligation", "amount", "way", "place",
                "deadline", "position")  # fmt: skip
SIGNATURE_COLUMNS = ("id", "tenant", "agreement", "signer", "party", "method", "signed_on",
                     "recorded_by_name", "created_at")  # fmt: skip
FOLLOWUP_COLUMNS = ("id", "tenant", "case", "visited_on", "performance", "note",
                    "recorded_by_name", "created_at")  # fmt: skip
CONFIRMATION_COLUMNS = (
    "id", "tenant", "case", "agreement", "court", "applied_on", "status", "court_case_no",
    "accepted_on", "decided_on", "refusal_reason", "note", "created_at", "updated_at", "version",
)  # fmt: skip
DECISION_COLUMNS = ("id", "tenant", "case", "confirmation", "decision", "court_case_no",
                    "reason", "note", "decided_on", "decided_by", "decided_by_name",
                    "created_at")  # fmt: skip
COUNTER_COLUMNS = ("id", "tenant", "year", "last_seq")
AUDIT_COLUMNS = ("id", "tenant", "seq", "at", "actor_id", "actor_name", "action",
                 "object_type", "object_id", "diff", "prev_hash", "hash", "key_id")  # fmt: skip


class Volume:
    """The generated rows of one county, table by table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {
            name: []
            for name in ("cases", "case_parties", "case_sessions", "case_agreements",
                         "agreement_terms", "agreement_signatures", "case_followups",
                         "case_confirmations", "court_decisions", "case_counters")
        }  # fmt: skip
        self.sample: dict[str, Any] = {}


def generate_volume(
    rng: random.Random, s: dict[str, Any], n: int, today: date, sample_every: int = 997
) -> Volume:
    """Every row of ``n`` cases of one county (the structure ``s`` from seed_structure)."""
    from mediation.config import MediationConfig, case_number
    from mediation.identity import encrypt_id_number, id_number_hash, mask_id_number

    tenant = s["tenant"]
    tid, tname, code = tenant.id, tenant.name, tenant.division_code
    config = MediationConfig()
    out = Volume()
    court_name = f"{tname}人民法院"
    categories = list(CATEGORY_WEIGHTS)
    category_cum = list(itertools.accumulate(CATEGORY_WEIGHTS.values()))
    # villages weighted (some have many more disputes than others)
    villages = [(town_no, v) for town_no, town in enumerate(s["towns"]) for v in town["villages"]]
    village_cum = list(itertools.accumulate(rng.paretovariate(1.5) for _ in villages))
    days = accepted_days(rng, n, today)
    seq_of_year: dict[int, int] = {}
    for n_case, accepted in enumerate(days):
        year = accepted.year
        seq = seq_of_year[year] = seq_of_year.get(year, 0) + 1
        case_id = new_id(rng)
        category = categories[bisect.bisect(category_cum, rng.random() * category_cum[-1])]
        source = pick(rng, SOURCE_WEIGHTS)
        town_no, village = villages[bisect.bisect(village_cum, rng.random() * village_cum[-1])]
        town = s["towns"][town_no]
        mediator = s["mediators"][0 if rng.random() < 0.12 else town_no + 1]
        program = s["studio"] if town_no == 0 and rng.random() < 0.4 else None
        title = rng.choice(TITLES[category])
        created_at = stamp(accepted, n_case)
        # the period: a court referral's by its procedure, any other case the usual one
        referral: dict[str, Any] = {}
        if source == "court":
            procedure = pick(rng, COURT_PROCEDURES)
            days_allowed = getattr(config, f"{procedure}_days")
            referral = {
                "referring_court": court_name if rng.random() < 0.6
                else f"{court_name}{town['name'][:2]}法庭",
                "court_ref_no": f"（{year}）吉{code[2:6]}民诉前调{rng.randrange(1, 4000)}号",
                "referral_date": accepted - timedelta(days=rng.choice([0, 0, 1, 2])),
                "procedure": procedure,
            }  # fmt: skip
        else:
            days_allowed = config.usual_days
        # services._due_on: a referral's period runs from the referral date
        due_on = deadline(referral.get("referral_date", accepted), days_allowed)
        # the outcome, by age
        age = (today - accepted).days
        p_open = 0.9 if age < 15 else 0.4 if age < 45 else 0.015
        status, closed_on, reason = "open", None, ""
        if rng.random() >= p_open:
            status = pick(rng, OUTCOME_WEIGHTS)
            span = rng.choice([rng.randint(0, 3), rng.randint(4, 10), rng.randint(11, 28),
                               rng.randint(11, 28), rng.randint(29, 60)])  # fmt: skip
            closed_on = min(accepted + timedelta(days=min(span, age)), today)
            if status in {"failed", "litigation"}:
                reason = pick(rng, FAILURE_WEIGHTS)
        # parties
        applicant = (person_name(rng), "person")
        if rng.random() < ORGANISATION_RESPONDENT.get(category, 0.0):
            respondent = (company_name(rng, tname), "organisation")
        else:
            respondent = (person_name(rng), "person")
        party_ids = []
        for position, ((name, kind), role) in enumerate(
            ((applicant, "applicant"), (respondent, "respondent"))
        ):
            party_id = new_id(rng)
            party_ids.append(party_id)
            cipher = hashed = masked = ""
            if kind == "person" and rng.random() < 0.93:
                number = id_number(rng, code)
                cipher = encrypt_id_number(tid, number)
                hashed = id_number_hash(tid, number)
                masked = mask_id_number(number)
                if n_case % sample_every == 0 and "id_number" not in out.sample:
                    out.sample["id_number"] = number
            phone = mobile(rng) if kind == "person" or rng.random() < 0.5 else ""
            address = f"{tname}{town['name']}{village.name}{rng.randint(1, 12)}组"
            agent = ("", "")
            if rng.random() < 0.06:
                agent = (person_name(rng), mobile(rng))
            out.rows["case_parties"].append(
                (party_id, tid, case_id, role, kind, name, cipher, hashed, masked, phone,
                 address, agent[0], agent[1], position, created_at, 1)
            )  # fmt: skip
        party_names = f"{applicant[0]} {respondent[0]}"
        facts = (f"{applicant[0]}与{respondent[0]}因{title.removesuffix('纠纷')}问题发生争议，"
                 f"{rng.choice(DETAILS)}。")  # fmt: skip
        claims = f"请求{respondent[0]}" + (
            f"支付相关款项{money(rng)}元。" if category in MONEY else "停止侵害、消除影响。"
        )
        version = 1
        amount_agreed: Decimal | None = None
        mediator_name = mediator["username"]
        # sessions: closed cases had one or two, open ones maybe one so far
        held = []
        if closed_on is not None:
            held = (
                [closed_on]
                if rng.random() < 0.6
                else [accepted + timedelta(days=(closed_on - accepted).days // 2), closed_on]
            )
        elif age > 3 and rng.random() < 0.5:
            held = [accepted + timedelta(days=rng.randint(1, min(age, 20)))]
        for h, held_on in enumerate(held):
            out.rows["case_sessions"].append(
                (new_id(rng), tid, case_id, held_on, f"{village.name}调解室",
                 rng.choice(["on_site", "on_site", "on_site", "phone", "online"]), party_names,
                 f"第{h + 1}次调解：听取双方陈述，释法说理，{rng.choice(DETAILS)}。",
                 mediator["user"], mediator_name, stamp(held_on, n_case + h))
            )  # fmt: skip
        if status in {"settled", "partly_settled"} and closed_on is not None:
            amount_agreed = add_agreement(
                rng, out, s, tid, case_id, party_ids, category, closed_on, today,
                mediator_name, party_names, n_case,
            )  # fmt: skip
            version += 3  # the agreement drafted, signed (effective), the outcome recorded
        elif status != "open":
            version += 1  # the outcome recorded
        returned_on: date | None = None
        undisputed = ""
        if referral and status in {"failed", "litigation"}:
            returned_on = closed_on
            if rng.random() < 0.5:
                undisputed = (
                    f"双方对{title.removesuffix('纠纷')}的基本事实无争议，争议在于责任与金额。"
                )
        case_no = case_number(config, tname, year, seq)
        out.rows["cases"].append(
            (case_id, tid, case_no, year, seq, category, source, village.id, program,
             mediator["membership"], title, facts, claims, party_names, status, accepted, due_on,
             closed_on, reason, "" if status == "open" else f"{s_label(status)}。", amount_agreed,
             referral.get("referring_court", ""), referral.get("court_ref_no", ""),
             referral.get("referral_date"), referral.get("procedure", ""), None, "",
             undisputed, returned_on, mediator["user"], mediator_name, created_at,
             stamp(closed_on, n_case) if closed_on else created_at, version)
        )  # fmt: skip
        if n_case % sample_every == 0:
            out.sample.setdefault("party_name", applicant[0])
    for year, last in sorted(seq_of_year.items()):
        out.rows["case_counters"].append((new_id(rng), tid, year, last))
    out.sample["years"] = dict(sorted(seq_of_year.items()))
    return out


def s_label(status: str) -> str:
    from mediation.status import STATUSES

    return STATUSES[status]


def add_agreement(
    rng: random.Random,
    out: Volume,
    s: dict[str, Any],
    tid: uuid.UUID,
    case_id: uuid.UUID,
    party_ids: Sequence[uuid.UUID],
    category: str,
    effective: date,
    today: date,
    mediator_name: str,
    party_names: str,
    n: int,
) -> Decimal | None:
    """An effective agreement (terms, every signature), follow-ups, maybe a confirmation."""
    from mediation.categories import STANDARD_CATEGORIES

    agreement_id = new_id(rng)
    at = stamp(effective, n)
    terms, total = [], Decimal("0.00")
    if category in MONEY or rng.random() < 0.3:
        for position in range(rng.choice([1, 1, 1, 2])):
            amount = money(rng)
            total += amount
            due = effective + timedelta(days=rng.choice([0, 7, 15, 30, 30, 60, 90]))
            terms.append((new_id(rng), tid, agreement_id, party_ids[1],
                          f"一次性支付{party_names.split()[0]}{amount}元", amount,
                          rng.choice(["银行转账", "现金", "微信转账"]), "调解委员会", due,
                          position))  # fmt: skip
    else:
        due = effective + timedelta(days=rng.choice([7, 15, 30]))
        terms.append((new_id(rng), tid, agreement_id, party_ids[1],
                      "停止侵害，恢复原状，今后互谅互让、和睦相处", None, "自行履行",
                      "现场", due, 0))  # fmt: skip
    out.rows["agreement_terms"].extend(terms)
    out.rows["case_agreements"].append(
        (agreement_id, tid, case_id, 1, None, "effective", f"{party_names}之间的纠纷事实清楚。",
         "双方争议焦点为责任划分及赔偿数额。", "双方各负相应责任。", effective, effective, total,
         mediator_name, at, at, 2)
    )  # fmt: skip
    for position, party_id in enumerate(party_ids):
        method = "fingerprint" if rng.random() < 0.3 else "sign"
        out.rows["agreement_signatures"].append(
            (new_id(rng), tid, agreement_id, "party", party_id, method, effective, mediator_name,
             at + timedelta(minutes=position))
        )  # fmt: skip
    out.rows["agreement_signatures"].append(
        (new_id(rng), tid, agreement_id, "mediator", None, "sign", effective, mediator_name, at)
    )
    out.rows["agreement_signatures"].append(
        (new_id(rng), tid, agreement_id, "seal", None, "seal", effective, mediator_name, at)
    )
    last_due = max(t[8] for t in terms)
    if last_due < today and rng.random() < 0.85:
        visited = min(today, last_due + timedelta(days=rng.randint(1, 20)))
        performance = pick(rng, PERFORMANCE)
        out.rows["case_followups"].append(
            (new_id(rng), tid, case_id, visited, performance,
             {"full": "已全部履行", "partial": "已部分履行，剩余款项约定下月支付",
              "none": "尚未履行，已督促"}[performance], mediator_name, stamp(visited, n))
        )  # fmt: skip
    confirmable = next(c.confirmable for c in STANDARD_CATEGORIES if c.code == category)
    if confirmable and rng.random() < 0.12:
        add_confirmation(rng, out, s, tid, case_id, agreement_id, effective, today, n)
    return total if total else None


def add_confirmation(
    rng: random.Random,
    out: Volume,
    s: dict[str, Any],
    tid: uuid.UUID,
    case_id: uuid.UUID,
    agreement_id: uuid.UUID,
    effective: date,
    today: date,
    n: int,
) -> None:
    tenant = s["tenant"]
    applied = effective + timedelta(days=rng.randint(1, 25))
    if applied > today:
        return
    reviewer = s["reviewer"]
    confirmation_id = new_id(rng)
    status, number, accepted, decided = "applied", "", None, None
    decisions = []
    if (today - applied).days > 3:
        accepted = applied + timedelta(days=rng.randint(1, 3))
        number = f"（{accepted.year}）{tenant.name[:1]}调确字第{rng.randrange(1, 900):04d}号"
        status = "accepted"
        decisions.append(("accepted", accepted))
        if (today - accepted).days > 15:
            decided = accepted + timedelta(days=rng.randint(3, 15))
            status = "confirmed"
            decisions.append(("confirmed", decided))
    out.rows["case_confirmations"].append(
        (confirmation_id, tid, case_id, agreement_id, f"{tenant.name}人民法院", applied, status,
         number, accepted, decided, "", "", stamp(applied, n),
         stamp(decided or accepted or applied, n), 1 + len(decisions))
    )  # fmt: skip
    for decision, day in decisions:
        out.rows["court_decisions"].append(
            (new_id(rng), tid, case_id, confirmation_id, decision, number, "", "", day,
             reviewer["user"], reviewer["username"], stamp(day, n))
        )  # fmt: skip


def audit_rows(
    s: dict[str, Any], cases: list[tuple[Any, ...]], head: tuple[int, str] | None
) -> list[tuple[Any, ...]]:
    """One ``case.create`` event per case, appended to the county's chain after ``head`` (seq,
    hash) exactly as tenants.audit.record links an event."""
    from mediation.categories import SOURCES, STANDARD_CATEGORIES
    from mediation.identity import mask_name
    from tenants import audit

    names = {c.code: c.name for c in STANDARD_CATEGORIES}

    key = audit.current_key()
    seq, prev = head if head else (0, audit.GENESIS)
    tid = s["tenant"].id
    rows = []
    by_user = {m["user"]: m for m in s["mediators"]}
    for case in sorted(cases, key=lambda c: c[31]):  # by created_at
        seq += 1
        # the diff of services.create_case: names masked, the category by its name
        diff = {"case_no": case[2], "category": names[case[5]], "source": SOURCES[case[6]],
                "parties": [mask_name(p) for p in case[13].split(" ")],
                "due_on": case[16]}  # fmt: skip
        row = {
            "tenant": tid, "seq": seq, "at": case[31], "actor_id": case[29],
            "actor_name": by_user[case[29]]["username"], "action": "case.create",
            "object_type": "case", "object_id": str(case[0]),
            "diff": audit._jsonable(audit.mask_diff(diff)),
        }  # fmt: skip
        digest = audit.keyed_hash(key, prev, audit._event_body(row))
        rows.append(
            (uuid.uuid4(), tid, seq, row["at"], row["actor_id"], row["actor_name"],
             "case.create", "case", row["object_id"], json.dumps(row["diff"], ensure_ascii=False),
             prev, digest, key.id)
        )  # fmt: skip
        prev = digest
    return rows


async def bulk(connection: Any, table: str, columns: Sequence[str], rows: list[Any]) -> None:
    """Insert ``rows`` in batches of 5,000. PostgreSQL: one ``INSERT … SELECT FROM unnest()`` of
    one array per column per batch (COPY is refused on tables under row-level security, and an
    executemany costs the server one statement per row); SQLite: ``executemany``, which runs in
    C. Either way the values are bound parameters, converted as the product's own queries."""
    from wusong.core.db import is_postgres

    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    if is_postgres():
        types = await column_types(connection, table)
        arrays = ", ".join(f"${i}::{types[c]}[]" for i, c in enumerate(columns, 1))
        statement = f'INSERT INTO "{table}" ({names}) SELECT * FROM unnest({arrays})'
        for start in range(0, len(rows), 5_000):
            batch = rows[start : start + 5_000]
            await connection.execute(
                statement, *(list(column) for column in zip(*batch, strict=True))
            )
        return
    marks = ", ".join("?" for _ in columns)
    statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    for start in range(0, len(rows), 5_000):
        await connection.executemany(statement, rows[start : start + 5_000])


async def column_types(connection: Any, table: str) -> dict[str, str]:
    rows = await connection.fetch(
        "SELECT a.attname, format_type(a.atttypid, NULL) AS type FROM pg_attribute a "
        "WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        table,
    )
    return {r["attname"]: r["type"] for r in rows}


TABLE_COLUMNS = {
    "cases": CASE_COLUMNS,
    "case_parties": PARTY_COLUMNS,
    "case_sessions": SESSION_COLUMNS,
    "case_agreements": AGREEMENT_COLUMNS,
    "agreement_terms": TERM_COLUMNS,
    "agreement_signatures": SIGNATURE_COLUMNS,
    "case_followups": FOLLOWUP_COLUMNS,
    "case_confirmations": CONFIRMATION_COLUMNS,
    "court_decisions": DECISION_COLUMNS,
    "case_counters": COUNTER_COLUMNS,
}


async def generate(
    total: int = 100_000, seed: int = 7, password: str | None = None, log: Any = print
) -> list[dict[str, Any]]:
    """Fill the started database with the counties of TENANTS (scaled to ``total`` cases);
    one entry per county: ids, usernames, the villages and a sample party name and ID number."""
    from tenants.security import hash_password
    from tenants.tables import AuditEvent
    from wusong.core import db
    from wusong.core.clock import local_today
    from wusong.core.scoped import scoped
    from wusong.core.tenancy import system_context

    password = password or secrets.token_urlsafe(16)
    password_hash = await hash_password(password)
    scale = total / sum(t[3] for t in TENANTS)
    today = local_today()
    made = []
    for index, (slug, name, code, n) in enumerate(TENANTS):
        rng = random.Random(seed * 1000 + index)
        clock = time_module.perf_counter
        started = clock()
        s = await seed_structure(slug, name, code, password_hash, password)
        structured = clock()
        volume = generate_volume(rng, s, round(n * scale), today)
        generated = clock()
        async with db.unit_of_work(writes=True, tenant_id=s["tenant"].id) as unit:
            ctx = system_context(s["tenant"], "bench")
            head = await (
                scoped(ctx, AuditEvent)
                .select(AuditEvent.seq, AuditEvent.hash)
                .order_by(AuditEvent.seq, ascending=False)
                .first()
            )
            events = audit_rows(
                s, volume.rows["cases"], (head["seq"], head["hash"]) if head else None
            )
            connection = unit.transaction.connection
            for table, columns in TABLE_COLUMNS.items():
                await bulk(connection, table, columns, volume.rows[table])
            await bulk(connection, "audit_events", AUDIT_COLUMNS, events)
        counts = {t: len(r) for t, r in volume.rows.items()}
        busiest = Counter(c[7] for c in volume.rows["cases"]).most_common(1)[0][0]
        log(f"  {slug}: {counts['cases']} cases, {counts['case_parties']} parties, "
            f"{counts['case_agreements']} agreements, {counts['case_confirmations']} "
            f"confirmations, {len(events)} audit events; structure through the use cases "
            f"{structured - started:.1f} s, rows computed {generated - structured:.1f} s, "
            f"inserted {clock() - generated:.1f} s")  # fmt: skip
        made.append({
            "slug": slug,
            "name": name,
            "tenant_id": str(s["tenant"].id),
            "password": password,
            "admin": f"{slug}-admin",
            "mediator": f"{slug}-m00",
            "reviewer": f"{slug}-court",
            "division_code": code,
            "villages": [str(v.id) for town in s["towns"] for v in town["villages"]],
            "busiest_village": str(busiest),
            "studio": str(s["studio"]),
            "sample": volume.sample,
            "counts": counts,
        })  # fmt: skip
    return made


async def analyze() -> None:
    """Fresh statistics for the planner (PostgreSQL: as the owner, who may VACUUM)."""
    from wusong.core import db
    from wusong.core.settings import get_settings

    settings = get_settings()
    if db.is_postgres():
        async with db.as_owner(settings):
            await db.get_engine().run_ddl("VACUUM ANALYZE")
    else:
        await db.start(settings)
        try:
            await db.get_engine().run_ddl("ANALYZE")
        finally:
            await db.stop()


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    import wusong  # noqa: F401  (sets PICCOLO_CONF)
    from wusong.core import db
    from wusong.core.settings import get_settings
    from wusong.migrate import migrate_all

    settings = get_settings()
    async with db.as_owner(settings):
        await migrate_all(settings)
    await db.start(settings)
    try:
        made = await generate(args.cases, args.seed, args.password, log=print)
    finally:
        await db.stop()
    await analyze()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in all (100000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument("--password", default=None, help="every generated user's password")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    made = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(made, ensure_ascii=False))
    else:
        for county in made:
            print(f"{county['slug']} ({county['name']}): {county['counts']['cases']} cases; "
                  f"users {county['admin']}, {county['mediator']}, {county['reviewer']}, "
                  f"password {county['password']}")  # fmt: skip


if __name__ == "__main__":
    main()
