"""Tenants input rules. Every rule names its field; messages are Chinese for users."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from wusong.core.errors import FieldErrors
from wusong.core.tenancy import ROLE_LABELS, Role

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
DIVISION_RE = re.compile(r"^[0-9]{12}$")  # ASCII only: \d also matches ١٢٣ and １２３
MIN_PASSWORD = 10
MAX_PASSWORD = 128


# Characters a name must not carry: they make two names look alike, or reorder what is shown.
_BIDI = (
    frozenset("\u061c\u200e\u200f")
    | frozenset(map(chr, range(0x202A, 0x202F)))
    | frozenset(map(chr, range(0x2066, 0x206A)))
)  # marks, embeddings/overrides, isolates
_ZERO_WIDTH = frozenset("\u180e\u200b\u200c\u200d\u2060")
_BOM = "\ufeff"


def _name_problem(text: str) -> str | None:
    """Why ``text`` cannot be a name, or None."""
    for ch in text:
        point = ord(ch)
        if ch in _BIDI:
            return "不能包含文字方向控制字符"
        if ch in _ZERO_WIDTH:
            return "不能包含零宽字符"
        if ch == _BOM:
            return "不能包含字节顺序标记（BOM）"
        if 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE:
            return "不能包含 Unicode 非字符"
        if unicodedata.category(ch) in {"Cc", "Cs"}:
            return "不能包含控制字符"
    return None


def clean_text(
    errors: FieldErrors,
    field: str,
    label: str,
    value: Any,
    max_len: int,
    *,
    required: bool = True,
) -> str:
    """A name (of a county, an area, a person, a token): trimmed, bounded and visible.

    Every name field goes through here: control characters, bidirectional marks, overrides and
    isolates, zero-width characters, the BOM and Unicode non-characters are refused.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) and value is not None:
        errors.add(field, f"{label}必须是文本")
    elif not text:
        if required:
            errors.add(field, f"{label}不能为空")
    elif len(text) > max_len:
        errors.add(field, f"{label}不能超过 {max_len} 个字")
    elif problem := _name_problem(text):
        errors.add(field, label + problem)
    return text


def clean_code(value: Any) -> str:
    """A code or number as typed: NFKC turns full-width digits (Chinese keyboards) into ASCII.

    Callers then accept ASCII only (``[0-9]``, never ``\\d``): other scripts' digits stay
    refused, so ``220322１９９000`` and ``220322199000`` are one code, and ``٢٢٠...`` is none.
    """
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""


def check_slug(errors: FieldErrors, value: Any) -> str:
    slug = value.strip() if isinstance(value, str) else ""
    if not SLUG_RE.match(slug):
        errors.add("slug", "标识须为 2–40 位小写字母、数字或连字符，并以字母开头")
    return slug


def normal_username(value: str) -> str:
    """The username as it is stored: NFKC (full-width forms become ASCII), surrounding space off."""
    return unicodedata.normalize("NFKC", value).strip()


def username_key(value: str) -> str:
    """What makes a username unique: NFKC, then casefold (``LISHU-Viewer`` is ``lishu-viewer``)."""
    return normal_username(value).casefold()


def valid_username(name: str) -> bool:
    """After NFKC only ASCII letters, digits, ``.``, ``_`` and ``-``: look-alikes from other
    scripts (Cyrillic ``а``, Greek ``ο``) and invisible characters are refused, not mapped."""
    return USERNAME_RE.fullmatch(name) is not None


def check_username(errors: FieldErrors, value: Any) -> str:
    name = normal_username(value) if isinstance(value, str) else ""
    if not valid_username(name):
        errors.add(
            "username",
            "用户名须为 3–40 位英文字母、数字、点、下划线或连字符（不能使用其他文字的形近字母）",
        )
    return name


def check_password(errors: FieldErrors, value: Any, field: str = "password") -> str:
    password = value if isinstance(value, str) else ""
    if len(password) < MIN_PASSWORD:
        errors.add(field, f"密码至少 {MIN_PASSWORD} 个字符")
    elif len(password) > MAX_PASSWORD:
        errors.add(field, f"密码不能超过 {MAX_PASSWORD} 个字符")
    return password


def check_role(errors: FieldErrors, value: Any) -> Role:
    try:
        return Role(value.strip() if isinstance(value, str) else "")
    except ValueError:
        choices = "、".join(f"{label}({role.value})" for role, label in ROLE_LABELS.items())
        errors.add("role", "角色无效，可选：" + choices)
        return Role.VIEWER  # never used: the errors are raised first


def check_tenant_division_code(errors: FieldErrors, value: Any) -> str:
    """A county-level code padded to 12 digits: 6 digits of GB/T 2260 + 000000."""
    code = clean_code(value)
    if not DIVISION_RE.match(code) or not code.endswith("000000") or code[4:6] == "00":
        errors.add("division_code", "区划代码须为 12 位数字的县级代码（如 220322000000）")
    return code


def check_area_division_code(
    errors: FieldErrors, value: Any, kind: str, tenant_code: str, parent_code: str | None
) -> str:
    """Township: county prefix + 3 digits + 000. Village: township prefix + 3 digits."""
    code = clean_code(value)
    if not DIVISION_RE.match(code):
        errors.add("division_code", "区划代码须为 12 位数字")
    elif code[:6] != tenant_code[:6]:
        errors.add("division_code", f"区划代码须以本区县代码 {tenant_code[:6]} 开头")
    elif kind == "township" and (code[6:9] == "000" or code[9:] != "000"):
        errors.add("division_code", "乡镇/街道的区划代码第 7–9 位不能为 000，末 3 位须为 000")
    elif kind == "village" and parent_code and code[:9] != parent_code[:9]:
        errors.add("division_code", f"村/社区的区划代码须以所属乡镇代码 {parent_code[:9]} 开头")
    elif kind == "village" and code[9:] == "000":
        errors.add("division_code", "村/社区的区划代码末 3 位不能为 000")
    return code


def check_parent_city_code(
    errors: FieldErrors, value: Any, county_code: str, *, county: str = "", city: str = ""
) -> str:
    """The prefecture a county belongs to: the county code's first 4 digits + 00 (GB/T 2260).

    Omitted, it is derived from the county code; given (6 or 12 digits), it must be that code,
    and it must be given with a parent city's name, which nothing else could check.
    """
    code = clean_code(value)
    if "division_code" in errors or not DIVISION_RE.match(county_code):
        return code
    expected = county_code[:4] + "00"
    if not code:
        if city:
            errors.add(
                "parent_city_code",
                f"给出上级市名称时须同时给出其区划代码（按区县代码应为 {expected}000000）",
            )
        return expected + "000000"
    if re.fullmatch(r"[0-9]{6}", code):
        code += "000000"
    if not DIVISION_RE.match(code) or code[6:] != "000000":
        errors.add("parent_city_code", "上级市区划代码须为 6 位或 12 位数字（如 220300000000）")
    elif code[:6] != expected:
        errors.add(
            "parent_city_code",
            f"上级市{city}（{code[:6]}）不是{county}（{county_code[:6]}）的上级市："
            f"其上级市代码应为 {expected}",
        )
    return code
