"""Red property rating (红色物业评星): the rubric is the program's typed configuration.

Criteria with weights (full marks) summing to exactly 100, one-vote veto items, the score →
stars table (bands over 0–100, no overlap, no gap), the stars → fee-level table (every star
level 1–5 present) and how many months a rating holds. Every save is a new configuration
version; an inspection keeps the version it was scored under and its computed result.
"""

from __future__ import annotations

import itertools
from typing import Any

import msgspec

from programs.kinds import KindSpec, ProgramKind
from tenants.rules import clean_text
from wusong.core.errors import FieldErrors

STAR_LEVELS = (1, 2, 3, 4, 5)
MAX_CRITERIA = 20
MAX_VETOES = 10


class Criterion(msgspec.Struct, forbid_unknown_fields=True):
    """A scored criterion; its weight is its full mark (an inspection scores 0..weight)."""

    name: str
    weight: int


class Veto(msgspec.Struct, forbid_unknown_fields=True):
    """A one-vote veto item: when triggered the complex gets no star."""

    name: str


class StarBand(msgspec.Struct, forbid_unknown_fields=True):
    """Total scores ``min_score``..``max_score`` (inclusive) earn ``stars`` (0: no star)."""

    stars: int
    min_score: int
    max_score: int


class FeeLevel(msgspec.Struct, forbid_unknown_fields=True):
    """The fee level of a star rating and its ceiling, in fen per m² per month."""

    stars: int
    level: str
    ceiling_fen: int


class Config(msgspec.Struct, forbid_unknown_fields=True):
    criteria: list[Criterion] = msgspec.field(default_factory=list)
    vetoes: list[Veto] = msgspec.field(default_factory=list)
    bands: list[StarBand] = msgspec.field(default_factory=list)
    fees: list[FeeLevel] = msgspec.field(default_factory=list)
    valid_months: int = 12

    @property
    def configured(self) -> bool:
        return bool(self.criteria or self.vetoes or self.bands or self.fees)


def star_label(stars: int) -> str:
    return f"{stars}星" if stars else "无星"


def check(config: Config, errors: FieldErrors) -> Config:
    """Validate a rubric. An empty rubric is accepted (a draft program) but not ready."""
    if not 1 <= config.valid_months <= 60:
        errors.add("config.valid_months", "评星有效期须为 1 至 60 个月")
    if not config.configured:
        return config
    _check_criteria(config, errors)
    _check_bands(config, errors)
    _check_fees(config, errors)
    return config


def _check_criteria(config: Config, errors: FieldErrors) -> None:
    if not config.criteria:
        errors.add("config.criteria", "至少设置一个评分项")
    if len(config.criteria) > MAX_CRITERIA:
        errors.add("config.criteria", f"评分项不能超过 {MAX_CRITERIA} 个")
    seen: set[str] = set()
    for i, criterion in enumerate(config.criteria):
        key = f"config.criteria[{i}]"
        criterion.name = clean_text(
            errors, f"{key}.name", f"第{i + 1}个评分项名称", criterion.name, 40
        )
        if criterion.name in seen:
            errors.add(f"{key}.name", f"评分项“{criterion.name}”重复")
        seen.add(criterion.name)
        if not 1 <= criterion.weight <= 100:
            errors.add(f"{key}.weight", f"评分项“{criterion.name}”的分值须为 1 至 100")
    total = sum(c.weight for c in config.criteria)
    if config.criteria and total != 100:
        errors.add("config.criteria", f"各评分项分值之和须恰为 100，当前为 {total}")
    if len(config.vetoes) > MAX_VETOES:
        errors.add("config.vetoes", f"否决项不能超过 {MAX_VETOES} 个")
    vetoes: set[str] = set()
    for i, veto in enumerate(config.vetoes):
        key = f"config.vetoes[{i}].name"
        veto.name = clean_text(errors, key, f"第{i + 1}个否决项", veto.name, 60)
        if veto.name in vetoes:
            errors.add(key, f"否决项“{veto.name}”重复")
        vetoes.add(veto.name)


