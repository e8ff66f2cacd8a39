"""arq worker settings: the jobs every domain declares, serialised with msgpack only.

A job owns its unit of work: ``async with tenant_context(tenant, writes=True) as ctx`` for
tenant work (arguments are ids only), ``unit_of_work(...)`` for platform housekeeping.
"""

from __future__ import annotations

from typing import Any

from wusong.core import db
from wusong.core.jobs import deserialize, redis_settings, serialize
from wusong.core.settings import get_settings
from wusong.domains import catalog


async def startup(ctx: dict[str, Any]) -> None:
    await db.start(get_settings())


async def shutdown(ctx: dict[str, Any]) -> None:
    await db.stop()


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
