"""Village rules (村规民约 / 移风易俗): the program type's typed configuration and its validation.

A county configures how its villagers' (representatives') assemblies adopt rules (the majority a
vote needs, an optional quorum), which banquet occasions its villages declare, and how far ahead
a banquet may be declared.
"""

from __future__ import annotations

from typing import Any

import msgspec

from programs.kinds import ConfigField, KindSpec, ProgramKind
from tenants.rules import clean_text
from wusong.core.errors import FieldErrors

# The majority an assembly vote needs, of the attendees voting for.
MAJORITIES: dict[str, str] = {
    "half": "到会人员过半数赞成",
    "two_thirds": "到会人员三分之二以上赞成",
}
DEFAULT_OCCASIONS = ["婚嫁", "丧葬", "升学", "参军", "乔迁", "寿宴"]


class Config(msgspec.Struct, forbid_unknown_fields=True):
    """``majority``: half | two_thirds; ``quorum``: the fewest attendees a valid assembly vote
    needs (0: no minimum); ``occasions``: the banquet occasions declarations choose from;
    ``declare_days_ahead``: how many days ahead a banquet may be declared."""

    majority: str = "half"
    quorum: int = 0
    occasions: list[str] = msgspec.field(default_factory=lambda: list(DEFAULT_OCCASIONS))
    declare_days_ahead: int = 365


def check(config: Config, errors: FieldErrors) -> Any:
    if config.majority not in MAJORITIES:
        errors.add("config.majority", "表决通过条件须为：" + "、".join(MAJORITIES.values()))
    if not 0 <= config.quorum <= 10_000:
        errors.add("config.quorum", "最低到会人数应在 0 到 10000 之间")
    if not 0 <= config.declare_days_ahead <= 3650:
        errors.add("config.declare_days_ahead", "可提前申报的天数应在 0 到 3650 之间")
    occasions: list[str] = []
    for index, raw in enumerate(config.occasions):
        field = f"config.occasions[{index}]"
        name = clean_text(errors, field, "宴席事由", raw, 10)
        if name in occasions:
            errors.add(field, f"宴席事由“{name}”重复")
        elif name:
            occasions.append(name)
    if not config.occasions:
        errors.add("config.occasions", "至少设置一种宴席事由")
    if len(config.occasions) > 30:
        errors.add("config.occasions", "宴席事由不能超过 30 种")
    config.occasions = occasions
    return config


def not_ready(config: Any) -> str | None:
    occasions = config.get("occasions") if isinstance(config, dict) else config.occasions
    if not occasions:
        return "请先在项目设置中设置宴席事由"
    return None


SPEC = KindSpec(
    ProgramKind.VILLAGE_RULES,
    Config,
    check,
    sections=(("村规民约", "/rules"), ("宴席申报", "/declarations")),
    not_ready=not_ready,
    form=(
        ConfigField("majority", "表决通过条件", MAJORITIES),
        ConfigField(
            "quorum", "最低到会人数", hint="村民（代表）会议表决的最低到会人数；0 表示不设"
        ),
        ConfigField("occasions", "宴席事由", listed=True, hint="各村申报时可选的事由，用“、”分隔"),
        ConfigField("declare_days_ahead", "可提前申报天数", hint="宴席日期最多可比申报日晚几天"),
    ),
)


def vote_passes(majority: str, attendees: int, votes_for: int) -> bool:
    """Whether ``votes_for`` of ``attendees`` is the configured majority (三分之二以上 includes
    exactly two thirds; 过半数 is strictly more than half)."""
    if majority == "two_thirds":
        return votes_for * 3 >= attendees * 2
    return votes_for * 2 > attendees
