"""Computed indicator tables, kept in the server process until the tenant's data changes.

Every write of the product records an audit event in the same transaction, so the head of a
tenant's audit chain (its last sequence number) versions the tenant's data: it is part of the
key, and the first read after any committed write computes afresh. The day is part of the key
too (a running period and "due for re-inspection" depend on it). Deciding costs one indexed
lookup of the chain head; a hit saves every grouped query of the page.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from reports.indicators.base import IndicatorTable
from tenants.audit import head_anchor
from wusong.core.clock import local_today
from wusong.core.tenancy import TenantContext

LIMIT = 512  # results kept per process (a page's tables are a few kilobytes)
_KEPT: OrderedDict[tuple[Any, ...], list[IndicatorTable]] = OrderedDict()


async def cached(
    ctx: TenantContext,
    key: tuple[Hashable, ...],
    compute: Callable[[], Awaitable[list[IndicatorTable]]],
) -> list[IndicatorTable]:
    """The tables ``compute()`` gives for ``key`` at the tenant's current data version."""
    head = await head_anchor(ctx)
    full = (ctx.tenant_id, head.seq, head.hash, local_today(), *key)
    found = _KEPT.get(full)
    if found is not None:
        _KEPT.move_to_end(full)
        return list(found)
    tables = await compute()
    _KEPT[full] = tables
    while len(_KEPT) > LIMIT:
        _KEPT.popitem(last=False)
    return list(tables)


def forget() -> None:
    """Drop every kept result (tests that change rows behind the product's back)."""
    _KEPT.clear()
