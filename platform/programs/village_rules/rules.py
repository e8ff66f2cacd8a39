"""Village rules as data: article labels, money in fen, masked names, and the check of a
declared banquet against a version's quantitative clauses."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from programs.village_rules.schemas import Clause, RuleVersionRow
from wusong.core.errors import FieldErrors

NO_RULES = "无生效的村规民约"
_DIGITS = "零一二三四五六七八九"
_YUAN = re.compile(r"^(-)?(\d{1,9})(?:\.(\d{1,2}))?$")
MAX_FEN = 100_000_000  # 1,000,000 yuan per table: anything above is a typing mistake


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五 (article numbers; above 99 in digits)."""
    if 0 <= n < 10:
        return _DIGITS[n]
    if 10 <= n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def article_label(article: int | None) -> str:
    return f"第{chinese_number(article)}条" if article else "村规民约"


def yuan_text(fen: int) -> str:
    """Fen as yuan for people: 30000 → 300, 35050 → 350.50."""
    yuan, cents = divmod(fen, 100)
    return f"{yuan}" if cents == 0 else f"{yuan}.{cents:02d}"


def parse_yuan(
    errors: FieldErrors, field: str, label: str, raw: Any, *, required: bool = True
) -> int | None:
    """Yuan typed with at most 2 decimals (full-width digits too) as integer fen."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    text = unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "").strip()
    text = text.removesuffix("元").strip().replace(",", "")
    if not text:
        if required:
            errors.add(field, f"{label}不能为空")
        return None
    match = _YUAN.match(text)
    if match is None:
        errors.add(field, f"{label}应填写金额（元），最多两位小数，例如 300 或 299.50")
        return None
    if match.group(1):
        errors.add(field, f"{label}不能为负数")
        return None
    fen = int(match.group(2)) * 100 + int((match.group(3) or "0").ljust(2, "0"))
    if fen > MAX_FEN:
        errors.add(field, f"{label}不能超过 1000000 元")
        return None
    return fen


def mask_name(name: str) -> str:
    """A household head's name as lists show it: 张*华, 李*, 欧阳**明."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def clauses(version: RuleVersionRow) -> list[Clause]:
    """The version's quantitative clauses, each with the label of its article."""
    found = []
    if version.occasions:
        found.append(
            Clause(
                version.occasions_article,
                article_label(version.occasions_article),
                "occasions",
                "办席事由限于" + "、".join(version.occasions),
            )
        )
    if version.max_tables is not None:
        found.append(
            Clause(
                version.max_tables_article,
                article_label(version.max_tables_article),
                "max_tables",
                f"每场不超过{version.max_tables}桌",
            )
        )
    if version.max_fen_per_table is not None:
        found.append(
            Clause(
                version.max_fen_article,
                article_label(version.max_fen_article),
                "max_fen_per_table",
                f"每桌不超过{yuan_text(version.max_fen_per_table)}元",
            )
        )
    if version.venue:
        found.append(
            Clause(
                version.venue_article,
                article_label(version.venue_article),
                "venue",
                f"须在{version.venue}办席",
            )
        )
    return found


def breaches(
    version: RuleVersionRow | None, *, occasion: str, tables: int, fen_per_table: int, venue: str
) -> list[str]:
    """Each clause of ``version`` the banquet breaks, naming its article and what was declared
    ("第五条：每桌不超过300元（申报350元）"); with no version in force, that alone."""
    if version is None:
        return [NO_RULES]
    found = []
    for clause in clauses(version):
        if clause.kind == "occasions" and occasion not in version.occasions:
            found.append(f"{clause.label}：{clause.text}（申报{occasion}）")
        elif clause.kind == "max_tables" and tables > (version.max_tables or 0):
            found.append(f"{clause.label}：{clause.text}（申报{tables}桌）")
        elif clause.kind == "max_fen_per_table" and fen_per_table > (
            version.max_fen_per_table or 0
        ):
            found.append(f"{clause.label}：{clause.text}（申报{yuan_text(fen_per_table)}元）")
        elif clause.kind == "venue" and version.venue not in venue:
            found.append(f"{clause.label}：{clause.text}（申报{venue or '未填写地点'}）")
    return found
