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
