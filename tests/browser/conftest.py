"""Browser journeys: the real server (``wusong serve``) and Debian's chromium, headless.

Each journey gets a server of its own on a free port, over a copy of the test's database taken
after the journey's seed data is written, so it never meets another test's data. Chromium runs
with the flags a closed network needs. Every step is saved as a screenshot under
``var/screenshots/<journey>/<viewport>/``; any console error, failed request or error status of
our own pages fails the journey.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    BACKEND,
    PG_DATABASE,
    PG_OWNER,
    ROOT,
    SQLITE_DATABASE,
    WORKER_DIR,
    _admin,
    _database_url,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
SCREENSHOTS = ROOT / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own server
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


async def _copy_database() -> str:
    """A copy of the test's database (seeded by then) for the server process to own."""
    from wusong.core import db

    await db.stop()
    if BACKEND == "postgres":
        name = f"{PG_DATABASE}_web"
        admin = await _admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{PG_DATABASE}" OWNER "{PG_OWNER}"'
            )
        finally:
            await admin.close()
        return _database_url(name)
    copy = WORKER_DIR / "web.sqlite3"
    _sqlite_copy(SQLITE_DATABASE, copy)
    return _database_url(str(copy))


def _sqlite_copy(source: Path, target: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _remove_sqlite(target)
    shutil.copyfile(source, target)


async def _drop_copy() -> None:
    if BACKEND == "postgres":
        admin = await _admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}_web" WITH (FORCE)')
        finally:
            await admin.close()
    else:
        _remove_sqlite(WORKER_DIR / "web.sqlite3")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - uvicorn exits on SIGTERM
            self.process.kill()
        return self.log.read_text(errors="replace")


async def start_server() -> Server:
    """``wusong serve`` on a free port over a copy of the test database, once it answers."""
    return _serve(await _copy_database())


def _serve(database_url: str) -> Server:
    port = _free_port()
    log = WORKER_DIR / f"server-{port}.log"
    env = {**os.environ, "WUSONG_DATABASE_URL": database_url}
    env.pop("WUSONG_DATABASE_OWNER_URL", None)  # the server runs as the runtime role only
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "wusong"), "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log, env)
    deadline = time.monotonic() + 60  # a loaded machine (two suites at once) starts it slowly
    while time.monotonic() < deadline:
        if _answers(f"{server.url}/health"):
            return server
        try:  # wait a moment for it to listen, noticing if it exits instead
            process.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            continue
    raise AssertionError(f"the server did not start:\n{server.stop()}")


async def run_worker(server: Server) -> str:
    """``wusong worker --burst`` with the server's environment (its database copy, this test
    worker's Redis and data folder): runs every queued job, exits; returns its log."""
    log = WORKER_DIR / f"worker-{server.url.rsplit(':', 1)[1]}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / "wusong"),
            "worker",
            "--burst",
            cwd=ROOT,
            env=server.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        await asyncio.wait_for(process.wait(), timeout=120)
    finally:
        if process.returncode is None:  # pragma: no cover - a burst worker exits on its own
            process.kill()
            await process.wait()
    text = log.read_text(errors="replace")
    assert process.returncode == 0, text
    assert "Traceback" not in text, text
    return text


@dataclass
class Journey:
    """One journey in one viewport: its page, its screenshots, and what went wrong."""

    name: str
    viewport: str
    page: Any
    server: Server
    problems: list[str] = field(default_factory=list)
    step: int = 0

    @property
    def folder(self) -> Path:
        return SCREENSHOTS / self.name / self.viewport

    async def shot(self, label: str) -> None:
        """Save the page as it is now (the folder was made when the journey started)."""
        self.step += 1
        await self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{label}.png"))

    async def goto(self, path: str) -> None:
        await self.page.goto(self.server.url + path)

    async def nav(self, label: str) -> None:
        """Follow a main-navigation link; on a phone the menu opens first."""
        toggle = self.page.locator(".nav-toggle")
        if await toggle.is_visible():
            await toggle.click()
        await self.page.locator("#mainnav").get_by_role("link", name=label, exact=True).click()


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is needed (scripts/dev test installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        await browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def journey_name(request: pytest.FixtureRequest) -> str:
    return request.node.originalname.removeprefix("test_")


@pytest.fixture
async def trip(
    chromium: Any, viewport: str, journey_name: str, seeded: None
) -> AsyncIterator[Journey]:
    """A fresh browser context on a fresh server; fails on console errors and bad responses."""
    server = await start_server()
    width, height = VIEWPORTS[viewport]
    context = await chromium.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = await context.new_page()
    trip = Journey(journey_name, viewport, page, server)
    _fresh_folder(trip.folder)
    page.set_default_timeout(10_000)
    page.on(
        "console",
        lambda message: (
            message.type == "error" and trip.problems.append(f"console error: {message.text}")
        ),
    )
    page.on(
        "requestfailed",
        # A load the browser itself cancelled because the page moved on (a form submitted while
        # the favicon was still loading) is not a failure of ours; anything else is.
        lambda request: (
            request.failure != "net::ERR_ABORTED"
            and trip.problems.append(
                f"request failed: {request.method} {request.url} ({request.failure})"
            )
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and response.url.startswith(server.url)
            and trip.problems.append(f"{response.status} for {response.url}")
        ),
    )
    try:
        yield trip
    finally:
        await context.close()
        log = server.stop()
        await _drop_copy()
    assert "Traceback" not in log, log
    assert not trip.problems, "\n".join(trip.problems)


@pytest.fixture
def seeded() -> None:
    """Overridden by journeys that need data before the server starts."""
    return


def _fresh_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
