"""The rubric and inspection pages' rows: a fixed number of numbered inputs (they work without
JavaScript), gathered into the JSON the use cases take, and errors mapped back onto the rows."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from programs.red_property.config import STAR_LEVELS, Config

BLANK_CRITERIA = 3  # empty criterion rows offered under the saved ones
BLANK_VETOES = 2
MIN_CRITERIA = 6  # rows a first rubric starts with
MIN_VETOES = 3
BAND_ROWS = 6  # 0–5 stars


def _number(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def rows_of(config: Config) -> dict[str, str]:
    """The rubric as form values: criterion_name_0, band_min_2, fee_ceiling_3 …"""
    values: dict[str, str] = {"valid_months": str(config.valid_months)}
    for i, c in enumerate(config.criteria):
        values[f"criterion_name_{i}"] = c.name
        values[f"criterion_weight_{i}"] = str(c.weight)
    for i, v in enumerate(config.vetoes):
        values[f"veto_name_{i}"] = v.name
    for i, b in enumerate(sorted(config.bands, key=lambda b: b.stars)):
        values[f"band_stars_{i}"] = str(b.stars)
        values[f"band_min_{i}"] = str(b.min_score)
        values[f"band_max_{i}"] = str(b.max_score)
    for f in config.fees:
        values[f"fee_level_{f.stars}"] = f.level
        values[f"fee_ceiling_{f.stars}"] = f"{Decimal(f.ceiling_fen) / 100:.2f}"
    return values


def row_counts(values: Mapping[str, str]) -> dict[str, int]:
    """How many rows of each kind the page shows: what is filled, plus blank rows."""

    def used(prefix: str) -> int:
        found = [int(m.group(1)) for k in values if (m := re.fullmatch(prefix + r"(\d+)", k))]
        return max(found, default=-1) + 1

    return {
        "criteria": max(
            max(used("criterion_name_"), used("criterion_weight_")) + BLANK_CRITERIA, MIN_CRITERIA
        ),
        "vetoes": max(used("veto_name_") + BLANK_VETOES, MIN_VETOES),
        "bands": max(used("band_stars_"), BAND_ROWS),
    }


class Gathered:
    """The configuration typed on the page, and which page row each list entry came from."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = {}
        self.rows: dict[str, list[str]] = {"criteria": [], "vetoes": [], "bands": [], "fees": []}
        self.config: dict[str, Any] = {
            "criteria": [],
            "vetoes": [],
            "bands": [],
            "fees": [],
            "valid_months": self._int(data, "valid_months", "评星有效期") or 0,
        }
        counts = row_counts(data)
        for i in range(counts["criteria"]):
            name = data.get(f"criterion_name_{i}", "").strip()
            weight = data.get(f"criterion_weight_{i}", "").strip()
            if name or weight:
                self.rows["criteria"].append(str(i))
                self.config["criteria"].append(
                    {"name": name, "weight": self._int(data, f"criterion_weight_{i}", "分值")}
                )
        for i in range(counts["vetoes"]):
            name = data.get(f"veto_name_{i}", "").strip()
            if name:
                self.rows["vetoes"].append(str(i))
                self.config["vetoes"].append({"name": name})
        for i in range(counts["bands"]):
            keys = (f"band_stars_{i}", f"band_min_{i}", f"band_max_{i}")
            if any(data.get(k, "").strip() for k in keys[1:]):
                self.rows["bands"].append(str(i))
                self.config["bands"].append(
                    {
                        "stars": self._int(data, keys[0], "星级"),
                        "min_score": self._int(data, keys[1], "最低分"),
                        "max_score": self._int(data, keys[2], "最高分"),
                    }
                )
        for stars in STAR_LEVELS:
            level = data.get(f"fee_level_{stars}", "").strip()
            ceiling = data.get(f"fee_ceiling_{stars}", "").strip()
            if level or ceiling:
                self.rows["fees"].append(str(stars))
                self.config["fees"].append(
                    {"stars": stars, "level": level, "ceiling_fen": self._fen(data, stars)}
                )

    def _int(self, data: Mapping[str, str], key: str, label: str) -> int:
        raw = _number(data.get(key, ""))
        if raw.isascii() and raw.isdigit() and len(raw) <= 6:
            return int(raw)
        self.errors[key] = f"{label}应填写整数" if raw else f"{label}不能为空"
        return 0

    def _fen(self, data: Mapping[str, str], stars: int) -> int:
        key = f"fee_ceiling_{stars}"
        raw = _number(data.get(key, ""))
        try:
            yuan = Decimal(raw)
        except InvalidOperation:
            yuan = Decimal(-1)
        if not raw or not yuan.is_finite() or yuan < 0 or yuan != yuan.quantize(Decimal("0.01")):
            self.errors[key] = f"{stars}星的收费上限须为金额（元，最多两位小数）"
            return 0
        return int(yuan * 100)

    def to_rows(self, errors: Mapping[str, str]) -> dict[str, str]:
        """The use case's error keys (config.criteria[2].weight) as the page's input names."""
        names = {"criteria": "criterion", "vetoes": "veto", "bands": "band", "fees": "fee"}
        fields = {
            "weight": "weight", "name": "name", "stars": "stars", "min_score": "min",
            "max_score": "max", "level": "level", "ceiling_fen": "ceiling",
        }  # fmt: skip
        mapped: dict[str, str] = {}
        for key, message in errors.items():
            match = re.fullmatch(r"config\.(\w+)\[(\d+)\]\.(\w+)", key)
            if match and match.group(1) in self.rows:
                kind, index, field = match.groups()
                rows = self.rows[kind]
                row = rows[int(index)] if int(index) < len(rows) else "0"
                mapped[f"{names[kind]}_{fields.get(field, field)}_{row}"] = message
            else:
                mapped[key.removeprefix("config.") if key.startswith("config.") else key] = message
        return mapped


def inspection_payload(data: Mapping[str, str], criteria: int, vetoes: int) -> dict[str, str]:
    """The inspection page's inputs (score_0…, veto_0…) as the InspectionForm's JSON fields."""
    scores = [_number(data.get(f"score_{i}", "")) for i in range(criteria)]
    triggered = [data.get(f"veto_{i}", "") for i in range(vetoes)]
    return {
        **data,
        "scores_json": json.dumps(scores, ensure_ascii=False),
        "vetoes_json": json.dumps([v for v in triggered if v], ensure_ascii=False),
    }
