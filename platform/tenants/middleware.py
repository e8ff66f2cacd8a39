"""Tenant middleware: resolve the tenant and the principal once, run the request in one transaction.

Installed on the tenant routers (pages under /t/{tenant}, JSON under /api/v1/t/{tenant}), so every
handler below them inherits it. The response is held until the transaction ends: a response of
status 400 or more rolls back (nothing is written when a request fails), and nothing reaches the
client before its writes are committed.
"""

from __future__ import annotations

from litestar.response.redirect import ASGIRedirectResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tenants import sessions
from wusong import db
from wusong.settings import get_settings
from wusong.web import SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _credential(scope: Scope, api: bool) -> str | None:
    headers = dict(scope.get("headers", []))
    if api:
        value = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    cookie_header = headers.get(b"cookie", b"").decode("latin-1")
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value
    return None


class TenantMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")
        slug = str(scope["path_params"].get("tenant", ""))
        write = scope.get("method", "GET") not in SAFE_METHODS
        messages: list[Message] = []

        async def hold(message: Message) -> None:
            messages.append(message)

        async with db.transaction(write=write) as tx:
            principal = await sessions.resolve_principal(
                get_settings(), slug, _credential(scope, api), via="token" if api else "session"
            )
            scope["state"]["ctx"] = principal.ctx
            if principal.must_change_password and not api:
                # A temporary password set by an administrator is changed before any work.
                await ASGIRedirectResponse("/account/password", status_code=303)(
                    scope, receive, hold
                )
            else:
                await self.app(scope, receive, hold)
            status = next(
                (m["status"] for m in messages if m["type"] == "http.response.start"), 500
            )
            if status >= 400:
                await tx.rollback()
        if sessions.needs_touch(principal):
            async with db.transaction(write=True):
                await sessions.touch(principal)
        for message in messages:
            await send(message)


def tenant_middleware(app: ASGIApp) -> ASGIApp:
    return TenantMiddleware(app)


__all__ = ["TenantMiddleware", "tenant_middleware"]
