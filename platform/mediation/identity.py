"""Parties' personal data: resident ID numbers (GB 11643) and mainland mobile numbers.

An ID number is checked (check character and a real birth date), stored encrypted with
AES-256-GCM (the tenant's id as associated data, so a ciphertext copied to another tenant does
not open), found by a keyed hash (HMAC-SHA-256), and shown masked (``110***********002X``)
everywhere but the court reviewer's reveal, which is audited. The keys derive from the
``data_key`` setting (``WUSONG_DATA_KEY``), which never enters the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from datetime import date
from functools import cache
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015().（）]")
CIPHER_PREFIX = "v1:"


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def normal_id_number(value: str) -> str | None:
    """The ID number upper-cased (full-width digits folded), or None when it is not a valid
    18-character resident ID number: shape, check character, a real birth date not in the
    future and not before 1900."""
    text = unicodedata.normalize("NFKC", value).strip().upper()
    if not _ID_SHAPE.match(text):
        return None
    if check_character(text[:17]) != text[17]:
        return None
    born = birth_date(text)
    if born is None or born.year < 1900 or born > date.today():
        return None
    return text


def normal_mobile(value: str) -> str | None:
    """A mainland mobile number as 11 digits (+86/0086 and separators removed), or None."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text if _MOBILE.match(text) else None


def mask_id_number(id_number: str) -> str:
    """``110***********002X``: the region's first three and the last four characters."""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_mobile(mobile: str) -> str:
    """``138****5678``."""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) == 11 else ""


def mask_name(name: str) -> str:
    """``张*`` / ``欧**``: the family name only (organisations are not personal data)."""
    if len(name) <= 1:
        return name
    return name[0] + "*" * min(len(name) - 1, 3)


@cache
def _keys(secret: str) -> tuple[AESGCM, bytes]:
    master = hashlib.sha256(secret.encode()).digest()
    encryption = hmac.new(master, b"wusong id-number encryption v1", hashlib.sha256).digest()
    search = hmac.new(master, b"wusong id-number search v1", hashlib.sha256).digest()
    return AESGCM(encryption), search


def _secret() -> str:
    from wusong.core.settings import get_settings

    return get_settings().data_key


def encrypt_id_number(tenant_id: UUID, id_number: str) -> str:
    aead, _ = _keys(_secret())
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, id_number.encode(), tenant_id.bytes)
    return CIPHER_PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt_id_number(tenant_id: UUID, cipher: str) -> str:
    """The ID number (raises when the ciphertext was altered or belongs to another tenant)."""
    if not cipher.startswith(CIPHER_PREFIX):
        raise ValueError("unknown ID-number cipher version")
    raw = base64.b64decode(cipher[len(CIPHER_PREFIX) :])
    aead, _ = _keys(_secret())
    return aead.decrypt(raw[:12], raw[12:], tenant_id.bytes).decode()


def id_number_hash(tenant_id: UUID, id_number: str) -> str:
    """The keyed hash an exact search compares (per tenant: equal numbers of two tenants differ)."""
    _, search = _keys(_secret())
    return hmac.new(search, tenant_id.bytes + id_number.encode(), hashlib.sha256).hexdigest()
