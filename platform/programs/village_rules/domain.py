"""What the Village rules program type contributes: its pages, API and audit labels."""

from __future__ import annotations

from wusong.core.domain import Domain

DOMAIN = Domain(name="programs.village_rules")
