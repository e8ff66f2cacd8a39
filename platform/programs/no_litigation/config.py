"""No-litigation village: the program type's typed configuration and its validation."""

from __future__ import annotations

from typing import Any

import msgspec

from programs.kinds import KindSpec, ProgramKind
from wusong.core.errors import FieldErrors


class Config(msgspec.Struct, forbid_unknown_fields=True):
    pass


def check(config: Config, errors: FieldErrors) -> Any:
    return config


SPEC = KindSpec(ProgramKind.NO_LITIGATION_VILLAGE, Config, check)
