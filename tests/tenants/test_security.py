"""Password hashing: real argon2id parameters everywhere but in the test suite."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("env", ["development", "production"])
def test_outside_tests_passwords_get_argon2id_at_owasp_strength_or_more(env: str) -> None:
    from argon2 import Type

    from tenants.security import hasher_for

    params = hasher_for(env)
    assert params.type is Type.ID
    # OWASP's floor for argon2id: 19 MiB with 2 iterations; the defaults are 64 MiB, t=3.
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2


def test_a_cheap_test_hash_still_verifies_and_wrong_passwords_fail() -> None:
    from tenants.security import _verify, hasher

    stored = hasher().hash("correct-horse-battery")
    assert stored.startswith("$argon2id$")
    assert _verify(stored, "correct-horse-battery")
    assert not _verify(stored, "wrong")
    assert not _verify(None, "correct-horse-battery")  # unknown user: dummy hash, same path
