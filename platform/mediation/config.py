"""The tenant's mediation settings: case-number format and the periods (domain.md defaults).

Stored as one ``mediation_settings`` row per tenant; absent until an administrator first saves,
so every tenant starts from these defaults."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from wusong.core.errors import FieldErrors

NUMBER_FIELDS = ("usual_days", "ordinary_days", "simplified_days", "classic_days",
                 "extension_days", "confirmation_days")  # fmt: skip


class MediationConfig(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    # Case number: （2026）梨调字第0001号 = （year）{abbr}{word}第{seq, digits wide}号
    number_abbr: str = ""  # default: the first character of the tenant's name
    number_word: str = "调字"
    number_digits: int = 4
    usual_days: int = 30  # a case of any other source (about one month, 人民调解工作若干规定)
    ordinary_days: int = 15  # court-referred after filing, ordinary procedure
    simplified_days: int = 7  # court-referred after filing, simplified procedure
    classic_days: int = 30  # classic pre-filing referral (诉前调解)
    extension_days: int = 30  # with both parties' consent
    confirmation_days: int = 30  # joint application for judicial confirmation after effect
    hidden_categories: list[str] = msgspec.field(default_factory=list)

    labels: ClassVar[dict[str, str]] = {
        "number_abbr": "案号简称",
        "number_word": "案号字号",
        "number_digits": "案号序号位数",
        "usual_days": "一般调解期限（天）",
        "ordinary_days": "委派调解期限：普通程序（天）",
        "simplified_days": "委派调解期限：简易程序（天）",
        "classic_days": "诉前调解期限（天）",
        "extension_days": "经双方同意可延长（天）",
        "confirmation_days": "申请司法确认期限（天）",
        "hidden_categories": "停用的标准类别",
    }


PROCEDURES: dict[str, str] = {
    "ordinary": "立案后委派调解（普通程序）",
    "simplified": "立案后委派调解（简易程序）",
    "classic": "诉前调解",
}
PROCEDURE_DAYS = {"ordinary": "ordinary_days", "simplified": "simplified_days",
                  "classic": "classic_days"}  # fmt: skip


def case_number(config: MediationConfig, tenant_name: str, year: int, seq: int) -> str:
    abbr = config.number_abbr or tenant_name[:1]
    return f"（{year}）{abbr}{config.number_word}第{seq:0{config.number_digits}d}号"


def check_config(config: MediationConfig, errors: FieldErrors) -> MediationConfig:
    labels = MediationConfig.labels
    if len(config.number_abbr.strip()) > 4:
        errors.add("number_abbr", "案号简称不能超过 4 个字")
    word = config.number_word.strip()
    if not word or len(word) > 6:
        errors.add("number_word", "案号字号须为 1 到 6 个字")
    if not 3 <= config.number_digits <= 6:
        errors.add("number_digits", "案号序号位数须在 3 到 6 之间")
    for name in NUMBER_FIELDS:
        value = getattr(config, name)
        if not 1 <= value <= 365:
            errors.add(name, f"{labels[name]}须在 1 到 365 之间")
    config.number_abbr = config.number_abbr.strip()
    config.number_word = word
    return config
