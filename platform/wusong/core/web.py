"""HTTP plumbing for every domain: who may call a route, pages, flash messages, client address,
and the one CSRF check."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from litestar.utils.scope.state import ScopeState

from wusong.core.errors import DomainError, Forbidden, Unauthorized
from wusong.core.settings import get_settings
from wusong.core.tenancy import Role, TenantContext

SESSION_COOKIE = "wusong_session"
PRESESSION_COOKIE = "wusong_presession"  # binds the CSRF token of a browser not signed in
FLASH_COOKIE = "wusong_flash"
MAX_BODY = 2 * 1024 * 1024  # bytes; the app's limit and the tenant middleware's
BODY_TIMEOUT = 30  # seconds a client may take to send its body


# ---- who may call a tenant route, and whether it writes ------------------------------------


@dataclass(frozen=True)
class Access:
    """Declared on every tenant route: the roles that may call it and whether it writes.

    ``writes`` opens the request's unit of work for writing (a GET that records an audit event
    declares it too); without it a write fails at once. ``form`` is the route's FormPage.
    ``own_units``: the request's unit of work only authenticates and ends before the handler
    runs, which opens its own, one per tenant it reads (the city overview reads each county in
    that county's own unit); such a route only reads.
    """

    roles: frozenset[Role]
    writes: bool = False
    form: Any = None
    own_units: bool = False


def access(
    roles: Iterable[Role], *, writes: bool = False, form: Any = None, own_units: bool = False
) -> dict[str, Any]:
    """Route ``opt``: ``@post("/areas/new", opt=access(ADMIN, writes=True, form=AREA_FORM))``."""
    if own_units and writes:
        raise ValueError("a route with its own units of work declares no writes")
    return {"access": Access(frozenset(roles), writes, form, own_units)}


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


# ---- the request body, read once before any unit of work ------------------------------------


async def read_body(receive: Receive) -> list[ReceiveMessage] | None:
    """All body messages of the request (None when over MAX_BODY); gives up on a stalled client."""
    messages: list[ReceiveMessage] = []
    size = 0
    with anyio.move_on_after(BODY_TIMEOUT):
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > MAX_BODY:
                return None
            if not message.get("more_body", False):
                return messages
    return [{"type": "http.disconnect"}]


# ---- reading bodies: what cannot be read is a 400, never a 500 or a guess -----------------


class BadBody(DomainError):
    """A request body that cannot be read: not UTF-8, or JSON nested beyond reason (400)."""

    status_code = 400
    default_message = "请求内容无法解析：请使用 UTF-8 编码的表单或 JSON"


def _check_form_encoding(body: bytes) -> None:
    """A form body is ASCII with %-escapes of UTF-8; anything else is refused, not guessed."""
    if not body.isascii():
        raise BadBody
    for pair in body.replace(b"+", b" ").split(b"&"):
        try:
            unquote_to_bytes(pair).decode("utf-8")
        except UnicodeDecodeError:
            raise BadBody from None


class WusongRequest(Request[Any, Any, Any]):
    """The request class of the app: a body it cannot read is a 400, never a 500.

    Litestar decodes JSON with msgspec (a RecursionError on deeply nested input, a
    UnicodeDecodeError on bytes that are not UTF-8) and forms as Latin-1 (mojibake instead of
    an error); both are checked here, where every handler's body is read.
    """

    async def body(self) -> bytes:
        body = await super().body()
        if body and self.content_type[0] == "application/x-www-form-urlencoded":
            _check_form_encoding(body)
        return body

    async def json(self) -> Any:
        try:
            return await super().json()
        except (RecursionError, UnicodeDecodeError):
            raise BadBody from None


# ---- CSRF: a token bound to the session, checked in this one place ---------------------------

CSRF_FIELD = "_csrf_token"
CSRF_HEADER = b"x-csrftoken"
CSRF_EXEMPT = ("/api/", "/static/", "/schema", "/health", "/ready")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(secret: str, session: str | None, presession: str | None) -> str | None:
    """HMAC(secret key, the session token's SHA-256) for a signed-in browser, else
    HMAC(secret key, its pre-session cookie) for the sign-in form.

    An attacker can obtain a token only for a session or pre-session of their own; it does not
    match the victim's cookie, which the attacker can neither read nor (being httponly and
    host-only) replace with one they know the token of.
    """
    if session:
        binding = "session|" + hashlib.sha256(session.encode()).hexdigest()
    elif presession:
        binding = "presession|" + presession
    else:
        return None
    return hmac.new(secret.encode(), ("csrf|" + binding).encode(), hashlib.sha256).hexdigest()


def ensure_csrf_token(scope: Scope) -> None:
    """The page's token when the CSRF middleware did not run: an error page of no route at all
    (the router's 404/405) still has the sign-out form of a signed-in user."""
    state = ScopeState.from_scope(scope)
    if isinstance(state.csrf_token, str) and state.csrf_token:
        return
    cookies = _cookies(scope)
    token = csrf_token(
        get_settings().secret_key, cookies.get(SESSION_COOKIE), cookies.get(PRESESSION_COOKIE)
    )
    if token:
        state.csrf_token = token


def _cookies(scope: Scope) -> dict[str, str]:
    header = "; ".join(v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"cookie")
    cookies: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        cookies.setdefault(name, value)
    return cookies


def _csrf_exempt(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    if handler is not None and handler.opt.get("exclude_from_csrf"):
        return True
    return scope["path"].startswith(CSRF_EXEMPT)


class CSRFMiddleware:
    """Replaces Litestar's double-submit cookie. Every page gets the token of its session (or
    pre-session) as ``csrf_input`` (Litestar's template helper, used by every form); every
    unsafe request must send that token in the form field ``_csrf_token`` or the header
    ``X-CSRFToken``. The API (bearer tokens, no cookies) is exempt."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _csrf_exempt(scope):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        session, presession = cookies.get(SESSION_COOKIE), cookies.get(PRESESSION_COOKIE)
        new_presession = None
        if not session and not presession:
            presession = new_presession = secrets.token_urlsafe(32)
        expected = csrf_token(get_settings().secret_key, session, presession) or ""
        ScopeState.from_scope(scope).csrf_token = expected
        if scope.get("method", "GET") not in SAFE_METHODS:
            body = await read_body(receive)
            if body is None:
                raise HTTPException(status_code=413, detail="request body too large")
            if body and body[-1]["type"] == "http.disconnect":
                return
            given = await _given_token(scope, body)
            if new_presession or not given or not hmac.compare_digest(given, expected):
                raise PermissionDeniedException("CSRF token verification failed")

            async def replay() -> ReceiveMessage:
                return body.pop(0) if body else await receive()

            receive = replay
        if new_presession is not None:
            send = _with_cookie(send, new_presession)
        await self.app(scope, receive, send)


async def _given_token(scope: Scope, body: list[ReceiveMessage]) -> str:
    header = next((v for k, v in scope.get("headers", []) if k == CSRF_HEADER), b"")
    if header:
        return header.decode("latin-1")
    pending = list(body)

    async def once() -> ReceiveMessage:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    # Litestar keeps the parsed form in the scope: the handler does not parse it again.
    request: Request[Any, Any, Any] = WusongRequest(scope, receive=once)
    content_type, _ = request.content_type
    if content_type not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return ""
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


def _with_cookie(send: Send, presession: str) -> Send:
    cookie = Cookie(
        key=PRESESSION_COOKIE,
        value=presession,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().production,
    ).to_header(header="")

    async def add_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                *message.get("headers", []),
                (b"set-cookie", cookie.encode("latin-1")),
            ]
        await send(message)

    return add_cookie
