"""JSON API conventions shared by every domain: paging, ETags and optimistic locking."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar.params import HeaderParameter, QueryParameter

from wusong.core.errors import PreconditionFailed, PreconditionRequired

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]


class Page(msgspec.Struct):
    """One page of a list: ``has_more`` always, ``total`` only when asked for (it costs a scan)."""

    items: list[Any]
    offset: int
    limit: int
    has_more: bool
    total: int | None = None


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int:
    """The version a client last saw, from If-Match; 428 when absent, 412 when unparseable."""
    if not if_match:
        raise PreconditionRequired
    value = if_match.strip().removeprefix("W/").strip('"')
    return whole_number(value, PreconditionFailed)


def whole_number(value: str | None, error: type[Exception] | None = None, default: int = -1) -> int:
    """A small non-negative whole number (at most 9 digits) from text; else ``error`` or default."""
    if value and value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    if error is not None:
        raise error()
    return default
