"""What the No-litigation village program type contributes: its pages, API and audit labels."""

from __future__ import annotations

from wusong.core.domain import Domain

DOMAIN = Domain(name="programs.no_litigation")
