"""Render time of the ~3-page mediation agreement through the render pool (reports.documents),
cold and warm, and PDFs per second through one pool process.

    .venv/bin/python benchmarks/bench_render.py [--warm 30] [--burst 60] [--processes 1]

- cold, spawn + first render: a fresh pool (a spawned process: imports, FontConfiguration,
  the bundled fonts' first load) and its first agreement;
- cold, first render: a fresh pool whose process was started with a no-op task first, so only
  the render itself (first font load, first layout) is timed;
- warm: the median (and p90) of ``--warm`` renders one after another;
- throughput: ``--burst`` agreements asked at once, PDFs per second through the pool.
Strict: any WeasyPrint warning fails the run. Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes.util
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

TEMPLATE = "pdf/agreement.html"
TITLE = "人民调解协议书（2026）梨调字第0007号"


def machine() -> str:
    import weasyprint

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    harfbuzz_subset = ctypes.util.find_library("harfbuzz-subset") is not None
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"WeasyPrint {weasyprint.__version__}, libharfbuzz-subset: "
        f"{'yes' if harfbuzz_subset else 'NO (fontTools fallback, slow)'}"
    )


async def run(warm: int, burst: int, processes: int) -> None:
    from tests.reports.documents.samples import agreement_context

    from reports.documents import render

    context = agreement_context()
    templates = ROOT / "templates"

    async def one() -> tuple[float, int]:
        started = time.perf_counter()
        rendered = await render.render_pdf(TEMPLATE, context, title=TITLE, author="梨树县")
        return time.perf_counter() - started, rendered.pages

    render.configure(processes=processes, strict=True, templates_dir=templates)
    spawn_first, pages = await one()

    render.configure(processes=processes, strict=True, templates_dir=templates)
    pool, _ = render._get_pool()
    await asyncio.wrap_future(pool.submit(os.getpid))  # the process is up, nothing rendered
    first, _ = await one()

    times = [(await one())[0] for _ in range(warm)]
    times.sort()
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(burst)))
    elapsed = time.perf_counter() - started
    render.shutdown()

    print(f"machine: {machine()}")
    print(f"document: {TEMPLATE}, {pages} pages, render processes: {processes}")
    print(f"cold, spawn + first render: {spawn_first * 1000:8.0f} ms")
    print(f"cold, first render:         {first * 1000:8.0f} ms")
    print(f"warm, median of {warm}:       {median * 1000:8.0f} ms   (p90 {p90 * 1000:.0f} ms,"
          f" min {times[0] * 1000:.0f} ms)")  # fmt: skip
    print(f"throughput, {burst} at once:    {burst / elapsed:8.1f} PDFs/s")
    print(f"goal warm median < 150 ms: {'met' if median < 0.150 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--burst", type=int, default=60)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("WUSONG_ENV", "test")
    asyncio.run(run(args.warm, args.burst, args.processes))


if __name__ == "__main__":
    main()
