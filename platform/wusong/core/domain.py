"""What a domain contributes to the application, declared in its package (``<domain>/domain.py``).

The composition root (``wusong.domains``) lists the domains; ``wusong.app`` and ``wusong.worker``
wire what they declare. A new domain edits no shared list but that one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.di import NamedDependency
from litestar.openapi.spec import Tag

from wusong.core.tenancy import EVERYONE, Role


@dataclass(frozen=True)
class NavEntry:
    """A link in the tenant navigation, shown to ``roles``; ``path`` is relative to /t/{tenant}."""

    label: str
    path: str
    roles: frozenset[Role] = EVERYONE
    order: int = 100

    def current(self, base: str, path: str) -> bool:
        """Whether the page at ``path`` belongs to this entry (the home entry matches exactly)."""
        target = base + self.path
        if self.path == "/":
            return path in {base, target}
        return path == target or path.startswith(target + "/")


@dataclass(frozen=True)
class Domain:
    """One domain's routes, navigation, audit actions, API tags and jobs."""

    name: str
    pages: Sequence[Any] = ()  # controllers under /t/{tenant}
    api: Sequence[Any] = ()  # controllers under /api/v1/t/{tenant}
    public: Sequence[Any] = ()  # controllers outside any tenant (sign-in, account)
    nav: Sequence[NavEntry] = ()
    audit_actions: Mapping[str, str] = field(default_factory=dict)  # action → label
    audit_objects: Mapping[str, str] = field(default_factory=dict)  # object type → label
    audit_fields: Mapping[str, str] = field(default_factory=dict)  # diff key → label
    api_tags: Sequence[Tag] = ()
    jobs: Sequence[Any] = ()  # job functions, or arq func(...) with options (a timeout)
    cron_jobs: Sequence[Any] = ()
    template_globals: Mapping[str, Any] = field(default_factory=dict)


class Catalog:
    """Everything the domains declared, merged once at start-up.

    (A plain class, not a dataclass: Litestar would try to validate a dataclass dependency.)
    """

    def __init__(self, domains: Sequence[Domain]) -> None:
        actions: dict[str, str] = {}
        for domain in domains:
            for action, label in domain.audit_actions.items():
                if action in actions:
                    raise ValueError(f"audit action {action!r} is declared twice")
                actions[action] = label
        self.domains = tuple(domains)
        self.nav = tuple(sorted((e for d in domains for e in d.nav), key=lambda e: e.order))
        self.audit_actions: Mapping[str, str] = actions
        # Object types and field names may be shared (a later domain labels "area" too).
        self.audit_objects = {k: v for d in domains for k, v in d.audit_objects.items()}
        self.audit_fields = {k: v for d in domains for k, v in d.audit_fields.items()}

    def nav_for(self, role: Role | None) -> tuple[NavEntry, ...]:
        return tuple(entry for entry in self.nav if role in entry.roles)

    def collect(self, attribute: str) -> list[Any]:
        """One attribute of every domain, concatenated (e.g. ``pages``, ``jobs``)."""
        return [item for domain in self.domains for item in getattr(domain, attribute)]


CatalogDep = NamedDependency[Catalog]
