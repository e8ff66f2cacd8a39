"""``wusong demo``: a SQLite database with the five Siping tenants, a server and a worker.

County-level division codes are the official GB/T 2260 codes. Township and village codes follow
the official 12-digit structure but are demonstration values: replace them with the county's
statistical codes before real use.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

CITY = ("四平市", "220300000000")
DEMO_PASSWORD = "wusong-demo-2026"

# slug, name, county code, [(township, code, [(village, code)])]
TENANTS: list[tuple[str, str, str, list[tuple[str, str, list[tuple[str, str]]]]]] = [
    (
        "lishu",
        "梨树县",
        "220322000000",
        [
            (
                "梨树镇",
                "220322100000",
                [("霍家店村", "220322100201"), ("八里庙村", "220322100202")],
            ),
            (
                "郭家店镇",
                "220322101000",
                [("郭家店村", "220322101201"), ("二龙湖村", "220322101202")],
            ),
        ],
    ),
    (
        "shuangliao",
        "双辽市",
        "220382000000",
        [("茂林镇", "220382101000", [("宝山村", "220382101201"), ("双山村", "220382101202")])],
    ),
    (
        "yitong",
        "伊通县",
        "220323000000",
        [("伊通镇", "220323100000", [("东尖山村", "220323100201"), ("城北社区", "220323100001")])],
    ),
    (
        "tiedong",
        "铁东区",
        "220303000000",
        [
            ("黄土坑街道", "220303003000", [("向阳社区", "220303003001")]),
            ("四马路街道", "220303004000", [("站前社区", "220303004001")]),
        ],
    ),
    (
        "tiexi",
        "铁西区",
        "220302000000",
        [("英雄街道", "220302001000", [("丰茂社区", "220302001001")])],
    ),
]

# One demo user per role in 梨树县, plus an administrator in every tenant and a city-level viewer.
LISHU_USERS = [
    ("lishu-admin", "梨树县管理员", "admin"),
    ("lishu-mediator", "郭家店调解员", "mediator"),
    ("lishu-court", "郭家店法庭书记员", "court_reviewer"),
    ("lishu-inspector", "物业督察员", "inspector"),
    ("lishu-officer", "霍家店村村务工作者", "village_officer"),
    ("lishu-viewer", "梨树县查看者", "viewer"),
]


async def load_demo_data() -> bool:
    """Create the demo tenants, areas and users once; return False when they already exist.

    Each county is one unit of work and is skipped when present, so a load that was interrupted
    completes on the next run.
    """
    from tenants import repo, services
    from tenants.schemas import AreaCreate, MemberCreate, TenantCreate
    from wusong.core.db import unit_of_work
    from wusong.core.tenancy import system_context
    from wusong.demos import loaders

    loaded = False
    for slug, name, code, townships in TENANTS:
        async with unit_of_work(writes=True):
            if await repo.tenant_by_slug(slug) is not None:
                continue
            loaded = True
            tenant = await services.create_tenant(TenantCreate(slug, name, code, *CITY), "demo")
            ctx = system_context(tenant, "demo")
            for township, t_code, villages in townships:
                town = await services.create_area(ctx, AreaCreate("township", township, t_code))
                for village, v_code in villages:
                    await services.create_area(
                        ctx, AreaCreate("village", village, v_code, parent_id=town.id)
                    )
            users = (
                LISHU_USERS if slug == "lishu" else [(f"{slug}-admin", f"{name}管理员", "admin")]
            )
            for username, display, role in users:
                member = MemberCreate(username, display, role, DEMO_PASSWORD)
                await services.create_member(ctx, member, must_change_password=False)
            if await repo.user_by_username("siping-viewer") is None:
                viewer = MemberCreate("siping-viewer", "四平市政法委", "viewer", DEMO_PASSWORD)
                await services.create_member(ctx, viewer, must_change_password=False)
            else:
                await services.add_existing_user(ctx, "siping-viewer", "viewer")
            for load in loaders():
                await load(ctx)
    return loaded


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False
    finally:
        client.close()


def start_private_redis(folder: Path, socket_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A redis-server of our own on a unix socket (no port to collide on); waits until it answers.

    Exits with a message naming the Debian package when redis-server is not installed.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        click.echo(
            "未安装 redis-server。请安装（Debian/Ubuntu：sudo apt-get install redis-server），"
            "或把 WUSONG_REDIS_URL 设为一个正在运行的 Redis。",
            err=True,
        )
        sys.exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    socket_path.unlink(missing_ok=True)
    child = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"unix://{socket_path}?db=0"
    for _ in range(100):
        if _redis_answers(url):
            return child, url
        try:  # wait a moment for it to listen, noticing if it exits instead
            child.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            continue
    child.terminate()
    click.echo("redis-server 未能启动", err=True)
    sys.exit(1)


def ensure_redis(url: str, data_dir: Path) -> subprocess.Popen[bytes] | None:
    """Use the configured Redis, or start a private redis-server child when it does not answer."""
    if _redis_answers(url):
        return None
    child, private_url = start_private_redis(data_dir, data_dir / "redis.sock")
    os.environ["WUSONG_REDIS_URL"] = private_url
    click.echo(f"已启动演示专用的 redis-server：{private_url}（演示结束时随之停止）")
    return child


def run_demo(host: str, port: int) -> None:
    from wusong.core.settings import get_settings

    settings = get_settings()
    if settings.is_postgres:
        click.echo("注意：WUSONG_DATABASE_URL 指向 PostgreSQL，演示将按此配置使用它")
    redis_child = ensure_redis(settings.redis_url, settings.data_dir)
    get_settings.cache_clear()  # the Redis URL may have changed
    try:
        asyncio.run(_serve_demo(host, port))
    finally:
        if redis_child is not None:
            redis_child.send_signal(signal.SIGTERM)
            redis_child.wait(timeout=10)


async def _serve_demo(host: str, port: int) -> None:
    import uvicorn
    from arq.worker import Worker

    from wusong.app import create_app
    from wusong.core import db
    from wusong.core.settings import get_settings
    from wusong.migrate import migrate_all
    from wusong.worker import WorkerSettings, redis_settings

    settings = get_settings()
    async with db.as_owner(settings):  # PostgreSQL: migrations run as the owner role
        await migrate_all(settings)
    await db.start(settings)
    loaded = await load_demo_data()
    await db.stop()
    click.echo("已载入演示数据" if loaded else "演示数据已存在，未重复载入")

    server = uvicorn.Server(uvicorn.Config(create_app(), host=host, port=port, log_level="info"))
    worker_options: dict[str, Any] = {
        k: v for k, v in vars(WorkerSettings).items() if not k.startswith("_")
    }
    worker_options["redis_settings"] = redis_settings()
    worker = Worker(**worker_options, handle_signals=False)
    click.echo(
        f"\n  无讼演示：http://{host}:{port}/login\n"
        f"  用 lishu-admin 登录（或 lishu-mediator、lishu-court、lishu-inspector、lishu-officer、"
        f"lishu-viewer、shuangliao-officer、yitong-admin、yitong-mediator、tiedong-mediator、"
        f"tiexi-admin、tiexi-inspector-01、"
        f"siping-viewer …），密码 {DEMO_PASSWORD}\n"
        f"  演示在前台运行，按 Ctrl+C 停止；数据保留在 {get_settings().data_dir}/ 中\n"
    )
    worker_task = asyncio.create_task(worker.async_run())
    try:
        await server.serve()
    finally:
        worker_task.cancel()
        await worker.close()
