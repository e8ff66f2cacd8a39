"""Errors mapped to HTTP in one place: Chinese pages for people, JSON naming fields for the API.

Database errors name only what they mean: a unique violation is a 409 (two requests raced past
the same check), a connection failure a 503, anything else — a SQL typo, a NOT NULL or foreign
key violation, a write in a read-only unit of work — is a bug: a 500, logged with its traceback.
"""

from __future__ import annotations

import logging
from types import NoneType
from typing import Any, Literal, get_args, get_origin
from urllib.parse import quote
from uuid import UUID

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.typing import FieldDefinition

from wusong.core.api import ErrorBody, FieldError
from wusong.core.db import is_unavailable, is_unique_violation
from wusong.core.errors import DomainError, Invalid, NotFound, TooManyAttempts, Unauthorized
from wusong.core.views import FormRejected, error_nav
from wusong.core.web import ensure_csrf_token, is_api

log = logging.getLogger("wusong.web")

STATUS_TITLES = {
    400: "请求无效",
    401: "请先登录",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持该操作",
    409: "数据冲突",
    412: "记录已被修改",
    413: "提交内容过大",
    422: "提交的数据有误",
    428: "缺少版本信息",
    429: "操作过于频繁",
    500: "系统出错了",
    503: "服务暂时不可用",
}


# One wording for every page that is not there (a route, a county, a record of another county).
NOT_FOUND_PAGE = "您访问的页面或记录不存在，或者您无权查看。"
# Where the composition root's after-exception hook leaves who is signed in, for an error raised
# before the tenant middleware knew it (no such route, no such county): a TenantContext under
# "ctx", or the signed-in user outside any county under "user".
SIGNED_IN = "wusong_signed_in"


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, NotFoundException | NotFound)


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if is_api(request.url.path):
        fields = [FieldError(field=f, message=m) for f, m in (errors or {}).items()]
        body = ErrorBody(status=status, detail=message, errors=fields)
        return Response(body, status_code=status, headers=headers)
    if status == 404:
        message = NOT_FOUND_PAGE
    ensure_csrf_token(request.scope)
    context: dict[str, Any] = {}
    state = request.scope.get("state", {})
    signed_in = state.get(SIGNED_IN) or {}
    ctx = state.get("ctx") or signed_in.get("ctx")
    if ctx is not None:  # keep the tenant navigation on errors inside a tenant
        context["ctx"] = ctx
        context["nav"] = error_nav(request, ctx)
    elif signed_in.get("user") is not None:  # signed in, outside a county: the account header
        context["user"] = signed_in["user"]
    return Template(
        "errors/error.html",
        context={
            **context,
            "status": status,
            "title": STATUS_TITLES.get(status, "出错了"),
            "message": message,
            "errors": errors or {},
        },
        status_code=status,
        headers=headers,
    )


def _login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target, safe='')}", status_code=303)


API_UNAUTHORIZED = "缺少或无效的访问令牌：请在 Authorization 头中提供 Bearer 令牌"


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, Unauthorized) and not is_api(request.url.path):
        return _login_redirect(request)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    message = exc.message
    if isinstance(exc, Unauthorized) and message == Unauthorized.default_message:
        message = API_UNAUTHORIZED  # an API client has a token, not a sign-in
    if isinstance(exc, TooManyAttempts) and exc.retry_after:
        headers = {"Retry-After": str(exc.retry_after)}
    errors = exc.errors if isinstance(exc, Invalid) else None
    return error_response(request, exc.status_code, message, errors, headers)


def form_rejected_handler(request: Request[Any, Any, Any], exc: FormRejected) -> Response[Any]:
    """The form page, re-rendered with its field errors before the exception was raised."""
    return exc.response


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not is_api(request.url.path):
        return _login_redirect(request)
    if isinstance(exc, NotFoundException):
        message = NOT_FOUND_PAGE
    elif isinstance(exc, PermissionDeniedException):
        message = (
            "请求被拒绝：请刷新页面后重试" if "CSRF" in str(exc.detail) else "您没有权限执行此操作"
        )
    elif status == 405:
        message = "该地址不支持此操作"
    elif status == 429:
        message = "操作过于频繁，请稍后再试"
    elif status >= 500:
        message = "系统暂时出错，请稍后再试"
    else:
        message = STATUS_TITLES.get(status, "请求无效")
    return error_response(request, status, message, headers=exc.headers)


def parameter_message(key: str, field: FieldDefinition | None) -> str:
    """What a query, path or header parameter must look like, in Chinese, naming it."""
    name = f"参数 {key}"
    if field is None:
        return f"{name} 的值无效"
    if field.is_optional:
        field = next((t for t in field.inner_types if t.annotation is not NoneType), field)
    annotation = field.annotation
    if get_origin(annotation) is Literal:
        return f"{name} 应为 {'、'.join(str(v) for v in get_args(annotation))} 之一"
    if annotation is bool:
        return f"{name} 应为 true 或 false"
    if annotation is int:
        declared = field.kwarg_definition
        low, high = getattr(declared, "ge", None), getattr(declared, "le", None)
        if low is not None and high is not None:
            return f"{name} 应为 {low} 到 {high} 之间的整数"
        return f"{name} 应为整数"
    if annotation is UUID:
        return f"{name} 应为 UUID"
    return f"{name} 的值无效"


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Body or parameter decoding failed: 422 naming each field (a parameter in Chinese)."""
    errors: dict[str, str] = {}
    parameters = request.route_handler.parsed_fn_signature.parameters
    for item in exc.extra or []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or item.get("source") or "body")
        if item.get("source") in {"query", "path", "header", "cookie"}:
            errors[key] = parameter_message(key, parameters.get(key))
        else:
            errors[key] = str(item.get("message", "无效"))
    message = "；".join(errors.values()) if errors else "提交的数据格式有误"
    return error_response(request, 422, message, errors or {"body": str(exc.detail)})


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    where = f"{request.method} {request.url.path}"
    if is_unique_violation(exc):
        log.warning("unique violation on %s: %s", where, exc)
        return error_response(request, 409, "该记录刚被他人创建或修改，请刷新后重试")
    if is_unavailable(exc):
        log.error("database unavailable on %s", where, exc_info=exc)
        return error_response(
            request, 503, "数据库暂时无法连接，请稍后再试", headers={"Retry-After": "5"}
        )
    log.error("unhandled error on %s", where, exc_info=exc)
    return error_response(request, 500, "系统暂时出错，请稍后再试；如果问题持续，请联系管理员")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    FormRejected: form_rejected_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
