"""Program pages and the tenant dashboard under bounded load, on SQLite and PostgreSQL, in one run
with the foundation's bare-SELECT route; and the query plans of the pages' queries.

    .venv/bin/python benchmarks/bench_programs.py [--duration 15] [--users 20] [--think 1.0]
        [--databases sqlite,postgres]

Generator: 5 tenants, each with 50,000 activity records (studio, shared court, help team),
5,000 red-property inspections of 250 complexes (and 600 complaints) and 20,000 banquet
declarations of 20 villages' rule sets, 12 no-litigation pilot villages with five years of
counts, 2022 … 2026. The first tenant is the one measured; the other four are there so that a
query that forgets its tenant, or scans instead of seeking, pays for it. Rule sets, pilots and
counts go through the use cases; the volume is bulk-inserted with the values the use cases
store (ratings computed under the rubric, declarations checked against the version in force).
Before any timing each page is fetched once: it must answer 200 and show the seeded figures
of 2025 (records, inspections, declarations, lawsuits), so no page is measured empty.

Load: ``--users`` signed-in browsers (20), each on its own connection, each requesting the page
again ``--think`` seconds (on average, jittered ±50 %) after the previous answer (1 s: twenty
people each opening a page about once a second): a bounded load (at most 20 requests in flight,
at most ~20 requests/s), not a saturation test. With ``--think 0.25`` the offered load (~80/s)
exceeds what one process serves on this machine for the heavier pages, and the figures measure
queueing instead.
Latency is measured per request from send to last byte; p50/p99 over ``--duration`` seconds.

On PostgreSQL the run then loads ``auto_explain`` for the runtime role, requests each page once
and prints the plan of every query that touches a program table, flagging any sequential scan.
Everything the run creates is named after its process id and removed at the end (bench_api.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # the foundation's harness: server, roles, bare-SELECT route
from bench_api import PG_LOG, ROLE, Server, pg_admin, pg_drop, pg_prepare, run

TENANTS = [
    ("bench", "220322000000"),
    ("bench-b", "220382000000"),
    ("bench-c", "220323000000"),
    ("bench-d", "220303000000"),
    ("bench-e", "220302000000"),
]
ACTIVITIES, INSPECTIONS, DECLARATIONS = 50_000, 5_000, 20_000
COMPLEXES, VILLAGES, PILOTS, COMPLAINTS = 250, 20, 12, 600
YEARS = (2022, 2023, 2024, 2025, 2026)
GOAL_P99_MS = {"sqlite": 400.0, "postgres": 200.0}
PASSWORD = secrets.token_urlsafe(16)
RNG = random.Random(7)
# Figures of the measured period (2025) the pages must show, by page label: seeded, then checked
# in the pages' HTML before any timing (a page of zeros would measure nothing).
FIGURES: dict[str, set[int]] = {}
MEASURED = date(2025, 1, 1), date(2026, 1, 1)


def expect(page: str, *values: int) -> None:
    FIGURES.setdefault(page, set()).update(values)


def measured(day: date) -> bool:
    return MEASURED[0] <= day < MEASURED[1]


def day_in(year: int) -> date:
    last = date(2026, 11, 20) if year == 2026 else date(year, 12, 31)
    start = date(year, 1, 1)
    return start + timedelta(days=RNG.randrange((last - start).days + 1))


# ---- the generator ---------------------------------------------------------------------------


async def seed() -> dict[str, Any]:
    import wusong  # noqa: F401  (sets PICCOLO_CONF)
    from wusong.core import db
    from wusong.core.settings import get_settings
    from wusong.migrate import migrate_all, runtime_role

    settings = get_settings()
    async with db.as_owner(settings):
        await migrate_all(settings)
    await db.start(settings)
    info: dict[str, Any] = {}
    try:
        for index, (slug, code) in enumerate(TENANTS):
            measured = await seed_tenant(slug, code, first=index == 0)
            if index == 0:
                info = measured
    finally:
        await db.stop()
    engine = db.get_engine()
    if db.is_postgres():
        async with db.as_owner(settings):
            await engine.run_ddl("CREATE TABLE bench_areas (LIKE areas INCLUDING ALL)")
            await engine.run_ddl("INSERT INTO bench_areas SELECT * FROM areas")
            await engine.run_ddl(f"GRANT SELECT ON bench_areas TO {runtime_role(settings)}")
            await engine.run_ddl("VACUUM ANALYZE")
    else:
        await db.start(settings)
        await engine.run_ddl("ANALYZE")
        await db.stop()
    return info


async def seed_tenant(slug: str, code: str, *, first: bool) -> dict[str, Any]:
    """One tenant: areas, members, one program of each type and their records."""
    from programs import services as programs
    from programs.schemas import ProgramCreate
    from programs.tables import Program
    from tenants import services
    from tenants.schemas import AreaCreate, MemberCreate, TenantCreate
    from wusong.core import db
    from wusong.core.scoped import scoped
    from wusong.core.tenancy import system_context

    FIGURES.clear()
    async with db.unit_of_work(writes=True):
        tenant = await services.create_tenant(TenantCreate(slug, f"压测{slug}", code, "四平市",
                                                           "220300000000"))  # fmt: skip
    async with db.unit_of_work(writes=True, tenant_id=tenant.id) as unit:
        ctx = system_context(tenant, "bench")
        villages = []
        for t in range(1, 3):
            town = await services.create_area(
                ctx, AreaCreate("township", f"第{t}镇", f"{code[:6]}{100 + t:03d}000")
            )
            for v in range(1, VILLAGES // 2 + 1):
                village = await services.create_area(
                    ctx,
                    AreaCreate(
                        "village",
                        f"第{t}镇{v}村",
                        f"{code[:6]}{100 + t:03d}{200 + v:03d}",
                        parent_id=town.id,
                    ),
                )
                villages.append(village.id)
        if first:
            admin = MemberCreate("bench-admin", "压测管理员", "admin", PASSWORD)
            await services.create_member(ctx, admin, must_change_password=False)
        made: dict[str, Any] = {}
        for kind, name in (
            ("mediation_studio", "压测调解工作室"),
            ("shared_court", "压测共享法庭"),
            ("help_team", "压测帮帮团"),
            ("no_litigation_village", "压测无讼村"),
            ("red_property", "压测红色物业"),
            ("village_rules", "压测村规民约"),
        ):
            program = await programs.create_program(
                ctx,
                ProgramCreate(
                    kind=kind,
                    name=name,
                    area_ids=list(villages),
                    config=bench_config(kind),
                    starts_on=date(2022, 1, 1),
                ),
            )
            await (
                scoped(ctx, Program)
                .update({Program.status: "active"})
                .where(Program.id == program.id)
            )
            made[kind] = program.id
        connection = unit.transaction.connection
        await seed_activities(connection, tenant.id, made, villages)
        await seed_slices(ctx, connection, tenant.id, made, villages)
    return {
        "slug": slug,
        "tenant_id": str(tenant.id),
        "programs": {k: str(v) for k, v in made.items()},
        "village": str(villages[0]),
        "figures": {page: sorted(values) for page, values in FIGURES.items()},
    }


ALL_ACTIVITIES = ["consultation", "guidance", "post_judgment_qa", "legal_education",
                  "online_filing", "online_hearing"]  # fmt: skip
RED_PROPERTY_RUBRIC: dict[str, Any] = {
    "criteria": [
        {"name": "党建引领", "weight": 20},
        {"name": "服务质量", "weight": 25},
        {"name": "设施设备维护", "weight": 20},
        {"name": "环境卫生", "weight": 15},
        {"name": "安全秩序", "weight": 10},
        {"name": "收费公示", "weight": 10},
    ],
    "vetoes": [{"name": "业主满意度低于80%"}, {"name": "发生重大安全责任事故"}],
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
OCCASIONS = ["婚嫁", "丧葬", "升学", "参军", "乔迁", "寿宴"]
ARTICLES = [
    "为推进移风易俗、树立文明乡风，经村民代表会议讨论通过，制定本村规民约。",
    "倡导婚事新办、丧事简办、其他事不办，反对大操大办、铺张浪费。",
    "婚嫁、丧葬、升学、参军可以办席，其他事宜不办宴席；办席前向村红白理事会申报。",
    "宴席规模每场不超过20桌，每桌标准不超过300元（含酒水）。",
    "宴席一律在村食堂举办，由村红白理事会统一服务。",
    "本村规民约自公布之日起施行，由村民委员会负责解释。",
]


def bench_config(kind: str) -> dict[str, Any]:
    """A complete configuration of each type, as the demos and the settings forms save them."""
    configs: dict[str, dict[str, Any]] = {
        "mediation_studio": {"host_tribunal": "压测法庭", "activity_kinds": ALL_ACTIVITIES},
        "shared_court": {
            "site_level": "village",
            "functions": [
                "mediation_guidance",
                "online_filing",
                "online_litigation",
                "legal_education",
                "grassroots_governance",
            ],
            "activity_kinds": ALL_ACTIVITIES,
        },
        "help_team": {"team_type": "dispute_help", "activity_kinds": ALL_ACTIVITIES},
        "no_litigation_village": {
            "granularity": "year",
            "indicators": ["lawsuits", "rate", "settled"],
            "max_lawsuits": 1,
            "max_rate_per_10k": "3",
            "min_settled_percent": 90,
        },
        "red_property": RED_PROPERTY_RUBRIC,
        "village_rules": {
            "majority": "half",
            "quorum": 0,
            "occasions": OCCASIONS,
            "declare_days_ahead": 365,
        },
    }
    return json.loads(json.dumps(configs[kind]))  # a fresh copy each time


async def seed_activities(
    connection: Any, tenant_id: uuid.UUID, programs: dict[str, uuid.UUID], villages: list[Any]
) -> None:
    from wusong.core.db import is_postgres

    kinds = ["consultation", "guidance", "post_judgment_qa", "legal_education", "online_filing",
             "online_hearing"]  # fmt: skip
    hosts = [programs["mediation_studio"], programs["shared_court"], programs["help_team"]]
    now = datetime.now(UTC)
    rows = [
        (uuid.uuid4(), tenant_id, RNG.choice(hosts), RNG.choice(villages), RNG.choice(kinds),
         day_in(RNG.choice(YEARS)), RNG.randint(1, 30), "压测", None, "压测", now, 1)
        for _ in range(ACTIVITIES)
    ]  # fmt: skip
    columns = ("id, tenant, program, area, kind, occurred_on, people, note, recorded_by, "
               "recorded_by_name, created_at, version")  # fmt: skip
    marks = ", ".join(f"${i}" if is_postgres() else "?" for i in range(1, 13))
    await connection.executemany(
        f"INSERT INTO program_activities ({columns}) VALUES ({marks})", rows
    )
    for kind, program_id in programs.items():
        if program_id in hosts:  # records of the first kind in 2025, as the program page shows
            found = [r for r in rows if r[2] == program_id and r[4] == kinds[0] and measured(r[5])]
            expect(f"program page: {kind}", len(found), sum(r[6] for r in found))


async def seed_slices(
    ctx: Any,
    connection: Any,
    tenant_id: uuid.UUID,
    programs: dict[str, uuid.UUID],
    villages: list[Any],
) -> None:
    """Red property (complexes, inspections, complaints), village rules (rule sets with published
    versions, declarations) and no-litigation pilots with their yearly counts.

    The few structural records go through the use cases (their validation, steps and audit);
    the volume (inspections, declarations, complaints) is bulk-inserted with exactly the values
    the use cases store: the rating computed under the rubric, the findings of the declaration
    checked against the version in force on the banquet's day.
    """
    await seed_red_property(connection, tenant_id, programs["red_property"], villages)
    await seed_village_rules(ctx, connection, tenant_id, programs["village_rules"], villages)
    await seed_no_litigation(ctx, programs["no_litigation_village"], villages)


def marks(n: int) -> str:
    from wusong.core.db import is_postgres

    return ", ".join(f"${i}" if is_postgres() else "?" for i in range(1, n + 1))


def stamp(day: date, n: int) -> datetime:
    """When a record of ``day`` was entered: that day, in office hours."""
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC) + timedelta(seconds=n)


async def seed_red_property(
    connection: Any, tenant_id: uuid.UUID, program_id: uuid.UUID, villages: list[Any]
) -> None:
    """250 complexes, 20 inspections each (about four a year), and 600 complaints."""
    from programs.red_property.config import decode, rate
    from programs.red_property.services import add_months

    config = decode(RED_PROPERTY_RUBRIC)
    now = datetime.now(UTC)
    complexes = [
        (uuid.uuid4(), tenant_id, program_id, villages[n % len(villages)], f"压测小区{n + 1:03d}",
         f"压测路 {n + 1} 号", "压测物业服务有限公司", RNG.randrange(120, 1800, 6), True, now,
         now, 1)
        for n in range(COMPLEXES)
    ]  # fmt: skip
    columns = ("id, tenant, program, area, name, address, company, households, active, "
               "created_at, updated_at, version")  # fmt: skip
    await connection.executemany(
        f"INSERT INTO red_property_complexes ({columns}) VALUES ({marks(12)})", complexes
    )
    inspections, ratings = [], []
    per_complex = INSPECTIONS // COMPLEXES
    for n, row in enumerate(complexes):
        complex_id, quality = row[0], RNG.uniform(0.5, 0.95)
        days: set[date] = set()
        while len(days) < per_complex:
            days.add(day_in(YEARS[len(days) * len(YEARS) // per_complex]))
        latest: tuple[Any, ...] = ()
        for k, day in enumerate(sorted(days)):
            quality = min(quality + 0.01, 0.99)
            scores = [max(0, min(c.weight, round(c.weight * RNG.gauss(quality, 0.07))))
                      for c in config.criteria]  # fmt: skip
            vetoes = [config.vetoes[0].name] if quality < 0.6 and RNG.random() < 0.3 else []
            rating = rate(config, scores, bool(vetoes))
            valid_until = add_months(day, config.valid_months)
            inspection_id = uuid.uuid4()
            scored = [{"name": c.name, "weight": c.weight, "score": s}
                      for c, s in zip(config.criteria, scores, strict=True)]  # fmt: skip
            inspections.append(
                (
                    inspection_id,
                    tenant_id,
                    program_id,
                    complex_id,
                    day,
                    1,
                    json.dumps(scored, ensure_ascii=False),
                    json.dumps(vetoes, ensure_ascii=False),
                    rating.score,
                    rating.stars,
                    rating.fee_level,
                    rating.fee_ceiling_fen,
                    valid_until,
                    RNG.choice(["", "楼道整洁，消防通道畅通", "需加强电梯维保"]),
                    None,
                    "压测督察员",
                    stamp(day, n * per_complex + k),
                )
            )
            latest = (inspection_id, day, rating.stars, rating.fee_level, valid_until)
        ratings.append((*latest, tenant_id, complex_id))
    columns = ("id, tenant, program, property_complex, inspected_on, config_version, scores, "
               "vetoes, score, stars, fee_level, fee_ceiling_fen, valid_until, notes, inspector, "
               "inspector_name, created_at")  # fmt: skip
    await connection.executemany(
        f"INSERT INTO red_property_inspections ({columns}) VALUES ({marks(17)})", inspections
    )
    expect("program page: red_property", sum(measured(r[4]) for r in inspections))
    # repo.refresh_rating: the latest inspection (by date) kept on the complex
    sets = ("latest_inspection = {}, rated_on = {}, rated_stars = {}, rated_fee_level = {}, "
            "rated_until = {} WHERE tenant = {} AND id = {}")  # fmt: skip
    await connection.executemany(
        "UPDATE red_property_complexes SET " + sets.format(*marks(7).split(", ")), ratings
    )
    categories = ["fees", "service", "repairs", "security", "environment", "other"]
    complaints = []
    for n in range(COMPLAINTS):
        day = day_in(RNG.choice(YEARS))
        complaints.append(
            (uuid.uuid4(), tenant_id, program_id, RNG.choice(complexes)[0], day,
             RNG.choice(categories), RNG.random() < 0.15, "压测投诉：报修后长时间无人处理",
             "handled" if day < date(2026, 10, 1) else "open", "压测", stamp(day, n), 1)
        )  # fmt: skip
    columns = ("id, tenant, program, property_complex, received_on, category, collective, "
               "summary, status, recorded_by_name, created_at, version")  # fmt: skip
    await connection.executemany(
        f"INSERT INTO red_property_complaints ({columns}) VALUES ({marks(12)})", complaints
    )


async def seed_village_rules(
    ctx: Any, connection: Any, tenant_id: uuid.UUID, program_id: uuid.UUID, villages: list[Any]
) -> None:
    """A rule set per village through its lifecycle (published 2022; half of them revised and
    republished in 2025 with a lower cap), then 20,000 declarations checked against them."""
    from programs.village_rules import repo, services
    from programs.village_rules.rules import breaches, parse_yuan
    from programs.village_rules.schemas import (
        DraftUpdate,
        FilingRecord,
        PublishRecord,
        ReviewRecord,
        RevisionCreate,
        RuleSetCreate,
        VoteRecord,
    )
    from wusong.core.errors import FieldErrors

    clauses: dict[str, Any] = {
        "occasions": ["婚嫁", "丧葬", "升学", "参军"], "occasions_article": 3,
        "max_tables": 20, "max_tables_article": 4, "max_yuan_per_table": "300",
        "max_yuan_article": 4, "venue": "村食堂", "venue_article": 5,
    }  # fmt: skip

    async def adopt(version: Any, start: date, no: str) -> Any:
        step = timedelta(days=10)
        await services.record_review(ctx, program_id, version.id, ReviewRecord(start, True, ""))
        await services.record_vote(
            ctx, program_id, version.id, VoteRecord(start + step, 50, 41, 5, 4)
        )
        await services.record_filing(
            ctx, program_id, version.id, FilingRecord(start + 2 * step, "压测镇人民政府", no)
        )
        return await services.publish(
            ctx, program_id, version.id, PublishRecord(start + 3 * step, start + 4 * step)
        )

    in_force: dict[Any, list[Any]] = {}  # village → its published versions, latest first
    for n, village in enumerate(villages):
        rule_set = await services.create_rule_set(
            ctx, program_id, RuleSetCreate(village, "", date(2021, 11, 1))
        )
        first = (await repo.versions_of(ctx, rule_set.id))[0]
        first = await services.update_draft(
            ctx, program_id, first.id,
            DraftUpdate(articles=ARTICLES, version=first.version, **clauses),
        )  # fmt: skip
        versions = [await adopt(first, date(2021, 12, 1), f"压测备〔2022〕{n + 1}号")]
        if n % 2 == 0:
            second = await services.revise(
                ctx, program_id, rule_set.id, RevisionCreate(date(2025, 3, 1))
            )
            articles = [*ARTICLES[:3], "宴席规模每场不超过15桌，每桌标准不超过300元（含酒水）。",
                        *ARTICLES[4:]]  # fmt: skip
            second = await services.update_draft(
                ctx, program_id, second.id,
                DraftUpdate(articles=articles, version=second.version,
                            **{**clauses, "max_tables": 15}),
            )  # fmt: skip
            versions.insert(0, await adopt(second, date(2025, 3, 10), f"压测备〔2025〕{n + 1}号"))
        in_force[village] = versions

    surnames, given = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗", ["建国", "秀兰", "志强", "玉梅"]
    rows = []
    for n in range(DECLARATIONS):
        village = RNG.choice(villages)
        day = day_in(RNG.choice(YEARS))
        occasion = RNG.choice(
            ["婚嫁", "婚嫁", "丧葬", "丧葬", "升学", "参军"] * 8 + ["寿宴", "乔迁"]
        )
        tables = RNG.randint(6, 14) if RNG.random() < 0.9 else RNG.randint(15, 24)
        yuan = RNG.choice(["260", "280", "288", "300", "300", "240"] * 10 + ["350", "380"])
        fen = parse_yuan(FieldErrors(), "yuan_per_table", "每桌标准", yuan)
        assert fen is not None
        venue = "村食堂" if RNG.random() < 0.95 else "自家院内"
        version = next(
            (v for v in in_force[village] if v.effective_from and v.effective_from <= day), None
        )  # repo.version_in_force
        findings = breaches(version, occasion=occasion, tables=tables, fen_per_table=fen,
                            venue=venue)  # fmt: skip
        rows.append(
            (uuid.uuid4(), tenant_id, program_id, village,
             surnames[n % len(surnames)] + given[n % len(given)], occasion, day, tables, fen,
             venue, "", version.id if version else None, not findings,
             json.dumps(findings, ensure_ascii=False), None, "压测村务工作者", stamp(day, n), 1)
        )  # fmt: skip
    columns = ("id, tenant, program, village, household_head, occasion, banquet_on, tables, "
               "fen_per_table, venue, note, rule_version, within_limits, findings, recorded_by, "
               "recorded_by_name, created_at, version")  # fmt: skip
    await connection.executemany(
        f"INSERT INTO village_banquet_declarations ({columns}) VALUES ({marks(18)})", rows
    )
    in_2025 = [r for r in rows if measured(r[6])]
    declared, within = len(in_2025), sum(r[12] for r in in_2025)
    expect("program page: village_rules", declared, within, declared - within)
    expect("dashboard", declared, within)
    here = [r for r in in_2025 if r[3] == villages[0]]
    expect("dashboard, one village", len(here), sum(r[12] for r in here))


async def seed_no_litigation(ctx: Any, program_id: uuid.UUID, villages: list[Any]) -> None:
    """12 pilot villages with their counts for each year 2022 … 2026, through the use cases."""
    from programs.no_litigation import services
    from programs.no_litigation.schemas import CountCreate, PilotCreate

    lawsuits_2025 = 0
    for n, village in enumerate(villages[:PILOTS]):
        population = 1600 + 137 * n
        await services.add_pilot(ctx, program_id, PilotCreate(village, population, population // 3))
        for year in YEARS:
            lawsuits = RNG.choice([0, 0, 0, 0, 1, 1, 2])
            received = population // 250 + RNG.randint(0, 4)
            settled = max(0, received - lawsuits - RNG.choice([0, 0, 1]))
            await services.record_count(
                ctx, program_id, CountCreate(village, str(year), lawsuits, received, settled)
            )
            lawsuits_2025 += lawsuits if year == 2025 else 0
    expect("program page: no_litigation_village", PILOTS, lawsuits_2025)


# ---- signing in and the load ---------------------------------------------------------------


async def sign_in(base: str) -> dict[str, str]:
    """A browser's cookies after signing in as the benchmark's admin."""
    import httpx

    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token, "the sign-in page carries a CSRF token"
        form = {"_csrf_token": token.group(1), "username": "bench-admin", "password": PASSWORD,
                "next": "/"}  # fmt: skip
        answer = await client.post("/login", data=form)
        assert answer.status_code in {302, 303}, answer.status_code
        return dict(client.cookies)


async def load(
    base: str, path: str, cookies: dict[str, str], users: int, seconds: float, think: float
) -> dict[str, Any]:
    """``users`` clients, one connection each, each asking again after a pause of ``think`` s on
    average (uniform between half and one and a half times it, the first one too): people do not
    click in step, and clients that all fire at the same instant would measure their own burst."""
    import httpx

    latencies: list[float] = []
    failures: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def user() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits,
                                     timeout=30) as client:  # fmt: skip
            await asyncio.sleep(RNG.uniform(0, think * 1.5))
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = await client.get(path)
                latencies.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    failures[answer.status_code] = failures.get(answer.status_code, 0) + 1
                await asyncio.sleep(RNG.uniform(think * 0.5, think * 1.5))

    began = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": ", ".join(f"{n}×{code}" for code, n in sorted(failures.items())),
    }


def pages(info: dict[str, Any]) -> dict[str, str]:
    slug, ids = info["slug"], info["programs"]
    found = {
        "(b) bare select (foundation)": "/bench/areas",
        "dashboard": f"/t/{slug}/dashboard?period=2025",
        "dashboard, one village": f"/t/{slug}/dashboard?period=2025&village={info['village']}",
    }
    for kind, program_id in ids.items():
        found[f"program page: {kind}"] = f"/t/{slug}/programs/{program_id}?period=2025"
    return found


async def check_pages(
    base: str, info: dict[str, Any], cookies: dict[str, str], *, tenant_pages_only: bool = False
) -> dict[str, float]:
    """Each page once: 200, and the figures seeded for 2025 are on it. Returns each page's
    time (ms) on this first request of a fresh server: computed, nothing kept yet (cold)."""
    import httpx

    cold: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client:
        for label, path in pages(info).items():
            if tenant_pages_only and not path.startswith("/t/"):
                continue
            started = time.perf_counter()
            answer = await client.get(path)
            cold[label] = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, f"{label}: {answer.status_code}"
            shown = {int(n) for n in re.findall(r">\s*(\d+)\s*<", answer.text)}
            missing = [n for n in info["figures"].get(label, []) if n not in shown]
            assert not missing, f"{label} does not show the seeded figures {missing}"
    return cold


# ---- query plans (PostgreSQL) ----------------------------------------------------------------


def plans(env: dict[str, str], info: dict[str, Any], cookies: dict[str, str]) -> list[str]:
    """Each page once with auto_explain on for the runtime role; the plans of program queries."""
    settings = [
        f"ALTER ROLE {ROLE} SET session_preload_libraries = 'auto_explain'",
        f"ALTER ROLE {ROLE} SET auto_explain.log_min_duration = 0",
        f"ALTER ROLE {ROLE} SET auto_explain.log_analyze = on",
        f"ALTER ROLE {ROLE} SET auto_explain.log_buffers = on",
    ]
    asyncio.run(pg_admin(*settings))
    server, out = None, []
    try:
        server = Server(env)
        start = PG_LOG.stat().st_size
        asyncio.run(check_pages(server.base, info, cookies, tenant_pages_only=True))
        time.sleep(1.0)
        with PG_LOG.open("rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        entries = re.split(r"\n(?=\d{4}-\d\d-\d\d )", text)
        tables = ("program", "red_property_", "village_", "nolit_")
        seen: set[str] = set()
        for entry in entries:
            if f"{ROLE}@{ROLE}" not in entry or "Query Text:" not in entry:
                continue
            lines = entry.split("Query Text:", 1)[1].split("\n")
            # the statement runs until the plan's top node, the first line with its cost
            top = next(i for i, line in enumerate(lines) if "(cost=" in line)
            sql = " ".join(" ".join(lines[:top]).split())
            if not any(t in sql for t in tables) or sql in seen:
                continue
            seen.add(sql)
            plan = [line.rstrip() for line in lines[top:] if line.strip()]
            scans = seq_scans(plan)
            used = sorted(set(re.findall(INDEX_SCAN, "\n".join(plan))))
            head = f"-- {sql[:200]}\n--   indexes: {', '.join(used) or 'none'}"
            flag = f"\n--   ⚠ SEQUENTIAL SCAN: {'; '.join(scans)}" if scans else ""
            out.append(head + flag + "\n" + "\n".join(plan))
    finally:
        if server:
            server.stop()
        asyncio.run(pg_admin(*(s.split(" SET ")[0] + " RESET " + s.split(" SET ")[1].split(" =")[0]
                               for s in settings)))  # fmt: skip
    return out


def seq_scans(plan: list[str]) -> list[str]:
    """Each sequential scan of a plan: the table, the rows it kept and the rows it filtered out
    (another tenant's, when the filter is the tenant)."""
    found = []
    for i, line in enumerate(plan):
        scan = re.search(r"Seq Scan on (\w+).*actual time=\S+ rows=(\d+) loops=(\d+)", line)
        if not scan:
            continue
        removed = next(
            (m.group(1) for later in plan[i + 1 : i + 4]
             if (m := re.search(r"Rows Removed by Filter: (\d+)", later))),
            "0",
        )  # fmt: skip
        table, kept, loops = scan.groups()
        found.append(f"{table} ({kept} rows kept, {removed} filtered out, ×{loops})")
    return found


INDEX_SCAN = r"(?:Index|Index Only|Bitmap Index) Scan(?: Backward)? (?:using|on) (\w+)"


def machine() -> str:
    import platform

    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
        f"load average at the end {load}; the load generator (httpx) shares the machine"
    )


