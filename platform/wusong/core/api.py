"""JSON API conventions shared by every domain: paging, ETags and optimistic locking."""

from __future__ import annotations

import re
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, QueryParameter

from wusong.core.errors import PreconditionFailed, PreconditionRequired

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match")]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: ``has_more`` always, ``total`` only when asked for (it costs a scan).

    Typed by its rows in the handler's return annotation: ``-> Page[AreaRow]``."""

    items: list[T]
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


# ---- the error body, documented on every API operation ------------------------------------


class FieldError(msgspec.Struct):
    field: str  # the body field or query parameter, as the client sent it
    message: str  # Chinese, for people


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every API error: ``{"status": 422, "detail": "...", "errors": [{"field", "message"}]}``."""

    status: int
    detail: str
    errors: list[FieldError] = msgspec.field(default_factory=list)


_ERRORS = {
    400: "请求无法解析（例如请求体不是 UTF-8 编码的 JSON，或嵌套过深）",
    401: "缺少或无效的访问令牌（Authorization: Bearer wst_…）",
    403: "当前角色无权执行此操作，或区县已停用",
    404: "区县或记录不存在（其他区县的记录同样是 404）",
    409: "与他人同时创建或修改了同一记录，请刷新后重试",
    412: "If-Match 的版本不是当前版本：记录已被他人修改",
    422: "请求参数或字段无效；errors 逐项列出 field（参数或字段名）与中文说明",
    428: "缺少 If-Match 请求头",
    429: "该客户端提交无效令牌的次数过多，在 Retry-After 秒内暂停服务",
    503: "数据库暂时不可用，请稍后重试",
}
_EXAMPLE = {
    "status": 422,
    "detail": "每页条数（limit）应在 1 到 200 之间",
    "errors": [{"field": "limit", "message": "每页条数（limit）应在 1 到 200 之间"}],
}
_NOT_INPUT = frozenset({"self", "ctx", "catalog", "tenant", "request", "if_match"})


def error_responses(handler: HTTPRouteHandler, *, writes: bool) -> dict[int, ResponseSpec]:
    """The error responses an API operation really gives, each with the ErrorBody schema."""
    params = set(handler.parsed_fn_signature.parameters)
    # A path parameter of the wrong shape matches no route: a 404, not a 422.
    in_path = {name for path in handler.paths for name in re.findall(r"\{(\w+)", path)}
    # 429: a client that kept presenting bad tokens (tenants.middleware), on every operation.
    codes = {400, 401, 403, 404, 429, 503}
    if params - _NOT_INPUT - in_path:
        codes.add(422)
    if writes:
        codes.add(409)
    if "if_match" in params:
        codes |= {412, 428}
    return {
        code: ResponseSpec(
            data_container=ErrorBody,
            description=_ERRORS.get(code, "错误"),
            generate_examples=False,
            examples=[Example(value=_EXAMPLE if code == 422 else {"status": code, "detail": "…"})],
        )
        for code in sorted(codes)
    }
