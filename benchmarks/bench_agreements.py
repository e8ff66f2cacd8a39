"""Agreements per second through one ``wusong worker``, end to end: ``POST
/api/v1/t/{tenant}/reports`` for many cases at once, until every document is stored.

    .venv/bin/python benchmarks/bench_agreements.py [--count 60] [--processes 2]
        [--cases 5000] [--databases sqlite,postgres]

Data: ``bench_cases.py --seed`` (``gen_cases.py``): settled cases with effective agreements,
signatures and terms. One uvicorn server and one ``wusong worker`` process (its render pool of
``--processes`` processes, ``WUSONG_RENDER_PROCESSES``) run beside the benchmark. One agreement
first warms the worker (its pool started, fonts loaded); then ``--count`` agreements of
different cases are asked for as fast as the API takes them, and the status of each is polled
until all are ready. Throughput = count ÷ (last ready − first request). Goal (issue 9): at
least 10 agreements per second on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import ROLE, Server, pg_drop, run
from bench_cases import machine, request
from bench_report import ROOT, bench_env, start_worker, stop

GOAL_PER_SECOND = 10.0
CASES_SQL = (
    'SELECT DISTINCT a."case" AS case_id FROM case_agreements a WHERE a.tenant = {0} '
    "AND a.status = 'effective' LIMIT {1}"
)


def agreement_cases(name: str, env: dict[str, str], tenant_id: str, count: int) -> list[str]:
    """Cases of the measured county with an effective agreement (read past row-level security:
    the superuser on PostgreSQL, the file on SQLite)."""
    if name == "postgres":
        import asyncpg

        async def read() -> list[str]:
            conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{ROLE}")
            try:
                rows = await conn.fetch(CASES_SQL.format("$1::uuid", "$2"), tenant_id, count)
            finally:
                await conn.close()
            return [str(r["case_id"]) for r in rows]

        return asyncio.run(read())
    path = env["WUSONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        rows = conn.execute(CASES_SQL.format("?", "?"), (tenant_id, count)).fetchall()
    return [str(r[0]) for r in rows]


def ask(base: str, slug: str, token: str, case_id: str) -> str:
    status, asked = request(
        base, "POST", f"/api/v1/t/{slug}/reports", token,
        {"kind": "agreement", "subject_id": case_id},
    )  # fmt: skip
    assert status == 202, (status, asked)
    return str(asked["id"])


def wait_all(base: str, slug: str, token: str, ids: list[str]) -> tuple[float, int]:
    """Poll until every request is ready: the moment the last was seen ready, and the pages."""
    pending, pages = set(ids), 0
    deadline = time.perf_counter() + 600
    while pending and time.perf_counter() < deadline:
        # One request polled at a time (the oldest still pending): polling all of them every
        # round would take the server's CPU from the worker on these two cores.
        for request_id in [i for i in ids if i in pending][:1]:
            status, answer = request(base, "GET", f"/api/v1/t/{slug}/reports/{request_id}", token)
            assert status == 200, (status, answer)
            assert answer["status"] != "failed", answer
            if answer["status"] == "ready":
                pending.discard(request_id)
                pages = answer["document"]["pages"]
        if pending:
            time.sleep(0.05)
    assert not pending, f"{len(pending)} not ready within 600 s"
    return time.perf_counter(), pages


def bench_database(name: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    env = bench_env(name, tmp, 12) | {"WUSONG_RENDER_PROCESSES": str(args.processes)}
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_cases.py"), "--seed"]
    info = json.loads(run([*cmd, "--cases", str(args.cases)], env=env).splitlines()[-1])
    env["BENCH_TENANT_ID"] = info["tenant_id"]
    subprocess.run(["redis-cli", "-n", "12", "FLUSHDB"], check=True, capture_output=True)
    cases = agreement_cases(name, env, info["tenant_id"], args.count + 1)
    assert len(cases) == args.count + 1, f"only {len(cases)} cases with an effective agreement"
    server = Server(env, "bench_api:make_app")
    worker = start_worker(env, tmp / name / "worker.log")
    token, slug = info["tokens"]["admin"], info["slug"]
    try:
        started = time.perf_counter()
        first = ask(server.base, slug, token, cases[0])
        warm_at, _ = wait_all(server.base, slug, token, [first])
        cold = warm_at - started
        started = time.perf_counter()
        ids = [ask(server.base, slug, token, case_id) for case_id in cases[1:]]
        asked = time.perf_counter() - started
        finished, pages = wait_all(server.base, slug, token, ids)
    finally:
        stop(worker)
        server.stop()
    seconds = finished - started
    result = {"cold": cold, "seconds": seconds, "rate": args.count / seconds, "pages": pages,
              "asked": asked}  # fmt: skip
    print(f"[{name}] first agreement (cold worker) {cold:.2f} s; {args.count} agreements "
          f"({pages} pages each) asked in {asked:.2f} s, all stored after {seconds:.2f} s: "
          f"{result['rate']:.1f} per second")  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=60, help="agreements asked at once (60)")
    parser.add_argument("--processes", type=int, default=2, help="render processes (2)")
    parser.add_argument("--cases", type=int, default=5000, help="generated cases (5000)")
    parser.add_argument("--databases", default="sqlite,postgres", help="(sqlite,postgres)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    names = [d.strip() for d in args.databases.split(",") if d.strip()]
    print(f"load average at the start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    results: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix=f"wusong-bench-agree-{os.getpid()}-") as tmp:
            for name in names:
                (Path(tmp) / name).mkdir(parents=True, exist_ok=True)
                results[name] = bench_database(name, args, Path(tmp))
    finally:
        if "postgres" in names:
            try:
                pg_drop()
            except Exception as error:
                print(f"could not drop PostgreSQL role and database {ROLE}: {error!r}")
    print(f"\n{args.count} agreements through one `wusong worker` ({args.processes} render "
          "processes), request → stored document")  # fmt: skip
    print("| database | cold worker, first s | all stored after s | per second | goal |")
    print("|---|---:|---:|---:|---|")
    for name, r in results.items():
        goal = f"{'meets' if r['rate'] >= GOAL_PER_SECOND else 'misses'} ≥ {GOAL_PER_SECOND:.0f}/s"
        print(f"| {name} | {r['cold']:.2f} | {r['seconds']:.2f} | {r['rate']:.1f} | {goal} |")
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
