"""HTTP plumbing shared by every domain: pages, flash messages, client address, error mapping."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import quote, unquote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from litestar.types import Scope

from wusong.db import DATABASE_UNAVAILABLE, INTEGRITY_ERRORS
from wusong.errors import DomainError, Forbidden, Invalid, Unauthorized
from wusong.settings import get_settings
from wusong.tenancy import TenantContext

log = logging.getLogger("wusong.web")

SESSION_COOKIE = "wusong_session"
FLASH_COOKIE = "wusong_flash"

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


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def client_ip(scope: Scope) -> str:
    """The client address; X-Forwarded-For is honoured only from a configured trusted proxy."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    trusted = get_settings().trusted_proxies
    if peer not in trusted:
        return peer
    headers = {
        k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
    }
    hops = [hop.strip() for hop in headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    # Walk from the nearest hop outwards and take the first address that is not a proxy of ours.
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        if hop not in trusted:
            return hop
    return peer


Ctx = NamedDependency[TenantContext]
Form = URLEncodedBody[dict[str, str]]


def tenant_ctx(request: Request[Any, Any, Any]) -> TenantContext:
    """Dependency: the TenantContext the tenant middleware put on the request."""
    ctx = request.state.get("ctx")
    if ctx is None:  # pragma: no cover - the tenant routers always install the middleware
        raise Unauthorized
    return ctx


def require_roles(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard: a handler's ``opt["roles"]`` lists who may call it; absent means every member."""
    roles = handler.opt.get("roles")
    if roles is None:
        return
    ctx = connection.state.get("ctx")
    if ctx is None or ctx.role not in roles:
        raise Forbidden


# ---- pages ---------------------------------------------------------------------------------


def flash_cookie(message: str, kind: str = "success") -> Cookie:
    return Cookie(
        key=FLASH_COOKIE,
        value=quote(f"{kind}|{message}"),
        httponly=True,
        samesite="lax",
        secure=get_settings().production,
        max_age=60,
    )


def redirect(url: str, message: str | None = None, kind: str = "success") -> Redirect:
    cookies = [flash_cookie(message, kind)] if message else None
    return Redirect(url, status_code=303, cookies=cookies)


def page(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """Render a page; pops the flash message set by the previous redirect."""
    cookies: list[Cookie] = []
    raw = request.cookies.get(FLASH_COOKIE)
    if raw:
        kind, _, message = unquote(raw).partition("|")
        context.setdefault(
            "flash", {"kind": kind if kind in {"success", "error"} else "info", "text": message}
        )
        cookies.append(Cookie(key=FLASH_COOKIE, value="", max_age=0, expires=0))
    return Template(template, context=context, status_code=status_code, cookies=cookies)


def form_error(
    request: Request[Any, Any, Any],
    template: str,
    error: Invalid,
    form: dict[str, Any],
    status_code: int = 422,
    **context: Any,
) -> Template:
    """Re-show a form with the submitted values and each field's message (422 by default)."""
    return page(
        request, template, status_code=status_code, form=form, errors=error.errors, **context
    )


# ---- errors --------------------------------------------------------------------------------


def _error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if is_api(request.url.path):
        body: dict[str, Any] = {"status": status, "detail": message}
        if errors:
            body["errors"] = [{"field": f, "message": m} for f, m in errors.items()]
        return Response(body, status_code=status, headers=headers)
    context: dict[str, Any] = {}
    ctx = request.scope.get("state", {}).get("ctx")
    if ctx is not None:  # keep the tenant navigation on errors inside a tenant
        context["ctx"] = ctx
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


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, Unauthorized) and not is_api(request.url.path):
        return _login_redirect(request)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    errors = exc.errors if isinstance(exc, Invalid) else None
    return _error_response(request, exc.status_code, exc.message, errors, headers)


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not is_api(request.url.path):
        return _login_redirect(request)
    if isinstance(exc, NotFoundException):
        message = "您访问的页面或记录不存在"
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
    return _error_response(request, status, message, headers=exc.headers)


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Body or parameter decoding failed: 422 naming each field."""
    errors: dict[str, str] = {}
    for item in exc.extra or []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            errors[key] = str(item.get("message", "无效"))
    return _error_response(request, 422, "提交的数据格式有误", errors or {"body": str(exc.detail)})


def unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.warning("database unavailable: %s", type(exc).__name__)
    return _error_response(
        request, 503, "数据库暂时无法连接，请稍后再试", headers={"Retry-After": "5"}
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, INTEGRITY_ERRORS):
        # Two requests raced past the same uniqueness check; the loser is told, not crashed.
        return _error_response(request, 409, "该记录刚被他人创建或修改，请刷新后重试")
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return unavailable_handler(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error_response(request, 500, "系统暂时出错，请稍后再试；如果问题持续，请联系管理员")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
