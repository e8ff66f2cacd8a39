"""Password hashing (argon2) and random bearer secrets stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from wusong.core.settings import get_settings


def hasher_for(env: str) -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, t=3).

    Only the test suite (WUSONG_ENV=test) uses the cheapest parameters, so that the hundreds of
    accounts it creates cost milliseconds; a hash carries its parameters, so verification of
    stored hashes never depends on this choice.
    """
    if env == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


@cache
def hasher() -> PasswordHasher:
    return hasher_for(get_settings().env)


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so timing does not reveal accounts."""
    return hasher().hash("wusong-dummy-password")


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        ok = hasher().verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


# argon2 takes ~0.1 s of CPU by design: run it in a worker thread, never on the event loop.
async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(hasher().hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(_verify, password_hash, password)


def new_secret(prefix: str) -> tuple[str, str]:
    """A new random secret (≥256 bits) and its SHA-256 hex digest."""
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
