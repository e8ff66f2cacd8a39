"""What the Red property rating program type contributes: its pages, API and audit labels."""

from __future__ import annotations

from wusong.core.domain import Domain

DOMAIN = Domain(name="programs.red_property")
