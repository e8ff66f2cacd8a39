"""Mediation cases under load on SQLite and PostgreSQL, in one run with the foundation's
bare-SELECT route: the filtered case list, case creation, and the query plans of the list and
search queries.

    .venv/bin/python benchmarks/bench_cases.py [--duration 10] [--connections 50]
        [--warmup 2] [--databases sqlite,postgres] [--cases 100000]

Data: ``gen_cases.py`` — 100,000 cases over 5 counties (about 20,000 each, 22,000 in the
measured one), with parties, sessions, agreements, confirmations and audit events. The other
four counties are there so that a query that forgets its tenant, or scans instead of seeking,
pays for it.

(b)  GET /bench/areas: the foundation's harness route (one 20-row Piccolo SELECT, no auth;
     bench_api.py), measured in the same run as the reference.
(L)  GET /api/v1/t/{tenant}/cases?<filter>&limit=20 as the county's administrator (bearer
     token): filtered by status and category, and by village. Goal on PostgreSQL at 50
     connections: ≥ 50 % of (b)'s requests/s, p99 < 100 ms.
(C)  POST /api/v1/t/{tenant}/cases as the county-wide mediator: a case with two parties (valid
     ID numbers, each request different), its number, parties and audit event in one
     transaction. Goal on PostgreSQL: ≥ 300 cases/s within the one county. Afterwards the
     county's numbers of the year must run 1 … n without a gap or a duplicate, and the counter
     must stand at n.
Plans: the list queries, the party-name search and the ID-number search, each requested once
through the API; PostgreSQL: ``auto_explain`` (ANALYZE) for the runtime role; SQLite: the
statements the server ran (a trace callback of the harness) under ``EXPLAIN QUERY PLAN``.
Round trips per request (PostgreSQL, ``log_statement = 'all'``): list and creation.

Load comes from wrk on 127.0.0.1, sharing the two cores with the server and the database.
Everything the run creates is named after its process id and removed at the end (bench_api.py).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # the foundation's harness: server, roles, bare-SELECT route, wrk
from bench_api import PG_LOG, ROLE, Server, pg_admin, pg_drop, pg_prepare, run, wrk

GOAL_LIST_RATIO, GOAL_LIST_P99_MS, GOAL_CREATE_RPS = 0.5, 100.0, 300.0
APP = "bench_cases:make_app"
LIST_FILTERS = {
    "status + category": {"status": "settled", "category": "neighbour"},
    "village": {"village_id": None},  # the measured county's busiest village (from the seed)
}


# ---- the server: the foundation's app, with an SQL trace on SQLite for the plans -------------


def make_app() -> Any:
    """bench_api.make_app(); with BENCH_TRACE_SQL set (SQLite), every statement a connection
    runs is appended to that file, with its values (sqlite3's expanded SQL)."""
    app = bench_api.make_app()
    profile = os.environ.get("BENCH_PROFILE")
    if profile:  # cProfile from start to shutdown (uvicorn re-raises SIGTERM: no atexit)
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: other processes' load aside

        def dump() -> None:
            profiler.disable()
            profiler.dump_stats(profile)

        app.on_shutdown.append(dump)
        profiler.enable()
    trace = os.environ.get("BENCH_TRACE_SQL")
    if trace:
        from piccolo.engine.sqlite import SQLiteEngine

        original = SQLiteEngine.get_connection
        out = open(trace, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life

        def write(sql: str) -> None:
            out.write(" ".join(sql.split()) + "\n")
            out.flush()

        async def traced(self: Any) -> Any:
            connection = await original(self)
            await connection.set_trace_callback(write)
            return connection

        SQLiteEngine.get_connection = traced  # type: ignore[method-assign]
    return app


# ---- the generator and the accounts ----------------------------------------------------------


async def seed(total: int) -> dict[str, Any]:
    import gen_cases

    import wusong  # noqa: F401  (sets PICCOLO_CONF)
    from tenants import repo, services
    from tenants.schemas import TokenCreate
    from tenants.tables import Tenant
    from wusong.core import db
    from wusong.core.settings import get_settings
    from wusong.core.tenancy import system_context
    from wusong.migrate import migrate_all, runtime_role

    settings = get_settings()
    async with db.as_owner(settings):
        await migrate_all(settings)
    await db.start(settings)
    try:
        made = await gen_cases.generate(total, log=lambda line: print(line, file=sys.stderr))
        first = made[0]
        tokens = {}
        async with db.unit_of_work(writes=True):
            tenant = await Tenant.objects().where(Tenant.slug == first["slug"]).first()
        async with db.unit_of_work(writes=True, tenant_id=tenant.id):
            ctx = system_context(tenant, "bench")
            for who in ("admin", "mediator", "reviewer"):
                user = await repo.user_by_username(first[who])
                assert user is not None
                created = await services.create_token(ctx, user.id, TokenCreate(f"bench {who}"))
                tokens[who] = created.token
    finally:
        await db.stop()
    engine = db.get_engine()
    if db.is_postgres():
        async with db.as_owner(settings):
            await engine.run_ddl("CREATE TABLE bench_areas (LIKE areas INCLUDING ALL)")
            await engine.run_ddl("INSERT INTO bench_areas SELECT * FROM areas")
            await engine.run_ddl(f"GRANT SELECT ON bench_areas TO {runtime_role(settings)}")
    await gen_cases.analyze()
    return {**first, "tokens": tokens, "counties": [m["counts"] for m in made]}


# ---- requests --------------------------------------------------------------------------------


def request(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - 127.0.0.1
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def list_path(info: dict[str, Any], filters: dict[str, Any]) -> str:
    values = {k: (v if v is not None else info["busiest_village"]) for k, v in filters.items()}
    return f"/api/v1/t/{info['slug']}/cases?{urllib.parse.urlencode(values)}&limit=20"


def create_bodies(info: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """``n`` different intakes: two persons each, with valid ID numbers and mobiles."""
    import gen_cases

    rng = random.Random(11)
    code = info["division_code"]
    bodies = []
    for _ in range(n):
        category = rng.choice(["neighbour", "housing_land", "damages", "contract"])
        parties = [
            {"role": role, "name": gen_cases.person_name(rng),
             "id_number": gen_cases.id_number(rng, code), "mobile": gen_cases.mobile(rng),
             "address": "压测地址"}
            for role in ("applicant", "respondent")
        ]  # fmt: skip
        bodies.append(
            {
                "category": category,
                "source": "application",
                "village_id": rng.choice(info["villages"]),
                "title": rng.choice(gen_cases.TITLES[category]),
                "facts": "双方因琐事发生争议，经协商未果，申请调解。",
                "claims": "请求依法调解。",
                "parties": parties,
            }
        )
    return bodies


def lua_for_bodies(bodies: list[dict[str, Any]], token: str, folder: Path) -> Path:
    """A wrk script that POSTs the bodies in turn (each connection its own offset)."""
    quoted = ",\n".join("[==[" + json.dumps(b, ensure_ascii=False) + "]==]" for b in bodies)
    script = folder / "create.lua"
    script.write_text(
        f"""
local bodies = {{
{quoted}
}}
local i = math.random(#bodies)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
""",
        encoding="utf-8",
    )
    return script


def wrk_post(url: str, script: Path, seconds: int, connections: int) -> dict[str, Any]:
    """bench_api.wrk with a Lua script (wrk takes the script before the URL)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
           "-s", str(script), url]  # fmt: skip
    out = run(cmd)

    def ms(pattern: str) -> float:
        value, unit = re.search(pattern + r"\s+([\d.]+)(us|ms|s|m)\b", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50": ms(r"^\s+50%"),
        "p99": ms(r"^\s+99%"),
        "errors": "; ".join(re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", out)),
    }


# ---- the numbers' check ----------------------------------------------------------------------


def numbers(name: str, env: dict[str, str], tenant_id: str, year: int) -> dict[str, Any]:
    """The county's sequence numbers of ``year`` and its counter, read past RLS (PostgreSQL: as
    the superuser; SQLite: the file)."""
    sql_cases = ("SELECT case_seq, case_no FROM cases WHERE tenant = {0} AND case_year = {1} "
                 "ORDER BY case_seq")  # fmt: skip
    sql_counter = "SELECT last_seq FROM case_counters WHERE tenant = {0} AND year = {1}"
    if name == "postgres":
        import asyncpg

        async def read() -> tuple[list[Any], Any]:
            conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{ROLE}")
            try:
                rows = await conn.fetch(sql_cases.format("$1::uuid", "$2"), tenant_id, year)
                last = await conn.fetchval(sql_counter.format("$1::uuid", "$2"), tenant_id, year)
            finally:
                await conn.close()
            return [(r["case_seq"], r["case_no"]) for r in rows], last

        rows, last = asyncio.run(read())
    else:
        path = env["WUSONG_DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            rows = conn.execute(sql_cases.format("?", "?"), (tenant_id, year)).fetchall()
            found = conn.execute(sql_counter.format("?", "?"), (tenant_id, year)).fetchone()
            last = found[0] if found else None
    seqs = [r[0] for r in rows]
    return {
        "count": len(seqs),
        "max": max(seqs, default=0),
        "counter": last,
        "gap_free": seqs == list(range(1, len(seqs) + 1)),
        "unique_numbers": len({r[1] for r in rows}) == len(rows),
    }


# ---- plans -----------------------------------------------------------------------------------

PLAN_TABLES = ("cases", "case_parties")


def plan_requests(info: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """The requests whose queries are explained: each list filter, both party searches."""
    slug, token = info["slug"], info["tokens"]["admin"]
    calls = [(label, "GET", list_path(info, f), token, None) for label, f in LIST_FILTERS.items()]
    search = f"/api/v1/t/{slug}/cases/search"
    calls.append(("party-name search", "POST", search, token,
                  {"party_name": info["sample"]["party_name"][:2]}))  # fmt: skip
    calls.append(("ID-number search", "POST", search, token,
                  {"id_number": info["sample"]["id_number"]}))  # fmt: skip
    return calls  # type: ignore[return-value]


def pg_plans(env: dict[str, str], info: dict[str, Any]) -> list[str]:
    """auto_explain (ANALYZE, BUFFERS) for the runtime role; each request once."""
    from bench_programs import INDEX_SCAN, seq_scans

    settings = [
        f"ALTER ROLE {ROLE} SET session_preload_libraries = 'auto_explain'",
        f"ALTER ROLE {ROLE} SET auto_explain.log_min_duration = 0",
        f"ALTER ROLE {ROLE} SET auto_explain.log_analyze = on",
        f"ALTER ROLE {ROLE} SET auto_explain.log_buffers = on",
    ]
    asyncio.run(pg_admin(*settings))
    server, out = None, []
    try:
        server = Server(env, APP)
        for label, method, path, token, body in plan_requests(info):
            request(server.base, method, path, token, body)  # a first time: caches warm
            start = PG_LOG.stat().st_size
            status, _ = request(server.base, method, path, token, body)
            time.sleep(0.5)
            with PG_LOG.open("rb") as f:
                f.seek(start)
                text = f.read().decode("utf-8", "replace")
            for entry in re.split(r"\n(?=\d{4}-\d\d-\d\d )", text):
                if f"{ROLE}@{ROLE}" not in entry or "Query Text:" not in entry:
                    continue
                lines = entry.split("Query Text:", 1)[1].split("\n")
                top = next(i for i, line in enumerate(lines) if "(cost=" in line)
                sql = " ".join(" ".join(lines[:top]).split())
                if not re.search(r"\b(FROM|INTO|UPDATE)\s+\"?(cases|case_parties)\b", sql):
                    continue
                plan = [line.rstrip() for line in lines[top:] if line.strip()]
                scans = seq_scans(plan)
                used = sorted(set(re.findall(INDEX_SCAN, "\n".join(plan))))
                head = (
                    f"-- {label} ({status}): {sql[:300]}\n--   indexes: {', '.join(used) or 'none'}"
                )
                flag = f"\n--   ⚠ SEQUENTIAL SCAN: {'; '.join(scans)}" if scans else ""
                out.append(head + flag + "\n" + "\n".join(plan))
    finally:
        if server:
            server.stop()
        asyncio.run(pg_admin(*(s.split(" SET ")[0] + " RESET " + s.split(" SET ")[1].split(" =")[0]
                               for s in settings)))  # fmt: skip
    return out


def sqlite_plans(env: dict[str, str], info: dict[str, Any], tmp: Path) -> list[str]:
    """The statements each request ran (traced by the harness), under EXPLAIN QUERY PLAN."""
    trace = tmp / "trace.sql"
    server, out = None, []
    try:
        server = Server({**env, "BENCH_TRACE_SQL": str(trace)}, APP)
        for label, method, path, token, body in plan_requests(info):
            request(server.base, method, path, token, body)
            trace.write_text("")
            status, _ = request(server.base, method, path, token, body)
            time.sleep(0.2)
            statements = [s for s in trace.read_text(encoding="utf-8").splitlines()
                          if s.upper().startswith("SELECT")
                          and re.search(r"\bFROM\s+\"?(cases|case_parties)\b", s)]  # fmt: skip
            path_db = env["WUSONG_DATABASE_URL"].removeprefix("sqlite:///")
            with sqlite3.connect(path_db) as conn:
                for sql in dict.fromkeys(statements):
                    plan = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql)]
                    scans = [p for p in plan if re.match(r"SCAN (cases|case_parties)\b", p)
                             and "INDEX" not in p]  # fmt: skip
                    flag = f"\n--   ⚠ FULL SCAN: {'; '.join(scans)}" if scans else ""
                    out.append(f"-- {label} ({status}): {sql[:300]}{flag}\n" + "\n".join(
                        f"   {p}" for p in plan))  # fmt: skip
    finally:
        if server:
            server.stop()
    return out


# ---- round trips (PostgreSQL) ----------------------------------------------------------------


def round_trips(env: dict[str, str], info: dict[str, Any], body: dict[str, Any]) -> dict:
    asyncio.run(pg_admin(f"ALTER ROLE {ROLE} SET log_statement = 'all'"))
    server, result, n = None, {}, 10
    calls = {
        "list (status + category)": ("GET", list_path(info, LIST_FILTERS["status + category"]),
                                     info["tokens"]["admin"], None),
        "create (2 parties)": ("POST", f"/api/v1/t/{info['slug']}/cases",
                               info["tokens"]["mediator"], body),
    }  # fmt: skip
    try:
        server = Server(env, APP)
        for label, (method, path, token, data) in calls.items():
            for _ in range(20):
                request(server.base, method, path, token, data)
            time.sleep(0.5)
            start = PG_LOG.stat().st_size
            for _ in range(n):
                request(server.base, method, path, token, data)
            time.sleep(1.0)
            statements = bench_api.pg_statements(start)
            result[label] = (len(statements) / n, statements[: len(statements) // n])
    finally:
        if server:
            server.stop()
        asyncio.run(pg_admin(f"ALTER ROLE {ROLE} RESET log_statement"))
    return result


class WaitSampler:
    """What the server's PostgreSQL backends are doing, sampled every 50 ms during a load:
    waiting for the server (ClientRead: Python's turn), for a lock (which kind), or working."""

    def __init__(self, name: str) -> None:
        import threading

        self.counts: dict[str, int] = {}
        self.samples = 0
        self.done = threading.Event()
        self.thread = (
            threading.Thread(target=self._run, daemon=True) if name == "postgres" else None
        )
        if self.thread:
            self.thread.start()

    def _run(self) -> None:
        asyncio.run(self._sample())

    async def _sample(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(bench_api.PG_ADMIN)
        try:
            while not self.done.is_set():
                rows = await conn.fetch(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE usename = $1", ROLE)  # fmt: skip
                self.samples += 1
                for r in rows:
                    if r["state"] == "idle":
                        key = "idle in pool"
                    elif r["wait_event_type"] == "Client":
                        key = "in a transaction, waiting for the server (Python)"
                    elif r["wait_event_type"] == "Lock":
                        key = f"waiting for a lock ({r['wait_event']})"
                    else:
                        key = "running" if not r["wait_event"] else f"{r['wait_event']}"
                    self.counts[key] = self.counts.get(key, 0) + 1
                await asyncio.sleep(0.05)
        finally:
            await conn.close()

    def stop(self) -> str:
        if not self.thread:
            return ""
        self.done.set()
        self.thread.join()
        n = max(self.samples, 1)
        ranked = sorted(self.counts.items(), key=lambda kv: -kv[1])
        return "; ".join(f"{k} {v / n:.1f}" for k, v in ranked)


# ---- CPU per request (robust against the machine's other load) ------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def backend_pids(name: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark role (the server's pool)."""
    if name != "postgres":
        return []

    async def fetch() -> list[int]:
        import asyncpg

        conn = await asyncpg.connect(bench_api.PG_ADMIN)
        try:
            rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE usename = $1", ROLE)
        finally:
            await conn.close()
        return [r["pid"] for r in rows]

    return asyncio.run(fetch())


def cpu_per_request(name: str, server: Server, calls: list[tuple[str, str, str, Any]]) -> dict:
    """Requests one at a time: the server process's CPU ms and the database backends' CPU ms
    per request, and the wall-clock ms of one request alone."""
    for method, path, token, body in calls[:20]:  # warm: pool, prepared statements
        request(server.base, method, path, token, body)
    pids = backend_pids(name)
    server_before, db_before = cpu_seconds([server.proc.pid]), cpu_seconds(pids)
    started = time.perf_counter()
    for method, path, token, body in calls:
        status, answer = request(server.base, method, path, token, body)
        assert status in {200, 201}, (status, answer)
    wall = time.perf_counter() - started
    n = len(calls)
    return {
        "server_ms": (cpu_seconds([server.proc.pid]) - server_before) * 1000 / n,
        "db_ms": (cpu_seconds(pids) - db_before) * 1000 / n if pids else None,
        "wall_ms": wall * 1000 / n,
    }


def profile_creation(env: dict[str, str], info: dict[str, Any], bodies: list, tmp: Path) -> str:
    """300 case creations one at a time under cProfile: where the server's time goes."""
    import pstats

    out = tmp / "create.prof"
    server = Server({**env, "BENCH_PROFILE": str(out)}, APP)
    try:
        url = f"/api/v1/t/{info['slug']}/cases"
        for body in (bodies * 2)[:300]:
            status, answer = request(server.base, "POST", url, info["tokens"]["mediator"], body)
            assert status == 201, (status, answer)
    finally:
        server.stop()
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(r"platform/(mediation|tenants|wusong)", 30)
    return text.getvalue()


# ---- the run ---------------------------------------------------------------------------------


def bench_database(name: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WUSONG_", "PICCOLO_"))}
    env |= {"WUSONG_DATA_DIR": str(tmp / name), "WUSONG_REDIS_URL": "redis://127.0.0.1:6379/14"}
    env |= {"WUSONG_ENV": "development", "WUSONG_SECRET_KEY": secrets.token_urlsafe(48)}
    if name == "postgres":
        pg_prepare()
        env["WUSONG_DATABASE_URL"] = f"postgresql://{ROLE}@127.0.0.1:5432/{ROLE}"
        env["WUSONG_DATABASE_OWNER_URL"] = f"postgresql://{bench_api.OWNER}@127.0.0.1:5432/{ROLE}"
    else:
        env["WUSONG_DATABASE_URL"] = f"sqlite:///{tmp / name / 'bench.sqlite3'}"
    started = time.perf_counter()
    cmd = [sys.executable, __file__, "--seed", "--cases", str(args.cases)]
    info = json.loads(run(cmd, env=env).splitlines()[-1])
    print(f"[{name}] migrated and generated {sum(c['cases'] for c in info['counties']):,} cases "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    env["BENCH_TENANT_ID"] = info["tenant_id"]
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year  # the product's year (local_today)
    before = numbers(name, env, info["tenant_id"], year)
    assert before["gap_free"], before
    assert before["counter"] == before["max"], before
    result: dict[str, Any] = {"rows": [], "numbers": {}, "plans": [], "trips": {}, "cpu": {}}
    bodies = create_bodies(info, 500)
    server = Server(env, APP)
    try:
        admin = info["tokens"]["admin"]
        routes = {"(b) bare select (foundation)": ("/bench/areas", None)}
        for label, filters in LIST_FILTERS.items():
            path = list_path(info, filters)
            status, page = request(server.base, "GET", path, admin)
            assert status == 200, (status, page)
            items = page["items"] if isinstance(page, dict) else page
            assert len(items) == 20, f"{label}: {len(items)} rows"
            for key, value in filters.items():
                wanted = value if value is not None else info["busiest_village"]
                field = "area_id" if key == "village_id" else key
                assert all(str(i[field]) == wanted for i in items), f"{label}: filter ignored"
            routes[f"(L) case list, {label}"] = (path, admin)
        print(f"[{name}] each filtered list answers 20 matching cases")
        url = f"/api/v1/t/{info['slug']}/cases"
        sequential = {
            "(b) bare select (foundation)": [("GET", "/bench/areas", "", None)] * 200,
            "(L) case list, status + category": [
                ("GET", routes["(L) case list, status + category"][0], admin, None)] * 200,
            "(C) case creation, 2 parties": [
                ("POST", url, info["tokens"]["mediator"], b) for b in bodies[-200:]],
        }  # fmt: skip
        for label, calls in sequential.items():
            cpu = cpu_per_request(name, server, calls)
            result["cpu"][label] = cpu
            db_ms = f", database {cpu['db_ms']:.2f} ms" if cpu["db_ms"] is not None else ""
            print(f"[{name}] {label}, one at a time: {cpu['wall_ms']:.2f} ms each; CPU per "
                  f"request: server {cpu['server_ms']:.2f} ms{db_ms}")  # fmt: skip
        for label, (path, token) in routes.items():
            wrk(server.base + path, token, args.warmup, args.connections)
            res = wrk(server.base + path, token, args.duration, args.connections)
            print(f"[{name}] {label}: {res['rps']:.0f} req/s, p50 {res['p50']:.2f} ms, "
                  f"p99 {res['p99']:.2f} ms {res['errors']}")  # fmt: skip
            result["rows"].append((label, res))
        status, made = request(server.base, "POST", f"/api/v1/t/{info['slug']}/cases",
                               info["tokens"]["mediator"], bodies[0])  # fmt: skip
        assert status == 201, (status, made)
        script = lua_for_bodies(bodies, info["tokens"]["mediator"], tmp)
        url = f"{server.base}/api/v1/t/{info['slug']}/cases"
        levels = [int(c) for c in args.create_connections.split(",") if c.strip()]
        for connections in levels:
            wrk_post(url, script, args.warmup, connections)
            sampler = WaitSampler(name)
            res = wrk_post(url, script, args.duration, connections)
            waits = sampler.stop()
            print(f"[{name}] (C) case creation, {connections} connections: {res['rps']:.0f} "
                  f"req/s, p50 {res['p50']:.2f} ms, p99 {res['p99']:.2f} ms {res['errors']}"
                  + (f"\n    PostgreSQL backends, sampled: {waits}" if waits else ""))  # fmt: skip
            label = "(C) case creation, 2 parties"
            if connections != args.connections:
                label += f", {connections} connections"
            result["rows"].append((label, {**res, "waits": waits}))
    finally:
        server.stop()
    after = numbers(name, env, info["tenant_id"], year)
    after["created"] = after["count"] - before["count"]
    result["numbers"] = after
    print(f"[{name}] numbers of {year}: {after['created']} created under load; 1 … "
          f"{after['max']}: gap-free {after['gap_free']}, unique {after['unique_numbers']}, "
          f"counter {after['counter']}")  # fmt: skip
    if args.profile:
        result["profile"] = profile_creation(env, info, bodies, tmp / name)
    if name == "postgres":
        result["trips"] = round_trips(env, info, bodies[1])
        result["plans"] = pg_plans(env, info)
    else:
        result["plans"] = sqlite_plans(env, info, tmp / name)
    return result


def machine() -> str:
    import platform

    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, load "
            f"average at the end {load}; wrk, the server and the database share the "
            "machine")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per route (10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per route (2)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (50)")
    parser.add_argument("--databases", default="sqlite,postgres", help="(sqlite,postgres)")
    parser.add_argument("--cases", type=int, default=100_000, help="generated cases (100000)")
    parser.add_argument("--profile", action="store_true", help="cProfile 300 creations")
    parser.add_argument("--create-connections", default="50",
                        help="connections of the creation load, e.g. 1,10,50 (50)")  # fmt: skip
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:  # child mode
        print(json.dumps(asyncio.run(seed(args.cases)), ensure_ascii=False, default=str))
        return
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "update", "-q"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    names = [d.strip() for d in args.databases.split(",") if d.strip()]
    print(f"load average at the start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    results: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix=f"wusong-bench-{os.getpid()}-") as tmp:
            for name in names:
                (Path(tmp) / name).mkdir(parents=True, exist_ok=True)
                results[name] = bench_database(name, args, Path(tmp))
    finally:
        if "postgres" in names:
            try:
                pg_drop()
            except Exception as error:
                print(f"could not drop PostgreSQL role and database {ROLE}: {error!r}")
    print("\n| database | route | req/s | p50 ms | p99 ms | goal |")
    print("|---|---|---:|---:|---:|---|")
    for name, result in results.items():
        bare = result["rows"][0][1]["rps"]
        for label, res in result["rows"]:
            goal, pg = "", name == "postgres"  # the goals are PostgreSQL's
            if label.startswith("(L)"):
                ratio = res["rps"] / bare
                met = ratio >= GOAL_LIST_RATIO and res["p99"] < GOAL_LIST_P99_MS
                goal = f"{ratio:.2f} of (b)"
                if pg:
                    goal += f": {'meets' if met else 'misses'} ≥ 0.50 with p99 < 100 ms"
            elif label.startswith("(C)") and pg:
                goal = f"{'meets' if res['rps'] >= GOAL_CREATE_RPS else 'misses'} ≥ 300/s"
            print(f"| {name} | {label} | {res['rps']:.0f} | {res['p50']:.2f} | "
                  f"{res['p99']:.2f} | {goal} |")  # fmt: skip
    errors = [f"{n} {lb}: {r['errors']}" for n, res in results.items() for lb, r in res["rows"]
              if r["errors"]]  # fmt: skip
    print("\nerrors: " + ("; ".join(errors) if errors else "none (every response 2xx)"))
    print(f"{args.duration} s per route after {args.warmup} s warm-up, {args.connections} "
          "connections, one uvicorn process (uvloop, httptools)")  # fmt: skip
    print(
        "\nOne request at a time (200 each): wall ms, and CPU ms per request of the server "
        "process and of the database backends — independent of the load of other processes"
    )
    print("| database | route | ms each | server CPU ms | database CPU ms |")
    print("|---|---|---:|---:|---:|")
    for name, result in results.items():
        for label, cpu in result["cpu"].items():
            db_ms = f"{cpu['db_ms']:.2f}" if cpu["db_ms"] is not None else "(in process)"
            print(f"| {name} | {label} | {cpu['wall_ms']:.2f} | {cpu['server_ms']:.2f} | "
                  f"{db_ms} |")  # fmt: skip
    for name, result in results.items():
        n = result["numbers"]
        ok = n["gap_free"] and n["unique_numbers"] and n["counter"] == n["max"]
        print(
            f"{name}: {n['created']} cases created under load; the year's numbers 1 … {n['max']}"
            f" {'gap-free, unique, counter = last' if ok else 'BROKEN: ' + json.dumps(n)}"
        )
    for result in results.values():
        for label, (per_request, statements) in result["trips"].items():
            print(f"\nPostgreSQL round trips per request, {label}: {per_request:g}")
            print("\n".join(f"    {s[:110]}" for s in statements))
    for name, result in results.items():
        if result["plans"]:
            print(f"\n{name}: plans of the list and search queries:\n")
            print("\n\n".join(result["plans"]))
    for name, result in results.items():
        if result.get("profile"):
            print(f"\n{name}: profile of 300 case creations, one at a time:\n")
            print(result["profile"])
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
