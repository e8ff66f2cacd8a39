"""Test data builders (each needs a tenant) and an HTTP client that signs in like a browser.

Each builder is one unit of work, as the platform would run it; later domains add theirs in their
own ``tests/<domain>/factories.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar import Litestar

ROOT_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
TENANT_A = ("lishu", "梨树县", "220322000000")
TENANT_B = ("tiexi", "铁西区", "220302000000")


async def make_tenant(spec: tuple[str, str, str] = TENANT_A) -> Any:
    from tenants import services
    from tenants.schemas import TenantCreate
    from wusong.core.db import unit_of_work

    slug, name, code = spec
    async with unit_of_work(writes=True):
        return await services.create_tenant(
            TenantCreate(slug, name, code, "四平市", "220300000000")
        )


@contextlib.asynccontextmanager
async def in_tenant(tenant: Any, *, writes: bool = True) -> AsyncIterator[Any]:
    """The platform acting in ``tenant``: one unit of work, as a CLI command or a job runs."""
    from wusong.core.tenancy import tenant_context

    async with tenant_context(tenant, writes=writes, actor_name="test") as ctx:
        yield ctx


@dataclass
class Member:
    tenant: Any
    username: str
    role: str
    user_id: UUID
    membership_id: UUID
    password: str = PASSWORD


async def make_member(
    tenant: Any, username: str, role: str = "admin", password: str = PASSWORD
) -> Member:
    from tenants import repo, services
    from tenants.schemas import MemberCreate

    async with in_tenant(tenant) as ctx:
        data = MemberCreate(username, username, role, password)
        membership_id = await services.create_member(ctx, data, must_change_password=False)
        member = await repo.get_member(ctx, membership_id)
    return Member(tenant, username, role, member.user_id, membership_id, password)


async def make_area(
    tenant: Any, kind: str, name: str, code: str, parent_id: UUID | None = None
) -> Any:
    from tenants import services
    from tenants.schemas import AreaCreate

    async with in_tenant(tenant) as ctx:
        return await services.create_area(ctx, AreaCreate(kind, name, code, parent_id))


async def make_token(member: Member, name: str = "测试令牌") -> tuple[UUID, str]:
    from tenants import services
    from tenants.schemas import TokenCreate

    async with in_tenant(member.tenant) as ctx:
        created = await services.create_token(ctx, member.user_id, TokenCreate(name))
        return created.id, created.token


class Browser:
    """A test client that keeps cookies and sends the CSRF token with every form."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._csrf: tuple[tuple[str | None, ...], str] | None = None

    def _binding(self) -> tuple[str | None, ...]:
        return tuple(self.client.cookies.get(k) for k in ("wusong_session", "wusong_presession"))

    async def csrf(self) -> str:
        """The CSRF token of this browser's session (or pre-session), read from a page's form
        as a browser would; read again whenever the session cookie changes."""
        if self._csrf is None or self._csrf[0] != self._binding():
            page = await self.client.get("/login")
            match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
            assert match, "the sign-in page must carry the CSRF token"
            self._csrf = (self._binding(), match.group(1))
        return self._csrf[1]

    async def login(self, username: str, password: str = PASSWORD) -> Any:
        return await self.post("/login", {"username": username, "password": password, "next": "/"})

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.client.get(path, **kwargs)

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        form = {"_csrf_token": await self.csrf(), **(data or {})}
        return await self.client.post(path, data=form, **kwargs)


@pytest.fixture
async def app() -> Litestar:
    from wusong.app import create_app

    return create_app()


@contextlib.asynccontextmanager
async def app_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app in the test's own event loop (Litestar's AsyncTestClient runs it in a thread,
    which would share the PostgreSQL pool across loops), with its start-up hooks run."""
    for hook in app.on_startup:
        await hook(app)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", follow_redirects=True
        ) as http:
            yield http
    finally:
        for hook in app.on_shutdown:
            await hook(app)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app) as http:
        yield http


@pytest.fixture
async def browser(client: httpx.AsyncClient) -> Browser:
    return Browser(client)


@pytest.fixture
async def tenant_a() -> Any:
    return await make_tenant(TENANT_A)


@pytest.fixture
async def tenant_b() -> Any:
    return await make_tenant(TENANT_B)


@pytest.fixture
async def admin_a(tenant_a: Any) -> Member:
    return await make_member(tenant_a, "admin-a", "admin")


@pytest.fixture
async def admin_b(tenant_b: Any) -> Member:
    return await make_member(tenant_b, "admin-b", "admin")


async def wusong(*args: str, stdin: str = "") -> Any:
    """The ``wusong`` command in-process (click's runner), against this worker's database.

    It runs in a thread: the command starts its own event loop, as it does from a shell.
    """
    from click.testing import CliRunner

    from wusong.cli import main

    runner = CliRunner()
    return await asyncio.to_thread(runner.invoke, main, list(args), input=stdin)


@contextlib.asynccontextmanager
async def job_queue() -> AsyncIterator[Any]:
    """The worker's real Redis queue (this test worker's private redis-server), emptied first,
    with the worker's own serializer (msgpack, never pickle)."""
    from arq import create_pool

    from wusong.worker import WorkerSettings, redis_settings

    redis = await create_pool(
        redis_settings(),
        job_serializer=WorkerSettings.job_serializer,
        job_deserializer=WorkerSettings.job_deserializer,
    )
    await redis.flushdb()
    try:
        yield redis
    finally:
        await redis.aclose()


async def run_worker_burst() -> Any:
    """A real arq worker with the product's settings (without the cron schedule) runs every
    queued job once and stops; returns it for its counters."""
    from arq.worker import Worker

    from wusong.worker import WorkerSettings

    options: dict[str, Any] = {
        k: v for k, v in vars(WorkerSettings).items() if not k.startswith("_") and k != "cron_jobs"
    }
    worker = Worker(**options, burst=True, poll_delay=0.05, handle_signals=False)
    try:
        await worker.main()
    finally:
        await worker.close()
    return worker
