"""Every program type's specification, by kind."""

from __future__ import annotations

from programs.configs import HELP_TEAM, MEDIATION_STUDIO, SHARED_COURT
from programs.kinds import KindSpec, ProgramKind
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
