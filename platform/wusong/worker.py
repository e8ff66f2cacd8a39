"""arq worker settings: jobs of every domain, msgpack serialisation (never pickle)."""

from __future__ import annotations

from typing import Any

import msgspec
from arq import cron
from arq.connections import RedisSettings

from tenants.jobs import purge_expired_credentials
from wusong import db
from wusong.settings import get_settings

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


class WorkerSettings:
    functions = [purge_expired_credentials]
    cron_jobs = [cron(purge_expired_credentials, minute={7}, run_at_startup=False)]
    on_startup = startup
    on_shutdown = shutdown
    job_serializer = serialize
    job_deserializer = deserialize
    job_timeout = 60
    max_tries = 3
    redis_settings = redis_settings()
