"""The composition root's one list: every domain of the application, in dependency order."""

from __future__ import annotations

from mediation.domain import DOMAIN as MEDIATION
from programs.domain import DOMAIN as PROGRAMS
from programs.no_litigation.domain import DOMAIN as NO_LITIGATION
from programs.red_property.domain import DOMAIN as RED_PROPERTY
from programs.village_rules.domain import DOMAIN as VILLAGE_RULES
from reports.domain import DOMAIN as REPORTS
from tenants.domain import DOMAIN as TENANTS
from wusong.core.domain import Catalog, Domain

DOMAINS: list[Domain] = [
    TENANTS,
    PROGRAMS,
    NO_LITIGATION,
    RED_PROPERTY,
    VILLAGE_RULES,
    MEDIATION,
    REPORTS,
]


def catalog() -> Catalog:
    return Catalog(DOMAINS)
