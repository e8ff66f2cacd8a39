"""A database that accepts connections but never answers, or a SQLite file locked by another
process: every request ends, bounded by the pool-acquire and statement timeouts, with a 503.

The timeouts are set to one second here so the test is quick; the overall ``asyncio.timeout``
only keeps a regression from hanging the run (before the timeouts, requests waited 10–30 s each).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.factories import Browser, Member, app_client, make_token

OVERALL = 25  # seconds: the test fails instead of hanging


@contextlib.contextmanager
def short_timeouts() -> Iterator[Any]:
    from wusong.core.settings import load_settings

    names = ("WUSONG_DATABASE_ACQUIRE_TIMEOUT", "WUSONG_DATABASE_STATEMENT_TIMEOUT")
    for name in names:
        os.environ[name] = "1"
    try:
        yield load_settings()
    finally:
        for name in names:
            os.environ.pop(name, None)


class StallingProxy:
    """A TCP proxy to PostgreSQL that can stop answering: once stalled it keeps every
    connection open, forwards nothing, and accepts new connections that never hear back."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server: asyncio.Server | None = None
        self.port = 0
        self.stalled = asyncio.Event()
        self.writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        if self.stalled.is_set():
            return  # accepted, never answered
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers.add(up_writer)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    if self.stalled.is_set():
                        return  # swallowed: the database has stopped answering
                    dst.write(data)
                    await dst.drain()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def _burst(http: httpx.AsyncClient, token: str) -> list[httpx.Response]:
    auth = {"Authorization": f"Bearer {token}"}
    pages = [http.get("/t/lishu/") for _ in range(15)]
    api = [http.get("/api/v1/t/lishu/areas", headers=auth) for _ in range(15)]
    return list(await asyncio.gather(*pages, *api))


def _assert_all_503(responses: list[httpx.Response]) -> None:
    assert [r.status_code for r in responses] == [503] * len(responses)
    for response in responses:
        if response.request.url.path.startswith("/api/"):
            assert response.json()["status"] == 503
        else:
            assert "服务暂时不可用" in response.text


async def test_a_stalled_postgres_ends_every_request_with_a_503(
    admin_a: Member, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("a stalled server is a PostgreSQL case; SQLite's is the locked file below")
    from wusong.app import create_app
    from wusong.core.db import get_engine

    _, token = await make_token(admin_a)
    engine: Any = get_engine()
    original = dict(engine.config)
    port = int(original["dsn"].rsplit(":", 1)[1].split("/", 1)[0])
    proxy = StallingProxy(port)
    await proxy.up()
    engine.config["dsn"] = original["dsn"].replace(f":{port}/", f":{proxy.port}/")
    try:
        with short_timeouts() as settings:
            app = create_app(settings)
        async with asyncio.timeout(OVERALL), app_client(app) as http:
            browser = Browser(http)
            assert (await browser.login("admin-a")).status_code == 200
            assert (await http.get("/t/lishu/")).status_code == 200
            proxy.stalled.set()
            _assert_all_503(await _burst(http, token))
            ready = await http.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["database"] == "down"
    finally:
        engine.config.clear()
        engine.config.update(original)
        await proxy.close()


async def test_a_locked_sqlite_file_ends_every_write_with_a_503(
    admin_a: Member, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's file lock")
    from wusong.app import create_app
    from wusong.core.db import get_engine

    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    with short_timeouts() as settings:
        app = create_app(settings)
    other = sqlite3.connect(get_engine().path, isolation_level=None)
    try:
        async with asyncio.timeout(OVERALL), app_client(app) as http:
            other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
            bodies = [
                {"kind": "township", "name": f"镇{i}", "division_code": f"2203221{i:02}000"}
                for i in range(10)
            ]
            responses = await asyncio.gather(
                *(http.post("/api/v1/t/lishu/areas", json=b, headers=auth) for b in bodies)
            )
            _assert_all_503(list(responses))
            other.execute("ROLLBACK")
            created = await http.post("/api/v1/t/lishu/areas", json=bodies[0], headers=auth)
            assert created.status_code == 201
            listed = await http.get("/api/v1/t/lishu/areas?count=true", headers=auth)
            assert listed.json()["total"] == 1
    finally:
        other.close()
