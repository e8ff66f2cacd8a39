"""The job queue as domains see it: arq on Redis, msgpack only (never pickle), ids as arguments.

``enqueue`` is what a use case calls after its commit (``after_commit``); it never raises for an
unreachable Redis: the caller's row stays queued and its domain's sweep enqueues it later.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from wusong.core.settings import get_settings

log = logging.getLogger("wusong.jobs")
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


def serialize(value: Any) -> bytes:
    return _encoder.encode(value)


def deserialize(data: bytes) -> Any:
    return _decoder.decode(data)


def redis_settings() -> RedisSettings:
    settings = RedisSettings.from_dsn(get_settings().redis_url)
    settings.conn_timeout = 2
    settings.conn_retries = 1
    return settings


_pools: dict[tuple[int, str], ArqRedis] = {}


async def _pool() -> ArqRedis:
    """One connection pool per event loop and Redis URL (tests run several loops)."""
    key = (id(asyncio.get_running_loop()), get_settings().redis_url)
    pool = _pools.get(key)
    if pool is None:
        pool = await create_pool(
            redis_settings(), job_serializer=serialize, job_deserializer=deserialize
        )
        _pools[key] = pool
    return pool


async def enqueue(function: str, *args: str, job_id: str) -> bool:
    """Queue ``function(*args)`` under ``job_id`` (arq refuses a second job of one id while the
    first is queued, running or kept); False when Redis cannot be reached."""
    try:
        pool = await _pool()
        await pool.enqueue_job(function, *args, _job_id=job_id)
    except (OSError, ConnectionError, TimeoutError) as error:
        log.warning("job %s not queued (%s): the sweep will queue it", job_id, type(error).__name__)
        _pools.pop((id(asyncio.get_running_loop()), get_settings().redis_url), None)
        return False
    except Exception as error:  # redis-py's own errors (ConnectionError is not OSError there)
        if type(error).__module__.startswith("redis"):
            log.warning("job %s not queued (%s): the sweep will queue it", job_id, error)
            _pools.pop((id(asyncio.get_running_loop()), get_settings().redis_url), None)
            return False
        raise
    return True


async def close() -> None:
    """Close this loop's pools (application shutdown)."""
    loop = id(asyncio.get_running_loop())
    for key in [k for k in _pools if k[0] == loop]:
        await _pools.pop(key).aclose()
