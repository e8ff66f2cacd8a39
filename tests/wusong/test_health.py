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


async def _superuser_on_test_database() -> Any:
    """A superuser connection to this worker's database (the fixture's is to ``postgres``)."""
    import asyncpg

    from tests.conftest import PG_ADMIN_URL
    from wusong.core.settings import get_settings

    database = get_settings().database_url.rsplit("/", 1)[1]
    return await asyncpg.connect(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{database}")


async def test_a_refused_privilege_is_a_503_not_a_500(
    admin_a: Member, client: httpx.AsyncClient, backend: str
) -> None:
    """PostgreSQL refusing the application role (a REVOKE) is a fault of the set-up: 503."""
    if backend != "postgres":
        pytest.skip("privileges exist on PostgreSQL only")
    from tests.factories import make_token
    from wusong.core.settings import get_settings

    _, token = await make_token(admin_a)
    browser = Browser(client)
    await browser.login("admin-a")
    assert (await client.get("/t/lishu/areas")).status_code == 200
    role = get_settings().database_url.split("//", 1)[1].split("@", 1)[0].split(":")[0]
    superuser = await _superuser_on_test_database()
    try:
        await superuser.execute(f'REVOKE ALL ON areas FROM PUBLIC, "{role}"')
        page = await client.get("/t/lishu/areas")
        assert page.status_code == 503
        assert "服务暂时不可用" in page.text
        assert "Traceback" not in page.text
        api = await client.get(
            "/api/v1/t/lishu/areas", headers={"Authorization": f"Bearer {token}"}
        )
        assert api.status_code == 503
        assert api.json()["status"] == 503
        assert api.json()["detail"]
    finally:
        await superuser.close()


async def test_a_terminated_pooled_connection_is_a_503_then_recovers(
    admin_a: Member, admin_connection: Any, client: httpx.AsyncClient, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    from wusong.core.settings import get_settings

    browser = Browser(client)
    await browser.login("admin-a")
    assert (await client.get("/t/lishu/")).status_code == 200
    database = get_settings().database_url.rsplit("/", 1)[1]
    await admin_connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = $1 AND pid <> pg_backend_pid()",
        database,
    )
    first = await client.get("/t/lishu/")
    assert first.status_code in {200, 503}
    if first.status_code == 503:
        assert "服务暂时不可用" in first.text
    statuses = [(await client.get("/t/lishu/")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


async def test_a_connection_terminated_during_a_request_is_a_503_then_recovers(
    scratch: Browser, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    response = await scratch.get("/t/lishu/scratch/terminate")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.text
    assert "Traceback" not in response.text
    for _ in range(3):
        assert (await scratch.get("/t/lishu/")).status_code == 200
