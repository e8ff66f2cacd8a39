"""Demo data of the domains beyond tenants, areas and users: one module per slice.

Each module has ``async def load(ctx: TenantContext) -> None``, called once for every demo
tenant right after the tenant, its areas and its users were created, in the same unit of work;
it loads what belongs to that county (``ctx.tenant_slug``) and nothing otherwise. A module
that needs another's data declares ``ORDER = 1`` (default 0) to run after it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any

Loader = Callable[[Any], Awaitable[None]]


def loaders() -> list[Loader]:
    """Every slice's ``load``, by its module's ``ORDER`` (default 0: a slice whose data belongs
    to another slice's, e.g. cases of the demo programs, says 1), then by module name."""
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]
    modules.sort(key=lambda m: (getattr(m, "ORDER", 0), m.__name__))
    return [module.load for module in modules]
