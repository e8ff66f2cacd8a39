"""What the programs domain contributes: program pages and API, navigation and audit labels."""

from __future__ import annotations

from litestar.openapi.spec import Tag

from programs.kinds import ACTIVITY_KINDS, KIND_LABELS, PROGRAM_STATUSES
from programs.registry import program_tabs
from wusong.core.domain import Domain

DOMAIN = Domain(
    name="programs",
    api_tags=[
        Tag(
            name="programs",
            description="试点项目（一地一特色）：调解工作室、共享法庭、无讼村、红色物业评星、"
            "村规民约、一站式调解，及其配置、记录与活动",
        )
    ],
    audit_actions={"program.create": "新建试点项目"},
    audit_objects={"program": "试点项目"},
    template_globals={
        "program_tabs": program_tabs,
        "PROGRAM_KIND_LABELS": KIND_LABELS,
        "PROGRAM_STATUSES": PROGRAM_STATUSES,
        "ACTIVITY_KINDS": ACTIVITY_KINDS,
    },
)
