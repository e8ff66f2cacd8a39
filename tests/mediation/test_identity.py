"""Personal data rules: GB 11643 resident ID numbers, mainland mobiles, masking, and the
encryption of ID numbers (property-based where a rule covers many inputs)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings
from hypothesis import strategies as st

from mediation import identity

REGIONS = st.sampled_from(["110105", "220322", "220302", "220382", "440305", "650102"])
BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1))
ORDERS = st.integers(min_value=0, max_value=999)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    first17 = f"{draw(REGIONS)}{draw(BIRTHS):%Y%m%d}{draw(ORDERS):03d}"
    return first17 + identity.check_character(first17)


def test_the_domain_examples() -> None:
    assert identity.normal_id_number("11010519491231002X") == "11010519491231002X"
    assert identity.normal_id_number("11010519491231002x") == "11010519491231002X"
    assert identity.normal_id_number("110105194912310021") is None
    assert identity.normal_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert identity.mask_id_number("11010519491231002X") == "110***********002X"


@settings(max_examples=300, deadline=None)
@given(id_numbers())
def test_every_valid_number_is_accepted(number: str) -> None:
    assert identity.normal_id_number(number) == number
    assert identity.normal_id_number(number.lower()) == number


@settings(max_examples=300, deadline=None)
@given(id_numbers(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_any_single_character_change_is_refused(number: str, position: int, shift: int) -> None:
    """The check character catches every single substitution (mod 11 over weights that are all
    invertible mod 11), including a changed check character itself."""
    alphabet = "0123456789X" if position == 17 else "0123456789"
    old = number[position]
    new = alphabet[(alphabet.index(old) + shift) % len(alphabet)]
    if new == old:
        return
    changed = number[:position] + new + number[position + 1 :]
    assert identity.normal_id_number(changed) is None


@pytest.mark.parametrize(
    "number",
    [
        "220322" + "20260230" + "001",  # 30 February
        "220322" + "18991231" + "001",  # before 1900
        "220322" + "29990101" + "001",  # in the future
    ],
)
def test_an_impossible_birth_date_is_refused_even_with_the_right_check(number: str) -> None:
    assert identity.normal_id_number(number + identity.check_character(number)) is None


@pytest.mark.parametrize(
    "text", ["", "1101051949123100", "11010519491231002XX", "abc", "11010519491231002Y"]
)
def test_malformed_numbers_are_refused(text: str) -> None:
    assert identity.normal_id_number(text) is None


MOBILES = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@settings(max_examples=300, deadline=None)
@given(MOBILES, st.sampled_from(["", "+86", "+86 ", "0086", "86"]), st.sampled_from(["", " ", "-"]))
def test_mobiles_are_normalised(mobile: str, prefix: str, separator: str) -> None:
    spaced = f"{mobile[:3]}{separator}{mobile[3:7]}{separator}{mobile[7:]}"
    assert identity.normal_mobile(prefix + spaced) == mobile


def _mainland(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=1, max_size=14))
def test_anything_but_a_mainland_mobile_is_refused(digits: str) -> None:
    national = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
    expected = national if _mainland(national) else None
    assert identity.normal_mobile(digits) == expected


@pytest.mark.parametrize("text", ["12812345678", "1381234567", "+1 13812345678", "138-1234-567x"])
def test_not_mobiles(text: str) -> None:
    assert identity.normal_mobile(text) is None


def test_an_encrypted_number_opens_only_in_its_tenant() -> None:
    tenant, other = uuid4(), uuid4()
    cipher = identity.encrypt_id_number(tenant, "11010519491231002X")
    assert "11010519491231002X" not in cipher
    assert "002X" not in cipher
    assert identity.decrypt_id_number(tenant, cipher) == "11010519491231002X"
    with pytest.raises(InvalidTag):  # the AEAD tag binds the tenant
        identity.decrypt_id_number(other, cipher)
    assert identity.encrypt_id_number(tenant, "11010519491231002X") != cipher  # fresh nonce
    assert identity.id_number_hash(tenant, "11010519491231002X") != identity.id_number_hash(
        other, "11010519491231002X"
    )