def _check_bands(config: Config, errors: FieldErrors) -> None:
    if not config.bands:
        errors.add("config.bands", "须设置分数→星级对照表")
        return
    usable = []
    for i, band in enumerate(config.bands):
        key = f"config.bands[{i}]"
        if not 0 <= band.stars <= 5:
            errors.add(f"{key}.stars", "星级须为 0（无星）至 5")
        elif not 0 <= band.min_score <= band.max_score <= 100:
            errors.add(
                f"{key}.min_score",
                f"{star_label(band.stars)}的分数段须在 0–100 之内且下限不大于上限",
            )
        else:
            usable.append(band)
    if len(usable) != len(config.bands):
        return
    ordered = sorted(usable, key=lambda b: (b.min_score, b.max_score))
    overlaps = [
        f"{star_label(a.stars)} {a.min_score}–{a.max_score} 与 "
        f"{star_label(b.stars)} {b.min_score}–{b.max_score}"
        for a, b in itertools.pairwise(ordered)
        if b.min_score <= a.max_score
    ]
    if overlaps:
        errors.add("config.bands", "分数段重叠：" + "；".join(overlaps))
        return
    gaps = []
    expected = 0
    for band in ordered:
        if band.min_score > expected:
            gaps.append(f"{expected}–{band.min_score - 1}")
        expected = band.max_score + 1
    if expected <= 100:
        gaps.append(f"{expected}–100")
    if gaps:
        errors.add("config.bands", "分数段须覆盖 0–100，缺少：" + "、".join(gaps))
    stars = [b.stars for b in ordered]
    if len(set(stars)) != len(stars):
        errors.add("config.bands", "每个星级只能对应一个分数段")


def _check_fees(config: Config, errors: FieldErrors) -> None:
    given: dict[int, int] = {}
    for i, fee in enumerate(config.fees):
        key = f"config.fees[{i}]"
        if fee.stars not in STAR_LEVELS:
            errors.add(f"{key}.stars", "收费等级须对应 1 至 5 星")
            continue
        if fee.stars in given:
            errors.add(f"{key}.stars", f"{fee.stars}星的收费等级重复")
        given[fee.stars] = i
        fee.level = clean_text(
            errors, f"{key}.level", f"{fee.stars}星的收费等级名称", fee.level, 20
        )
        if not 0 <= fee.ceiling_fen <= 100_000:
            errors.add(f"{key}.ceiling_fen", f"{fee.stars}星的收费上限须为 0 至 1000 元")
    missing = [s for s in STAR_LEVELS if s not in given]
    if missing:
        errors.add("config.fees", "收费标准缺少星级：" + "、".join(star_label(s) for s in missing))


def not_ready(config: Config) -> str | None:
    if not config.criteria:
        return "尚未设置评星规则（评分项、分数→星级、星级→收费等级）"
    return None


class Rating(msgspec.Struct):
    """What an inspection computes under one rubric version."""

    score: int
    stars: int
    fee_level: str
    fee_ceiling_fen: int | None


def rate(config: Config, scores: list[int], vetoed: bool) -> Rating:
    """Total score, stars (0 when a veto triggers) and the fee level of those stars."""
    score = sum(scores)
    stars = 0
    if not vetoed:
        stars = next((b.stars for b in config.bands if b.min_score <= score <= b.max_score), 0)
    fee = next((f for f in config.fees if f.stars == stars), None)
    return Rating(score, stars, fee.level if fee else "", fee.ceiling_fen if fee else None)


def decode(raw: dict[str, Any]) -> Config:
    """A stored configuration (already validated when it was saved)."""
    return msgspec.convert(raw, Config, strict=False)


SPEC = KindSpec(
    ProgramKind.RED_PROPERTY,
    Config,
    check,
    sections=(
        ("小区名录", "/complexes"),
        ("评星规则", "/rubric"),
        ("督察记录", "/inspections"),
        ("投诉", "/complaints"),
    ),
    not_ready=not_ready,
)
