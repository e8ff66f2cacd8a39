"""Every program type's specification, by kind."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from programs.configs import HELP_TEAM, MEDIATION_STUDIO, SHARED_COURT
from programs.kinds import ConfigField, KindSpec, ProgramKind
from programs.no_litigation.config import SPEC as NO_LITIGATION_VILLAGE
from programs.red_property.config import SPEC as RED_PROPERTY
from programs.village_rules.config import SPEC as VILLAGE_RULES

KINDS: dict[ProgramKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        MEDIATION_STUDIO,
        SHARED_COURT,
        NO_LITIGATION_VILLAGE,
        RED_PROPERTY,
        VILLAGE_RULES,
        HELP_TEAM,
    )
}
assert set(KINDS) == set(ProgramKind), "every program type has its specification"


def program_tabs(kind: str) -> list[tuple[str, str]]:
    """The program page's tabs: (label, path relative to ``/programs/{id}``)."""
    spec = KINDS[ProgramKind(kind)]
    tabs = [("概况与指标", "")]
    if spec.activities:
        tabs.append(("活动记录", "/activities"))
    tabs += list(spec.sections)
    tabs += [("工作人员", "/staff"), ("项目设置", "/settings")]
    return tabs


# The configuration forms of the settings page, by type (types whose own pages configure them
# have none).
FORM_FIELDS: dict[ProgramKind, tuple[ConfigField, ...]] = {
    kind: spec.form for kind, spec in KINDS.items() if spec.form
}
_ITEMS = re.compile(r"[、，,;；\s]+")


def config_from_form(kind: str, single: Mapping[str, str], many: Mapping[str, list[str]]) -> Any:
    """A configuration as JSON-shaped data from the form's ``config.<field>`` inputs."""
    values: dict[str, Any] = {}
    for f in FORM_FIELDS.get(ProgramKind(kind), ()):
        key = f"config.{f.name}"
        if f.many:
            values[f.name] = many.get(key, [])
        elif f.listed:
            values[f.name] = [item for item in _ITEMS.split(single.get(key, "")) if item]
        else:
            values[f.name] = single.get(key, "")
    return values


def config_summary(kind: str, config: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of each configured field, for reading."""
    rows = []
    for f in FORM_FIELDS.get(ProgramKind(kind), ()):
        value = config.get(f.name)
        if f.many:
            text = "、".join(f.choices.get(v, v) for v in value or []) or "（未选择）"
        elif f.listed:
            text = "、".join(str(v) for v in value or []) or "（未填写）"
        elif f.choices:
            text = f.choices.get(str(value), str(value or ""))
        else:
            text = "（未填写）" if value is None or value == "" else str(value)
        rows.append((f.label, text))
    return rows
