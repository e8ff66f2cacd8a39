"""The job queue as domains see it: arq on Redis, msgpack only (never pickle), ids as arguments.

``enqueue`` is what a use case calls after its commit (``after_commit``); it never raises for an
unreachable Redis: the caller's row stays queued and its domain's sweep enqueues it later.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
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


# One connection pool per event loop and Redis URL (a test suite runs many loops; a loop that
# is gone takes its pools with it).
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, ArqRedis]] = (
    weakref.WeakKeyDictionary()
)


def _loop_pools() -> dict[str, ArqRedis]:
    return _pools.setdefault(asyncio.get_running_loop(), {})


async def _pool() -> ArqRedis:
    url = get_settings().redis_url
    pools = _loop_pools()
    pool = pools.get(url)
    if pool is None:
        pool = await create_pool(
            redis_settings(), job_serializer=serialize, job_deserializer=deserialize
        )
        pools[url] = pool
    return pool


def _forget() -> None:
    """Drop this loop's pool after a failure: the next enqueue connects afresh."""
    _loop_pools().pop(get_settings().redis_url, None)


async def enqueue(function: str, *args: str, job_id: str) -> bool:
    """Queue ``function(*args)`` under ``job_id`` (arq refuses a second job of one id while the
    first is queued, running or kept); False when Redis cannot be reached."""
    try:
        pool = await _pool()
        await pool.enqueue_job(function, *args, _job_id=job_id)
    except (OSError, ConnectionError, TimeoutError) as error:
        log.warning("job %s not queued (%s): the sweep will queue it", job_id, type(error).__name__)
        _forget()
        return False
    except Exception as error:  # redis-py's own errors (ConnectionError is not OSError there)
        if type(error).__module__.startswith("redis"):
            log.warning("job %s not queued (%s): the sweep will queue it", job_id, error)
            _forget()
            return False
        raise
    return True


async def close() -> None:
    """Close this loop's pools (application shutdown)."""
    for pool in _pools.pop(asyncio.get_running_loop(), {}).values():
        await pool.aclose()
