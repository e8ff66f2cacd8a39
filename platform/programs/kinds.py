"""The six program types, what each is configured with, and what its staff log.

A type's configuration is a msgspec Struct with its own validation (``KindSpec.check``); a
program stores every saved configuration as a new ``ProgramConfig`` version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

from wusong.core.errors import FieldErrors

# A type's configuration as JSON-shaped data (what is stored and sent), typed to a bounded depth
# so the OpenAPI says what it holds; its exact shape is the type's ``KindSpec.config``.
_Scalar = str | int | float | bool | None
_Value1 = _Scalar | list[_Scalar] | dict[str, _Scalar]
_Value2 = _Scalar | list[_Value1] | dict[str, _Value1]
_Value3 = _Scalar | list[_Value2] | dict[str, _Value2]
_Value4 = _Scalar | list[_Value3] | dict[str, _Value3]
ConfigValue = _Scalar | list[_Value4] | dict[str, _Value4]
ConfigData = dict[str, ConfigValue]


class ProgramKind(StrEnum):
    """Program type: mediation_studio 调解工作室，shared_court 共享法庭，
    no_litigation_village 无讼村（社区），red_property 红色物业评星，village_rules 村规民约，
    help_team 一站式调解（帮帮团）。"""

    MEDIATION_STUDIO = "mediation_studio"
    SHARED_COURT = "shared_court"
    NO_LITIGATION_VILLAGE = "no_litigation_village"
    RED_PROPERTY = "red_property"
    VILLAGE_RULES = "village_rules"
    HELP_TEAM = "help_team"


KIND_LABELS: dict[ProgramKind, str] = {
    ProgramKind.MEDIATION_STUDIO: "调解工作室",
    ProgramKind.SHARED_COURT: "共享法庭",
    ProgramKind.NO_LITIGATION_VILLAGE: "无讼村（社区）",
    ProgramKind.RED_PROPERTY: "红色物业评星",
    ProgramKind.VILLAGE_RULES: "村规民约",
    ProgramKind.HELP_TEAM: "一站式调解（帮帮团）",
}

# What staff of studios, shared courts and help teams log (Activity.kind).
ACTIVITY_KINDS: dict[str, str] = {
    "consultation": "法律咨询",
    "guidance": "诉讼指导",
    "post_judgment_qa": "判后答疑",
    "legal_education": "普法宣传",
    "online_filing": "网上立案辅助",
    "online_hearing": "在线庭审辅助",
}

# Activity kinds whose targets and figures count sessions held, not people served.
COUNTED_IN_SESSIONS: frozenset[str] = frozenset({"legal_education"})

PROGRAM_STATUSES: dict[str, str] = {"draft": "筹备中", "active": "运行中", "closed": "已结束"}


@dataclass(frozen=True)
class ConfigField:
    """One field of a type's configuration form: text, one choice, several (checkboxes), or a
    ``listed`` text whose items are separated by 、 or commas."""

    name: str
    label: str
    choices: dict[str, str] = field(default_factory=dict)
    many: bool = False
    hint: str = ""
    listed: bool = False


@dataclass(frozen=True)
class KindSpec:
    """One program type.

    ``check(config, errors)`` validates a decoded configuration, adds one message per bad field
    to ``errors`` under the key ``config.<field>`` (``config.criteria[2].weight``), and returns
    the normalised configuration. ``targets``: target key → label (what a program may aim at).
    """

    kind: ProgramKind
    config: type[msgspec.Struct]
    check: Callable[[Any, FieldErrors], Any]
    activities: tuple[str, ...] = ()
    targets: Mapping[str, str] = field(default_factory=dict)
    # The program page's tabs besides its overview: (label, path relative to the program page).
    sections: tuple[tuple[str, str], ...] = ()
    # Why a program with this configuration cannot be activated yet (None: it can), e.g. a
    # rubric without criteria. Checked when the program is activated.
    not_ready: Callable[[Any], str | None] = lambda config: None
    # The configuration form of the program's settings page (empty: the type's own pages
    # configure it, e.g. a rubric with rows).
    form: tuple[ConfigField, ...] = ()

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


_PATH = re.compile(r"at `\$\.?([^`]*)`")
_UNKNOWN = re.compile(r"unknown field `([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")


def decode_config(spec: KindSpec, raw: Any, errors: FieldErrors) -> Any:
    """A configuration of ``spec``'s type from JSON-shaped data, checked; None when invalid
    (each problem is in ``errors`` under ``config.<path>``, with a Chinese message)."""
    if not isinstance(raw, dict):
        errors.add("config", "配置应为一组“名称：值”")
        return None
    try:
        config = msgspec.convert(raw, spec.config, strict=False)
    except msgspec.ValidationError as error:
        text = str(error)
        match = _PATH.search(text)
        path = match.group(1) if match else ""
        if unknown := _UNKNOWN.search(text):
            path = ".".join(p for p in (path, unknown.group(1)) if p)
            message = f"“{unknown.group(1)}”不是{spec.label}的配置项"
        elif missing := _MISSING.search(text):
            path = ".".join(p for p in (path, missing.group(1)) if p)
            message = "不能为空"
        else:
            message = "格式不正确（类型或取值不符）"
        label = getattr(spec.config, "labels", {}).get(path.split("[")[0].split(".")[0], "")
        if not unknown:
            message = (label or "配置") + message
        errors.add(f"config.{path}" if path else "config", message)
        return None
    return spec.check(config, errors)
