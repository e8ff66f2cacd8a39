"""arq worker settings: the jobs every domain declares, serialised with msgpack only.

A job owns its unit of work: ``async with tenant_context(tenant, writes=True) as ctx`` for
tenant work (arguments are ids only), ``unit_of_work(...)`` for platform housekeeping.
"""

from __future__ import annotations

from typing import Any

import msgspec
from arq.connections import RedisSettings

from wusong.core import db
from wusong.core.settings import get_settings
from wusong.domains import catalog

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def serialize(value: Any) -> bytes:
    return _encoder.encode(value)


def deserialize(data: bytes) -> Any:
    return _decoder.decode(data)


async def startup(ctx: dict[str, Any]) -> None:
    await db.start(get_settings())


async def shutdown(ctx: dict[str, Any]) -> None:
    await db.stop()


def redis_settings() -> RedisSettings:
    settings = RedisSettings.from_dsn(get_settings().redis_url)
    settings.conn_timeout = 2
    settings.conn_retries = 1
    return settings


_CATALOG = catalog()


class WorkerSettings:
    functions = _CATALOG.collect("jobs")
    cron_jobs = _CATALOG.collect("cron_jobs")
    on_startup = startup
    on_shutdown = shutdown
    job_serializer = serialize
    job_deserializer = deserialize
    job_timeout = 60
    max_tries = 3
    redis_settings = redis_settings()
