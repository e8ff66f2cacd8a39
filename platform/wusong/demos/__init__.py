"""Demo data of the domains beyond tenants, areas and users: one module per slice.

Each module has ``async def load(ctx: TenantContext) -> None``, called once for every demo
tenant right after the tenant, its areas and its users were created, in the same unit of work;
it loads what belongs to that county (``ctx.tenant_slug``) and nothing otherwise.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any

Loader = Callable[[Any], Awaitable[None]]


def loaders() -> list[Loader]:
    """Every slice's ``load``, in module-name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(module.load)
    return found
