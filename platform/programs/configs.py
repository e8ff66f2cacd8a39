"""Typed configuration of the service-point types: mediation studio, shared court, help team."""

from __future__ import annotations

from typing import Any

import msgspec

from programs.kinds import ACTIVITY_KINDS, KindSpec, ProgramKind
from wusong.core.errors import FieldErrors


class ServicePointConfig(msgspec.Struct, forbid_unknown_fields=True):
    """What a studio, shared court or help team offers: the activity kinds its staff log."""

    activity_kinds: list[str] = msgspec.field(default_factory=lambda: list(ACTIVITY_KINDS))


def check_service_point(config: ServicePointConfig, errors: FieldErrors) -> Any:
    unknown = [k for k in config.activity_kinds if k not in ACTIVITY_KINDS]
    if unknown:
        errors.add("config.activity_kinds", f"未知的活动类型：{'、'.join(unknown)}")
    if not config.activity_kinds:
        errors.add("config.activity_kinds", "至少选择一种活动类型")
    return config


_TARGETS = {"consultation": "法律咨询（人次）", "post_judgment_qa": "判后答疑（人次）"}

MEDIATION_STUDIO = KindSpec(
    ProgramKind.MEDIATION_STUDIO,
    ServicePointConfig,
    check_service_point,
    activities=tuple(ACTIVITY_KINDS),
    targets=_TARGETS,
)
SHARED_COURT = KindSpec(
    ProgramKind.SHARED_COURT,
    ServicePointConfig,
    check_service_point,
    activities=tuple(ACTIVITY_KINDS),
    targets=_TARGETS,
)
HELP_TEAM = KindSpec(
    ProgramKind.HELP_TEAM,
    ServicePointConfig,
    check_service_point,
    activities=tuple(ACTIVITY_KINDS),
    targets=_TARGETS,
)
