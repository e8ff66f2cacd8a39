"""No-litigation village: the program type's typed configuration (its rubric) and validation.

No national rubric exists: each county chooses which indicators count for "达标" and their
thresholds. Thresholds are integers or Decimals (the per-10,000 rate), never floats.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from programs.kinds import KindSpec, ProgramKind
from wusong.core.errors import FieldErrors

GRANULARITIES: dict[str, str] = {"year": "按年", "quarter": "按季度"}

# Indicator key → what it checks (the order pages list them in).
INDICATORS: dict[str, str] = {
    "lawsuits": "新增诉讼案件数不超过上限",
    "rate": "万人成讼率不超过上限",
    "settled": "矛盾纠纷就地化解率不低于下限",
}
# Why a village fails an indicator (named on the status pages).
FAILED_LABELS: dict[str, str] = {
    "lawsuits": "新增诉讼超过上限",
    "rate": "万人成讼率超过上限",
    "settled": "就地化解率低于下限",
}

MAX_RATE = Decimal(10000)


class Config(msgspec.Struct, forbid_unknown_fields=True):
    """The rubric: which indicators apply, their thresholds and the counting period.

    ``max_rate_per_10k``: lawsuits per 10,000 residents (万人成讼率), at most two decimals.
    ``min_settled_percent``: share of received disputes settled locally (就地化解率), in %.
    """

    granularity: str = "year"
    indicators: list[str] = msgspec.field(default_factory=list)
    max_lawsuits: int = 0
    max_rate_per_10k: Decimal = Decimal(0)
    min_settled_percent: int = 0


def check(config: Config, errors: FieldErrors) -> Any:
    if config.granularity not in GRANULARITIES:
        errors.add("config.granularity", "统计周期须为“按年”或“按季度”")
    unknown = [key for key in config.indicators if key not in INDICATORS]
    if unknown:
        errors.add("config.indicators", f"未知的评价指标：{'、'.join(unknown)}")
    elif len(set(config.indicators)) != len(config.indicators):
        errors.add("config.indicators", "评价指标不能重复")
    if not 0 <= config.max_lawsuits <= 100_000:
        errors.add("config.max_lawsuits", "新增诉讼案件数上限须为 0 至 100000 之间的整数")
    try:
        rate = config.max_rate_per_10k
        if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
            errors.add("config.max_rate_per_10k", "万人成讼率上限须在 0 至 10000 之间")
        elif rate != rate.quantize(Decimal("0.01")):
            errors.add("config.max_rate_per_10k", "万人成讼率上限最多保留两位小数")
    except InvalidOperation:
        errors.add("config.max_rate_per_10k", "万人成讼率上限须为数字")
    if not 0 <= config.min_settled_percent <= 100:
        errors.add("config.min_settled_percent", "就地化解率下限须为 0 至 100 之间的整数（%）")
    # A stored rubric keeps its rate with two decimals, so every version reads back the same.
    if "config.max_rate_per_10k" not in errors:
        config.max_rate_per_10k = config.max_rate_per_10k.quantize(Decimal("0.01"))
    config.indicators = [key for key in INDICATORS if key in config.indicators]
    return config


def not_ready(config: Config) -> str | None:
    if not config.indicators:
        return "评价标准尚未选择任何指标：请在“评价标准”中至少选择一项指标并设置达标阈值"
    return None


def period_label(granularity: str) -> str:
    return GRANULARITIES.get(granularity, granularity)


SPEC = KindSpec(
    ProgramKind.NO_LITIGATION_VILLAGE,
    Config,
    check,
    targets={"villages_met": "达标村（社区）数（个）"},
    sections=(
        ("达标情况", "/no-litigation/status"),
        ("试点村（社区）", "/no-litigation/villages"),
        ("评价标准", "/no-litigation/rubric"),
    ),
    not_ready=not_ready,
)
