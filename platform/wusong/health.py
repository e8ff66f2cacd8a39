"""Liveness and readiness: /health answers while the process runs; /ready checks dependencies."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from redis.asyncio import Redis

from wusong.core import db


@get("/health", name="health", opt={"exclude_from_csrf": True}, include_in_schema=True)
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def _check(check: Any) -> str:
    try:
        await asyncio.wait_for(check(), timeout=3)
    except Exception:
        return "down"
    return "ok"


@get(
    "/ready",
    name="ready",
    responses={
        503: ResponseSpec(
            data_container=dict[str, str],
            description='数据库不可用：{"status": "down", "database": "down", …}',
            generate_examples=False,
        )
    },
)
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """Database down → 503 (not ready). Redis down → 200 "degraded": only reports wait."""
    redis: Redis = request.app.state.redis
    database, queue = await asyncio.gather(_check(db.ping), _check(redis.ping))
    if database != "ok":
        status, code = "down", 503
    elif queue != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return Response({"status": status, "database": database, "redis": queue}, status_code=code)
