"""A program's work report over the 100,000-case data set, end to end: from ``POST
/api/v1/t/{tenant}/reports`` to the stored document, through a real ``wusong worker`` process.

    .venv/bin/python benchmarks/bench_report.py [--runs 5] [--cases 100000]
        [--databases sqlite,postgres] [--poll 0.02]

Data: ``gen_cases.py`` through ``bench_cases.py --seed`` (a fresh database of its own: 100,000
cases over 5 counties, 22,000 in the measured one). The program is the measured county's
busiest program (the generator gives each county one mediation studio, which takes about 40 %
of its first township's cases); the period is the last whole calendar year. The county's own
report (every program, every case of the county) is measured the same way for information.

One uvicorn server and one ``wusong worker`` process (the product's worker settings, its
render pool of one process) run beside the benchmark. Each run asks for a new report as the
county's administrator (so the indicators are computed afresh: the request's audit event
changes the data version the indicator cache is keyed on) and polls the request's status
every ``--poll`` seconds until it is ready; the time is from just before the POST to the
answer that says ready. The first report of a fresh worker (its render process starting,
fonts loading) is reported apart as "cold"; the goal is on the median of ``--runs`` warm
runs: under 3 s on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api
from bench_api import ROLE, Server, pg_drop, pg_prepare, run
from bench_cases import machine, request

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 3.0


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "wusong.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def one_report(
    base: str, slug: str, token: str, body: dict[str, Any], poll: float
) -> tuple[float, dict[str, Any]]:
    """Seconds from the POST to the answer saying the document is stored, and that answer."""
    path = f"/api/v1/t/{slug}/reports"
    started = time.perf_counter()
    status, asked = request(base, "POST", path, token, body)
    assert status == 202, (status, asked)
    deadline = started + 120
    while time.perf_counter() < deadline:
        status, answer = request(base, "GET", f"{path}/{asked['id']}", token)
        assert status == 200, (status, answer)
        if answer["status"] == "ready":
            return time.perf_counter() - started, answer
        assert answer["status"] != "failed", answer
        time.sleep(poll)
    raise RuntimeError(f"the report was not ready within 120 s: {answer}")


def bench_env(name: str, tmp: Path, redis_db: int) -> dict[str, str]:
    """The environment of a run's server, worker and seed on ``name`` (sqlite or postgres: a
    fresh role and database of this run), this checkout's code and a Redis database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WUSONG_", "PICCOLO_"))}
    env |= {"WUSONG_DATA_DIR": str(tmp / name),
            "WUSONG_REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}"}  # fmt: skip
    env |= {"WUSONG_ENV": "development", "WUSONG_SECRET_KEY": secrets.token_urlsafe(48)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "platform"), str(ROOT)])  # this checkout
    if name == "postgres":
        pg_prepare()
        env["WUSONG_DATABASE_URL"] = f"postgresql://{ROLE}@127.0.0.1:5432/{ROLE}"
        env["WUSONG_DATABASE_OWNER_URL"] = f"postgresql://{bench_api.OWNER}@127.0.0.1:5432/{ROLE}"
    else:
        env["WUSONG_DATABASE_URL"] = f"sqlite:///{tmp / name / 'bench.sqlite3'}"
    return env


def bench_database(name: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    env = bench_env(name, tmp, 13)
    started = time.perf_counter()
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_cases.py"), "--seed"]
    info = json.loads(run([*cmd, "--cases", str(args.cases)], env=env).splitlines()[-1])
    cases = sum(c["cases"] for c in info["counties"])
    print(f"[{name}] migrated and generated {cases:,} cases in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    env["BENCH_TENANT_ID"] = info["tenant_id"]
    subprocess.run(  # this run's queue only
        ["redis-cli", "-n", "13", "FLUSHDB"], check=True, capture_output=True
    )
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year - 1  # the last whole year
    span = {
        "period_from": date(year, 1, 1).isoformat(),
        "period_to": date(year, 12, 31).isoformat(),
    }
    kinds = {
        "program": {"kind": "program", "subject_id": info["studio"], **span},
        "tenant": {"kind": "tenant", **span},
    }
    server = Server(env, "bench_api:make_app")
    worker = start_worker(env, tmp / name / "worker.log")
    token, slug = info["tokens"]["admin"], info["slug"]
    result: dict[str, Any] = {"cases": cases, "county_cases": info["counties"][0]["cases"]}
    try:
        cold, answer = one_report(server.base, slug, token, kinds["program"], args.poll)
        result["cold"] = cold
        for kind, body in kinds.items():
            times, last = [], answer
            for _ in range(args.runs):
                seconds, last = one_report(server.base, slug, token, body, args.poll)
                times.append(seconds)
            document = last["document"]
            result[kind] = {"times": times, "pages": document["pages"], "size": document["size"],
                            "title": document["title"]}  # fmt: skip
            print(f"[{name}] {kind}: {', '.join(f'{t:.2f}' for t in times)} s; "
                  f"{document['pages']} pages, {document['size'] / 1024:.0f} KiB")  # fmt: skip
    finally:
        stop(worker)
        server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="warm reports per kind (5)")
    parser.add_argument("--cases", type=int, default=100_000, help="generated cases (100000)")
    parser.add_argument("--databases", default="sqlite,postgres", help="(sqlite,postgres)")
    parser.add_argument("--poll", type=float, default=0.02, help="status poll interval, s (0.02)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    names = [d.strip() for d in args.databases.split(",") if d.strip()]
    print(f"load average at the start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    results: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix=f"wusong-bench-report-{os.getpid()}-") as tmp:
            for name in names:
                (Path(tmp) / name).mkdir(parents=True, exist_ok=True)
                results[name] = bench_database(name, args, Path(tmp))
    finally:
        if "postgres" in names:
            try:
                pg_drop()
            except Exception as error:
                print(f"could not drop PostgreSQL role and database {ROLE}: {error!r}")
    print(f"\nrequest → stored document through one `wusong worker`, {args.runs} warm runs each, "
          "last whole year")  # fmt: skip
    print(
        "| database | report | cases (county) | cold s | median s | min s | max s | pages | goal |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name, result in results.items():
        for kind in ("program", "tenant"):
            times = result[kind]["times"]
            median = statistics.median(times)
            goal = ""
            if kind == "program":
                goal = f"{'meets' if median < GOAL_SECONDS else 'misses'} < {GOAL_SECONDS:.0f} s"
            cold = f"{result['cold']:.2f}" if kind == "program" else ""
            print(f"| {name} | {kind} | {result['county_cases']:,} | {cold} | {median:.2f} "
                  f"| {min(times):.2f} | {max(times):.2f} | {result[kind]['pages']} "
                  f"| {goal} |")  # fmt: skip
    print(f"\nmachine: {machine()}")


if __name__ == "__main__":
    main()
