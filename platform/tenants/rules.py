"""Tenants input rules. Every rule names its field; messages are Chinese for users."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from wusong.core.errors import FieldErrors
from wusong.core.tenancy import ROLE_LABELS, Role

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
DIVISION_RE = re.compile(r"^\d{12}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 128


def clean_text(errors: FieldErrors, field: str, label: str, value: Any, max_len: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not isinstance(value, str) and value is not None:
        errors.add(field, f"{label}必须是文本")
    elif not text:
        errors.add(field, f"{label}不能为空")
    elif len(text) > max_len:
        errors.add(field, f"{label}不能超过 {max_len} 个字")
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        errors.add(field, f"{label}不能包含控制字符")
    return text


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
    code = value.strip() if isinstance(value, str) else ""
    if not DIVISION_RE.match(code) or not code.endswith("000000") or code[4:6] == "00":
        errors.add("division_code", "区划代码须为 12 位数字的县级代码（如 220322000000）")
    return code


def check_area_division_code(
    errors: FieldErrors, value: Any, kind: str, tenant_code: str, parent_code: str | None
) -> str:
    """Township: county prefix + 3 digits + 000. Village: township prefix + 3 digits."""
    code = value.strip() if isinstance(value, str) else ""
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