# ---- the run ---------------------------------------------------------------------------------


def bench_database(name: str, args: argparse.Namespace, tmp: Path) -> tuple[list, list]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WUSONG_", "PICCOLO_"))}
    env |= {"WUSONG_DATA_DIR": str(tmp / name), "WUSONG_REDIS_URL": "redis://127.0.0.1:6379/14"}
    env |= {"WUSONG_ENV": "development", "WUSONG_SECRET_KEY": secrets.token_urlsafe(48)}
    env |= {"BENCH_PASSWORD": PASSWORD}
    if name == "postgres":
        pg_prepare()
        env["WUSONG_DATABASE_URL"] = f"postgresql://{ROLE}@127.0.0.1:5432/{ROLE}"
        env["WUSONG_DATABASE_OWNER_URL"] = f"postgresql://{bench_api.OWNER}@127.0.0.1:5432/{ROLE}"
    else:
        env["WUSONG_DATABASE_URL"] = f"sqlite:///{tmp / name / 'bench.sqlite3'}"
    started = time.perf_counter()
    info = json.loads(run([sys.executable, __file__, "--seed"], env=env).splitlines()[-1])
    print(f"[{name}] generated 5 tenants in {time.perf_counter() - started:.0f} s")
    env["BENCH_TENANT_ID"] = info["tenant_id"]
    rows, server = [], Server(env)
    try:
        cookies = asyncio.run(sign_in(server.base))
        cold = asyncio.run(check_pages(server.base, info, cookies))
        print(f"[{name}] every page answers 200 and shows its seeded 2025 figures")
        for label, path in pages(info).items():
            asyncio.run(load(server.base, path, cookies, args.users, 2, args.think))  # warm-up
            res = asyncio.run(load(server.base, path, cookies, args.users, args.duration,
                                   args.think))  # fmt: skip
            print(f"[{name}] {label}: {res['n']} requests, {res['rps']:.0f} req/s, "
                  f"p50 {res['p50']:.1f} ms, p99 {res['p99']:.1f} ms {res['errors']}")  # fmt: skip
            rows.append((name, label, {**res, "cold": cold.get(label)}))
    finally:
        server.stop()
    explained = plans(env, info, cookies) if name == "postgres" else []
    return rows, explained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per page (15)")
    parser.add_argument("--users", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--think", type=float, default=1.0, help="pause after an answer (1.0 s)")
    parser.add_argument("--databases", default="sqlite,postgres", help="(sqlite,postgres)")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        global PASSWORD
        PASSWORD = os.environ["BENCH_PASSWORD"]
        print(json.dumps(asyncio.run(seed())))
        return
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    names = [d.strip() for d in args.databases.split(",") if d.strip()]
    all_rows, all_plans = [], []
    try:
        with tempfile.TemporaryDirectory(prefix=f"wusong-bench-{os.getpid()}-") as tmp:
            for name in names:
                rows, explained = bench_database(name, args, Path(tmp))
                all_rows += rows
                all_plans += explained
    finally:
        if "postgres" in names:
            try:
                pg_drop()
            except Exception as error:
                print(f"could not drop PostgreSQL role and database {ROLE}: {error!r}")
    print("\n| database | page | requests | req/s | p50 ms | p99 ms | goal p99 | cold ms |")
    print("|---|---|---:|---:|---:|---:|---|---:|")
    for name, label, res in all_rows:
        verdict = "meets" if res["p99"] < GOAL_P99_MS[name] else "misses"
        goal = "" if label.startswith("(b)") else f"{verdict} < {GOAL_P99_MS[name]:.0f}"
        cold = f"{res['cold']:.0f}" if res.get("cold") is not None else ""
        print(f"| {name} | {label} | {res['n']} | {res['rps']:.0f} | {res['p50']:.1f} "
              f"| {res['p99']:.1f} | {goal} | {cold} |")  # fmt: skip
    print(
        "cold: the page's first request on a fresh server, every indicator computed; later "
        "requests reuse the tables until the tenant's data changes (reports/indicators/cache.py)"
    )
    errors = [f"{n} {lb}: {r['errors']}" for n, lb, r in all_rows if r["errors"]]
    print("\nerrors: " + ("; ".join(errors) if errors else "none (every response 200)"))
    print(f"{args.users} signed-in clients, one connection each, {args.think} s pause after each "
          f"answer, {args.duration} s per page after 2 s warm-up; one uvicorn process")  # fmt: skip
    if all_plans:
        scans = sum("SEQUENTIAL SCAN" in p for p in all_plans)
        print(f"\nPostgreSQL plans of the pages' program queries ({len(all_plans)} distinct, "
              f"{scans} with a sequential scan):\n")  # fmt: skip
        print("\n\n".join(all_plans))
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
