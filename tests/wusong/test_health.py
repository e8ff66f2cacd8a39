"""Liveness, readiness and degraded modes: Redis down, database down and back."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import Browser, Member, app_client


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert "nosniff" in ready.headers["x-content-type-options"]


async def test_redis_down_degrades_only_readiness(admin_a: Member) -> None:
    from wusong.app import create_app
    from wusong.core.settings import get_settings, load_settings

    os.environ["WUSONG_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        settings = load_settings()
    finally:
        os.environ["WUSONG_REDIS_URL"] = get_settings().redis_url
    async with app_client(create_app(settings)) as http:
        ready = await http.get("/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "degraded", "database": "ok", "redis": "down"}
        browser = Browser(http)
        assert (await browser.login("admin-a")).status_code == 200
        created = await browser.post(
            "/t/lishu/areas/new",
            {"kind": "township", "name": "梨树镇", "division_code": "220322100000"},
        )
        assert "已新增乡镇/街道" in created.text


class TcpProxy:
    """A TCP proxy to PostgreSQL that can drop every connection and refuse new ones."""

    def __init__(self, target_port: int = 5432) -> None:
        self.target_port = target_port
        self.server: asyncio.Server | None = None
        self.port = 0
        self.links: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.links):
            writer.close()
        self.links.clear()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def _hide_sqlite(path: Path) -> None:
    """Move the database (and its WAL files) away; a directory in its place cannot be opened."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(f"{path}{suffix}.away")
    path.mkdir()


def _restore_sqlite(path: Path) -> None:
    path.rmdir()
    for suffix in ("", "-wal", "-shm"):
        hidden = Path(f"{path}{suffix}.away")
        if hidden.exists():
            hidden.rename(f"{path}{suffix}")


async def _page_status(http: httpx.AsyncClient, path: str) -> tuple[int, str]:
    response = await http.get(path)
    return response.status_code, response.text


async def test_database_down_gives_503_then_recovers(admin_a: Member, backend: str) -> None:
    from wusong.app import create_app
    from wusong.core.db import get_engine

    engine: Any = get_engine()
    if backend == "postgres":
        proxy = TcpProxy()
        await proxy.up()
        original = dict(engine.config)
        engine.config["dsn"] = original["dsn"].replace(":5432/", f":{proxy.port}/")
    try:
        async with app_client(create_app()) as http:
            browser = Browser(http)
            assert (await browser.login("admin-a")).status_code == 200
            assert (await _page_status(http, "/t/lishu/"))[0] == 200
            if backend == "postgres":
                await proxy.down()
            else:
                _hide_sqlite(Path(engine.path))
            status, text = await _page_status(http, "/t/lishu/")
            assert status == 503
            assert "数据库暂时无法连接" in text
            assert "Traceback" not in text
            api = await http.get("/api/v1/t/lishu/me", headers={"Authorization": "Bearer x"})
            assert api.status_code == 503
            ready = await http.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["database"] == "down"
            if backend == "postgres":
                await proxy.up()
            else:
                _restore_sqlite(Path(engine.path))
            status, _ = await _page_status(http, "/t/lishu/")
            if status == 503:  # the pool may hand out one stale connection before reconnecting
                status, _ = await _page_status(http, "/t/lishu/")
            assert status == 200
    finally:
        if backend == "postgres":
            engine.config.clear()
            engine.config.update(original)
            if proxy.server is not None and proxy.server.is_serving():
                await proxy.down()


@pytest.fixture(autouse=True)
def _restore_redis_env() -> None:
    from wusong.core.settings import get_settings

    os.environ["WUSONG_REDIS_URL"] = get_settings().redis_url
