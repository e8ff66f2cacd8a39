"""HTTP plumbing for every domain: who may call a route, pages, flash messages, client address."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from litestar.types import Scope

from wusong.core.errors import Forbidden, Unauthorized
from wusong.core.settings import get_settings
from wusong.core.tenancy import Role, TenantContext

SESSION_COOKIE = "wusong_session"
FLASH_COOKIE = "wusong_flash"
MAX_BODY = 2 * 1024 * 1024  # bytes; the app's limit and the tenant middleware's


# ---- who may call a tenant route, and whether it writes ------------------------------------


@dataclass(frozen=True)
class Access:
    """Declared on every tenant route: the roles that may call it and whether it writes.

    ``writes`` opens the request's unit of work for writing (a GET that records an audit event
    declares it too); without it a write fails at once. ``form`` is the route's FormPage.
    """

    roles: frozenset[Role]
    writes: bool = False
    form: Any = None


def access(roles: Iterable[Role], *, writes: bool = False, form: Any = None) -> dict[str, Any]:
    """Route ``opt``: ``@post("/areas/new", opt=access(ADMIN, writes=True, form=AREA_FORM))``."""
    return {"access": Access(frozenset(roles), writes, form)}


def route_access(handler: BaseRouteHandler) -> Access | None:
    found = handler.opt.get("access")
    return found if isinstance(found, Access) else None


async def require_access(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard on the tenant routers: the member's role must be one the route declares."""
    declared = route_access(handler)
    ctx = connection.state.get("ctx")
    if declared is None or ctx is None or ctx.role not in declared.roles:
        raise Forbidden


async def tenant_ctx(request: Request[Any, Any, Any]) -> TenantContext:
    """Dependency: the TenantContext the tenant middleware put on the request."""
    ctx = request.state.get("ctx")
    if ctx is None:  # pragma: no cover - the tenant routers always install the middleware
        raise Unauthorized
    return ctx


Ctx = NamedDependency[TenantContext]
Form = URLEncodedBody[dict[str, str]]


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


def is_api(path: str) -> bool:
    return path.startswith("/api/")


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
