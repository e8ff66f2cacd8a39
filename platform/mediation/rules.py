"""Input rules of the mediation domain, with Chinese messages naming the field: free text,
amounts in yuan, dates, resident ID numbers and mobile numbers."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from mediation import identity
from wusong.core.errors import FieldErrors

EARLIEST = date(2000, 1, 1)  # no mediation record of this product predates it
MAX_AMOUNT = Decimal("1000000000000")  # one trillion yuan: beyond it is a typing error
CENT = Decimal("0.01")
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def clean_long_text(
    errors: FieldErrors, field: str, label: str, value: Any, max_len: int, *, required: bool = False
) -> str:
    """Free text (facts, claims, a record): line breaks kept; other control characters,
    bidirectional overrides and zero-width characters refused. Shown as text (autoescape)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, f"{label}必须是文本")
        return ""
    text = value.replace("\r\n", "\n").strip()
    if not text:
        if required:
            errors.add(field, f"{label}不能为空")
        return ""
    if len(text) > max_len:
        errors.add(field, f"{label}不能超过 {max_len} 个字")
        return text
    for ch in text:
        if ch in _ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(ch)
        if category in {"Cc", "Cs", "Cf"} and ch != "\u200d":
            errors.add(field, f"{label}不能包含控制字符或不可见的格式字符")
            break
    return text


def check_amount(errors: FieldErrors, field: str, label: str, value: Any) -> Decimal | None:
    """An amount in yuan: a number ≥ 0 with at most two decimals (never a float)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(unicodedata.normalize("NFKC", str(value)).replace(",", "").strip())
    except InvalidOperation:
        errors.add(field, f"{label}必须是数字（元）")
        return None
    if not amount.is_finite():
        errors.add(field, f"{label}必须是数字（元）")
    elif amount < 0:
        errors.add(field, f"{label}不能为负数")
    elif amount > MAX_AMOUNT:
        errors.add(field, f"{label}不能超过 1 万亿元")
    elif amount != amount.quantize(CENT):
        errors.add(field, f"{label}最多保留两位小数")
    else:
        return amount.quantize(CENT)
    return None


def check_day(
    errors: FieldErrors, field: str, label: str, day: date | None, *, today: date,
    not_before: date | None = None, not_before_label: str = "", future: bool = False,
) -> date | None:  # fmt: skip
    """A date after 2000-01-01; not in the future unless ``future``; not before ``not_before``."""
    if day is None:
        return None
    if day < EARLIEST:
        errors.add(field, f"{label}不能早于 2000 年")
    elif not future and day > today:
        errors.add(field, f"{label}不能晚于今天")
    elif not_before is not None and day < not_before:
        errors.add(field, f"{label}不能早于{not_before_label}")
    elif future and day.year > today.year + 50:
        errors.add(field, f"{label}不合理（晚于 {today.year + 50} 年）")
    return day


def check_id_number(errors: FieldErrors, field: str, value: Any) -> str:
    """A resident ID number (upper-case X), '' when empty; an error names the field."""
    if not isinstance(value, str) or not value.strip():
        return ""
    normal = identity.normal_id_number(value)
    if normal is None:
        errors.add(field, "身份证号码无效（请核对出生日期和最后一位校验码）")
        return ""
    return normal


def check_mobile(errors: FieldErrors, field: str, label: str, value: Any) -> str:
    """A mainland mobile number as 11 digits, '' when empty."""
    if not isinstance(value, str) or not value.strip():
        return ""
    normal = identity.normal_mobile(value)
    if normal is None:
        errors.add(field, f"{label}不是有效的手机号码（11 位，以 1 开头）")
        return ""
    return normal
