"""Typed configuration of the service-point types: mediation studio, shared court, help team.

Each is a msgspec Struct (defaults give a usable configuration) with its own check; the page
form is described by each KindSpec's ``form`` so the settings page can render and read it.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

from programs.kinds import ACTIVITY_KINDS, ConfigField, KindSpec, ProgramKind
from tenants.rules import clean_text
from wusong.core.errors import FieldErrors

# Shared court site levels and functions (Zhejiang standard DB33/T 1296-2023).
SITE_LEVELS: dict[str, str] = {
    "village": "村（社区）",
    "township": "乡镇（街道）",
    "industry": "行业",
}
COURT_FUNCTIONS: dict[str, str] = {
    "mediation_guidance": "调解指导",
    "online_filing": "网上立案",
    "online_litigation": "在线诉讼",
    "legal_education": "普法宣传",
    "grassroots_governance": "基层治理（含指导村规民约）",
}
TEAM_TYPES: dict[str, str] = {
    "dispute_help": "矛盾帮帮团",
    "judge_talk": "法官说法点",
    "one_stop": "一站式调解站",
}


def _all_activities() -> list[str]:
    return list(ACTIVITY_KINDS)


class MediationStudioConfig(msgspec.Struct, forbid_unknown_fields=True):
    """A mediation studio: the court tribunal hosting it, and the activity kinds it offers."""

    host_tribunal: str = ""
    activity_kinds: list[str] = msgspec.field(default_factory=_all_activities)

    labels: ClassVar[dict[str, str]] = {"host_tribunal": "指导法庭", "activity_kinds": "服务类型"}


class SharedCourtConfig(msgspec.Struct, forbid_unknown_fields=True):
    """A shared court: where it sits (village, township or an industry), its functions and the
    activity kinds its staff log."""

    site_level: str = "village"
    functions: list[str] = msgspec.field(default_factory=lambda: list(COURT_FUNCTIONS))
    activity_kinds: list[str] = msgspec.field(default_factory=_all_activities)

    labels: ClassVar[dict[str, str]] = {
        "site_level": "设点层级",
        "functions": "法庭功能",
        "activity_kinds": "服务类型",
    }


class HelpTeamConfig(msgspec.Struct, forbid_unknown_fields=True):
    """A one-stop mediation point: a help team (矛盾帮帮团) or a judge talk point (法官说法点)."""

    team_type: str = "dispute_help"
    activity_kinds: list[str] = msgspec.field(default_factory=_all_activities)

    labels: ClassVar[dict[str, str]] = {"team_type": "团队类型", "activity_kinds": "服务类型"}


def _check_choice(
    errors: FieldErrors, name: str, label: str, value: str, choices: dict[str, str]
) -> None:
    if value not in choices:
        errors.add(f"config.{name}", f"{label}须为：{'、'.join(choices.values())}")


def _check_many(
    errors: FieldErrors, name: str, label: str, values: list[str], choices: dict[str, str]
) -> list[str]:
    unknown = [v for v in values if v not in choices]
    if unknown:
        errors.add(f"config.{name}", f"未知的{label}：{'、'.join(unknown)}")
    elif not values:
        errors.add(f"config.{name}", f"至少选择一项{label}")
    return [key for key in choices if key in values]  # each once, in the listed order


def check_studio(config: MediationStudioConfig, errors: FieldErrors) -> MediationStudioConfig:
    tribunal = clean_text(
        errors, "config.host_tribunal", "指导法庭", config.host_tribunal, 80, required=False
    )
    kinds = _check_many(errors, "activity_kinds", "服务类型", config.activity_kinds, ACTIVITY_KINDS)
    return MediationStudioConfig(host_tribunal=tribunal, activity_kinds=kinds)


def check_shared_court(config: SharedCourtConfig, errors: FieldErrors) -> SharedCourtConfig:
    _check_choice(errors, "site_level", "设点层级", config.site_level, SITE_LEVELS)
    functions = _check_many(errors, "functions", "法庭功能", config.functions, COURT_FUNCTIONS)
    kinds = _check_many(errors, "activity_kinds", "服务类型", config.activity_kinds, ACTIVITY_KINDS)
    return SharedCourtConfig(
        site_level=config.site_level, functions=functions, activity_kinds=kinds
    )


def check_help_team(config: HelpTeamConfig, errors: FieldErrors) -> HelpTeamConfig:
    _check_choice(errors, "team_type", "团队类型", config.team_type, TEAM_TYPES)
    kinds = _check_many(errors, "activity_kinds", "服务类型", config.activity_kinds, ACTIVITY_KINDS)
    return HelpTeamConfig(team_type=config.team_type, activity_kinds=kinds)


_ACTIVITY_FIELD = ConfigField(
    "activity_kinds", "服务类型", ACTIVITY_KINDS, many=True, hint="工作人员可登记的活动类型"
)


# Target key → label: an activity kind, counted in people served, or in sessions for the kinds
# of kinds.COUNTED_IN_SESSIONS.
_TARGETS = {
    "consultation": "法律咨询（人次）",
    "guidance": "诉讼指导（人次）",
    "post_judgment_qa": "判后答疑（人次）",
    "legal_education": "普法宣传（场次）",
}

MEDIATION_STUDIO = KindSpec(
    ProgramKind.MEDIATION_STUDIO,
    MediationStudioConfig,
    check_studio,
    activities=tuple(ACTIVITY_KINDS),
    targets=_TARGETS,
    form=(ConfigField("host_tribunal", "指导法庭", hint="如：郭家店法庭"), _ACTIVITY_FIELD),
)
SHARED_COURT = KindSpec(
    ProgramKind.SHARED_COURT,
    SharedCourtConfig,
    check_shared_court,
    activities=tuple(ACTIVITY_KINDS),
    targets=_TARGETS,
    form=(
        ConfigField("site_level", "设点层级", SITE_LEVELS),
        ConfigField(
            "functions", "法庭功能", COURT_FUNCTIONS, many=True, hint="依据 DB33/T 1296-2023"
        ),
        _ACTIVITY_FIELD,
    ),
)
HELP_TEAM = KindSpec(
    ProgramKind.HELP_TEAM,
    HelpTeamConfig,
    check_help_team,
    activities=tuple(ACTIVITY_KINDS),
    targets=_TARGETS,
    form=(ConfigField("team_type", "团队类型", TEAM_TYPES), _ACTIVITY_FIELD),
)
