"""The composition root's one list: every domain of the application, in dependency order."""

from __future__ import annotations

from tenants.domain import DOMAIN as TENANTS
from wusong.core.domain import Catalog, Domain

DOMAINS: list[Domain] = [TENANTS]


def catalog() -> Catalog:
    return Catalog(DOMAINS)
