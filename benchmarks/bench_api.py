"""Requests/s and p50/p99 latency of three routes on SQLite and PostgreSQL, in one run.

    .venv/bin/python benchmarks/bench_api.py [--duration 10] [--connections 50]
        [--warmup 2] [--databases sqlite,postgres]

(a) GET /bench/hello   {"hello": "world"}                      harness-only route
(b) GET /bench/areas   one Piccolo SELECT of 20 rows, no auth   harness-only route
(c) GET /api/v1/t/{tenant}/areas?limit=20 with a bearer token   the product route

make_app() mounts (a) and (b) on the product's own create_app(); product code is untouched.
PostgreSQL FORCEs row-level security on areas, so a bare SELECT without a tenant set sees no
rows: there (b) reads bench_areas, a plain copy of areas (same columns, indexes and 100,000
rows, no RLS). On SQLite (b) reads areas itself. Load comes from wrk on 127.0.0.1 only.

Everything the run creates is named after its process id (PostgreSQL role and database
wusong_bench_<pid>, temporary folder wusong-bench-<pid>-*) and removed at the end, also when
the run fails or is interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import get
from piccolo.columns import UUID, Boolean, Integer, Timestamptz, Varchar
from piccolo.table import Table

BENCH_DIR = Path(__file__).resolve().parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")
# The PostgreSQL role, also the name of its database: one per run, so runs never collide.
# Set in the parent process; the seed and server children import this module but never use it.
ROLE = f"wusong_bench_{os.getpid()}"  # the runtime role (and the database's name)
OWNER = f"{ROLE}_owner"  # owns the database and the tables, migrates
# slug, county code, rows: 100,000 areas in total; the first tenant is the one benchmarked
TENANTS = [
    ("bench", "220322000000", 40_000),
    ("bench-b", "220382000000", 20_000),
    ("bench-c", "220323000000", 20_000),
    ("bench-d", "220303000000", 20_000),
]
AREA_COLS = "id, tenant, parent, kind, name, division_code, active, created_at, updated_at, version"
CITY = ("四平市", "220300000000")
GOAL = {"sqlite": 0.5, "postgres": 0.75}  # (c) req/s as a share of (b), from the issue


class BenchArea(Table, tablename="bench_areas"):
    """The plain (no RLS) copy of areas that route (b) reads on PostgreSQL."""

    id = UUID(primary_key=True)
    tenant = UUID()
    parent = UUID(null=True)
    kind = Varchar(length=12)
    name = Varchar(length=60)
    division_code = Varchar(length=12)
    active = Boolean()
    updated_at = Timestamptz()
    version = Integer()


STATE: dict[str, Any] = {}


@get("/bench/hello", opt={"exclude_from_csrf": True})
async def bench_hello() -> dict[str, str]:
    return {"hello": "world"}


@get("/bench/areas", opt={"exclude_from_csrf": True})
async def bench_areas() -> list[dict[str, Any]]:
    t = STATE["table"]  # the same columns, filter, order and limit as repo.list_areas
    cols = [getattr(t, c) for c in ("id", "kind", "name", "division_code", "active", "version")]
    query = t.select(*cols, t.parent.as_alias("parent_id"), t.updated_at)
    return await query.where(t.tenant == STATE["tenant_id"]).order_by(t.division_code).limit(20)


def make_app() -> Any:
    """uvicorn --factory entry point: the product app plus the two harness routes."""
    import wusong  # noqa: F401  (sets PICCOLO_CONF)
    from tenants.tables import Area
    from wusong.app import create_app
    from wusong.core.settings import get_settings

    STATE["tenant_id"] = uuid.UUID(os.environ["BENCH_TENANT_ID"])
    STATE["table"] = BenchArea if get_settings().is_postgres else Area
    app = create_app()
    app.register(bench_hello)
    app.register(bench_areas)
    return app


def area_rows(tenant_id: uuid.UUID, county: str, n: int) -> list[tuple[Any, ...]]:
    """n // 400 townships of 399 villages each, with the official 12-digit code structure."""
    now, rows = datetime.now(UTC), []
    tail = (True, now, now, 1)  # active, created_at, updated_at, version
    for t in range(1, n // 400 + 1):
        town, code = uuid.uuid4(), f"{county[:6]}{t:03d}000"
        rows.append((town, tenant_id, None, "township", f"第{t}镇", code, *tail))
        for v in range(1, 400):
            village = (uuid.uuid4(), tenant_id, town, "village", f"第{t}镇第{v}村")
            rows.append((*village, f"{code[:9]}{v:03d}", *tail))
    return rows


async def seed() -> dict[str, Any]:
    import wusong  # noqa: F401  (sets PICCOLO_CONF)
    from tenants import repo, services
    from tenants.schemas import MemberCreate, TenantCreate, TokenCreate
    from wusong.core import db
    from wusong.core.settings import get_settings
    from wusong.core.tenancy import system_context
    from wusong.migrate import migrate_all, runtime_role

    settings = get_settings()
    async with db.as_owner(settings):  # PostgreSQL: the owner role migrates and grants
        await migrate_all(settings)
    await db.start(settings)  # the rest runs as the runtime role, like the product
    pg, engine, info = db.is_postgres(), db.get_engine(), {}
    marks = ", ".join(f"${i}" if pg else "?" for i in range(1, 11))
    insert = f"INSERT INTO areas ({AREA_COLS}) VALUES ({marks})"
    tenants = []
    try:
        for slug, code, n in TENANTS:
            async with db.unit_of_work(writes=True):  # create_tenant binds it to the new tenant
                tenant = await services.create_tenant(
                    TenantCreate(slug, f"压测{slug}", code, *CITY)
                )
                if not info:  # the benchmarked tenant: one viewer with one API token
                    ctx = system_context(tenant, "bench")
                    password = secrets.token_urlsafe(16)
                    member = MemberCreate("bench-viewer", "压测", "viewer", password)
                    await services.create_member(ctx, member, must_change_password=False)
                    user = await repo.user_by_username("bench-viewer")
                    assert user is not None
                    created = await services.create_token(ctx, user.id, TokenCreate("bench"))
                    info = {"slug": slug, "tenant_id": str(tenant.id), "token": created.token}
            tenants.append(tenant)
            async with db.unit_of_work(writes=True, tenant_id=tenant.id) as unit:
                rows = area_rows(tenant.id, code, n)
                await unit.transaction.connection.executemany(insert, rows)
        if not pg:
            await engine.run_ddl("ANALYZE")
            return info
    finally:
        await db.stop()
    # The harness table (DDL) is the owner's; the runtime role may only read it.
    async with db.as_owner(settings):
        await engine.run_ddl("CREATE TABLE bench_areas (LIKE areas INCLUDING ALL)")
        await engine.run_ddl("INSERT INTO bench_areas SELECT * FROM areas")  # owner: all tenants
        await engine.run_ddl(f"GRANT SELECT ON bench_areas TO {runtime_role(settings)}")
        await engine.run_ddl("VACUUM ANALYZE areas")
        await engine.run_ddl("VACUUM ANALYZE bench_areas")
    return info


def run(cmd: list[str], **kw: Any) -> str:
    try:
        return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout
    except subprocess.CalledProcessError as error:
        sys.stderr.write(error.stderr or "")
        raise


async def pg_admin(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def pg_prepare() -> None:
    """Two roles, neither superuser nor BYPASSRLS: an owner with a fresh database named after the
    run, which migrates; and the runtime role the server connects as (it owns nothing)."""
    pg_drop()  # only a killed earlier run whose process id was ours could have left them
    asyncio.run(
        pg_admin(
            f"CREATE ROLE {OWNER} LOGIN NOSUPERUSER NOBYPASSRLS",
            f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS",
            f"CREATE DATABASE {ROLE} OWNER {OWNER}",
        )
    )


def pg_drop() -> None:
    """Remove this run's database (closing any connection still open to it) and its role."""
    asyncio.run(
        pg_admin(
            f"DROP DATABASE IF EXISTS {ROLE} WITH (FORCE)",
            f"DROP ROLE IF EXISTS {ROLE}",
            f"DROP ROLE IF EXISTS {OWNER}",
        )
    )


def get_json(url: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http://127.0.0.1 only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """The processes below ``pid``: its children, theirs, and so on (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


class Server:
    """One uvicorn process on 127.0.0.1 (a free port) serving make_app() (or ``app``, another
    factory in this folder that builds on it). With ``workers`` > 1: uvicorn --workers, a
    supervisor process (``proc``) and that many worker processes sharing the port."""

    def __init__(
        self, env: dict[str, str], app: str = "bench_api:make_app", workers: int | None = None
    ) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.workers = workers or 1
        cmd = [sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(BENCH_DIR)]
        cmd += [app, "--host", "127.0.0.1", "--port", str(port), "--loop"]
        cmd += ["uvloop", "--http", "httptools", "--log-level", "warning", "--no-access-log"]
        if self.workers > 1:
            cmd += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, env=env, cwd=BENCH_DIR.parent)
        try:
            deadline = time.monotonic() + 60  # a busy machine starts it slowly
            while time.monotonic() < deadline:
                try:
                    get_json(self.base + "/bench/hello")
                    break
                except OSError:
                    if self.proc.poll() is not None:
                        raise RuntimeError("the server exited at start") from None
                    time.sleep(0.1)
            else:
                raise RuntimeError("the server did not answer within 60 s")
            if self.workers > 1:
                self._wait_for_workers(deadline)
        except BaseException:  # also Ctrl-C or SIGTERM while waiting: no orphaned server
            self.stop()
            raise

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (multiprocessing spawn children of the supervisor)."""
        found = []
        for pid in descendants(self.proc.pid):
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                continue
        return found

    def pids(self) -> list[int]:
        """Every process of the server: the one process, or the supervisor and all below it."""
        return [self.proc.pid] + (descendants(self.proc.pid) if self.workers > 1 else [])

    def _wait_for_workers(self, deadline: float) -> None:
        """The port answers as soon as one worker serves. Wait until all are there and done
        starting (imports, the app factory): their CPU time stops growing for 0.6 s."""
        before, quiet = -1.0, 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the server exited at start")
            workers = self.worker_pids()
            used = cpu_seconds(workers)
            settled = len(workers) >= self.workers and before >= 0 and used - before < 0.03
            quiet = quiet + 1 if settled else 0
            if quiet >= 2:
                return
            before = used
            time.sleep(0.3)
        raise RuntimeError(f"the {self.workers} workers did not settle within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        below = descendants(self.proc.pid) if self.workers > 1 else []
        self.proc.send_signal(signal.SIGTERM)  # the supervisor stops and joins its workers
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            for pid in below:  # a killed supervisor leaves its workers behind
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def wrk(url: str, token: str | None, seconds: int, connections: int) -> dict[str, Any]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    out = run([*cmd, *(["-H", f"Authorization: Bearer {token}"] if token else []), url])

    def ms(pattern: str) -> float:
        value, unit = re.search(pattern + r"\s+([\d.]+)(us|ms|s|m)\b", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": ms(r"^\s+50%"),
        "p99": ms(r"^\s+99%"),
        "errors": "; ".join(re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", out)),
    }


def pg_statements(since: int) -> list[str]:
    """The bench role's statements logged after byte ``since``: one per round trip."""
    with PG_LOG.open("rb") as f:
        f.seek(since)
        entries = re.split(r"\n(?=\d{4}-\d\d-\d\d )", f.read().decode("utf-8", "replace"))
    head = re.compile(rf"^\S+ \S+ \S+ \[\d+\] {ROLE}@{ROLE} LOG:  (statement|execute [^:]*): ")
    return [" ".join(e[m.end() :].split()) for e in entries if (m := head.match(e))]


def round_trips(env: dict[str, str], routes: dict[str, tuple[str, str | None]]) -> dict:
    """log_statement=all for the bench role (new connections: a new server), count per request."""
    asyncio.run(pg_admin(f"ALTER ROLE {ROLE} SET log_statement = 'all'"))
    server, result, n = None, {}, 20
    try:
        server = Server(env)
        for label, (path, token) in routes.items():
            for _ in range(30):  # warm the pooled connection's prepared-statement cache
                get_json(server.base + path, token)
            time.sleep(0.5)
            start = PG_LOG.stat().st_size
            for _ in range(n):
                get_json(server.base + path, token)
            time.sleep(1.0)
            statements = pg_statements(start)
            result[label] = (len(statements) / n, statements[: len(statements) // n])
    finally:
        if server:
            server.stop()
        asyncio.run(pg_admin(f"ALTER ROLE {ROLE} RESET log_statement"))
    return result


def bench_database(name: str, args: argparse.Namespace, tmp: Path) -> tuple[list, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WUSONG_", "PICCOLO_"))}
    env |= {"WUSONG_DATA_DIR": str(tmp / name), "WUSONG_REDIS_URL": "redis://127.0.0.1:6379/14"}
    env |= {"WUSONG_ENV": "development", "WUSONG_SECRET_KEY": secrets.token_urlsafe(48)}
    if name == "postgres":
        pg_prepare()  # main() drops the role and database again, whatever happens
        env["WUSONG_DATABASE_URL"] = f"postgresql://{ROLE}@127.0.0.1:5432/{ROLE}"
        env["WUSONG_DATABASE_OWNER_URL"] = f"postgresql://{OWNER}@127.0.0.1:5432/{ROLE}"
    else:
        env["WUSONG_DATABASE_URL"] = f"sqlite:///{tmp / name / 'bench.sqlite3'}"
    started = time.perf_counter()
    info = json.loads(run([sys.executable, __file__, "--seed"], env=env).splitlines()[-1])
    print(f"[{name}] migrated, 100,000 areas loaded in {time.perf_counter() - started:.1f} s")
    env["BENCH_TENANT_ID"] = info["tenant_id"]
    routes = {
        "(a) hello": ("/bench/hello", None),
        "(b) bare select": ("/bench/areas", None),
        "(c) tenant API": (f"/api/v1/t/{info['slug']}/areas?limit=20", info["token"]),
    }
    rows, server = [], Server(env)
    try:
        page = get_json(server.base + routes["(c) tenant API"][0], info["token"])
        bare = get_json(server.base + "/bench/areas")
        assert len(bare) == 20
        assert [i["id"] for i in page["items"]] == [r["id"] for r in bare]
        print(f"[{name}] (b) and (c) return the same 20 rows; (c) total={page['total']}")
        for label, (path, token) in routes.items():
            wrk(server.base + path, token, args.warmup, args.connections)
            res = wrk(server.base + path, token, args.duration, args.connections)
            print(f"[{name}] {label}: {res['rps']:.0f} req/s, p50 {res['p50']:.2f} ms, "
                  f"p99 {res['p99']:.2f} ms {res['errors']}")  # fmt: skip
            rows.append((name, label, res))
    finally:
        server.stop()
    trips = round_trips(env, dict(list(routes.items())[1:])) if name == "postgres" else {}
    return rows, trips


def machine() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, "
        f"{' '.join(wrk_v.split()[:2])} (1 thread, same machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per route (10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per route (2)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (50)")
    parser.add_argument("--databases", default="sqlite,postgres", help="(sqlite,postgres)")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:  # child mode
        print(json.dumps(asyncio.run(seed())))
        return
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop servers and drop what we created.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk")
        subprocess.run(["apt-get", "update", "-q"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    all_rows, trips, names = [], {}, [d.strip() for d in args.databases.split(",") if d.strip()]
    try:
        with tempfile.TemporaryDirectory(prefix=f"wusong-bench-{os.getpid()}-") as tmp:
            for name in names:
                rows, db_trips = bench_database(name, args, Path(tmp))
                all_rows += rows
                trips |= db_trips
    finally:
        if "postgres" in names:
            try:
                pg_drop()
            except Exception as error:  # keep the run's own error, if any, in view
                print(f"could not drop PostgreSQL role and database {ROLE}: {error!r}")
    print("\n| database | route | req/s | p50 ms | p99 ms | (c)/(b) ratio |")
    print("|---|---|---:|---:|---:|---|")
    for name, label, res in all_rows:
        ratio = ""
        if label.startswith("(c)"):
            b = next(r for n, lb, r in all_rows if n == name and lb.startswith("(b)"))
            value = res["rps"] / b["rps"]
            verdict = "meets" if value >= GOAL[name] else "misses"
            ratio = f"{value:.2f} ({verdict} goal ≥ {GOAL[name]:.2f})"
        print(f"| {name} | {label} | {res['rps']:.0f} | {res['p50']:.2f} | {res['p99']:.2f} "
              f"| {ratio} |")  # fmt: skip
    errors = [f"{n} {lb}: {r['errors']}" for n, lb, r in all_rows if r["errors"]]
    print("\nerrors: " + ("; ".join(errors) if errors else "none (every response 2xx)"))
    print(f"{args.duration} s per route after {args.warmup} s warm-up, {args.connections} "
          "connections, one uvicorn process (uvloop, httptools)")  # fmt: skip
    print("(b) reads areas on SQLite; on PostgreSQL a plain copy bench_areas (same rows, "
          "indexes, no RLS): FORCEd RLS hides every areas row without a tenant set")  # fmt: skip
    for label, (per_request, statements) in trips.items():
        print(f"\nPostgreSQL round trips per request, {label}: {per_request:g}")
        print("\n".join(f"    {s[:90]}" for s in statements))
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
