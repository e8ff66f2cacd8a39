"""Tenant middleware: resolve the tenant and the principal once, run the request in one transaction.

Installed on the tenant routers (pages under /t/{tenant}, JSON under /api/v1/t/{tenant}), so every
handler below them inherits it. The response is held until the transaction ends: a response of
status 400 or more rolls back (nothing is written when a request fails), and nothing reaches the
client before its writes are committed.
"""

from __future__ import annotations

import logging

import anyio
from litestar.response.redirect import ASGIRedirectResponse
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from tenants import sessions
from wusong import db
from wusong.db import DATABASE_UNAVAILABLE
from wusong.settings import get_settings
from wusong.web import SESSION_COOKIE

log = logging.getLogger("wusong.tenancy")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


MAX_BODY = 2 * 1024 * 1024
BODY_TIMEOUT = 30


async def _read_body(receive: Receive) -> list[ReceiveMessage] | None:
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


async def _plain_response(send: Send, status: int, text: str) -> None:
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
    }
    body: Message = {"type": "http.response.body", "body": text.encode(), "more_body": False}
    await send(start)
    await send(body)


def _credential(scope: Scope, api: bool) -> str | None:
    headers = scope.get("headers", [])
    if api:
        value = next((v for k, v in headers if k == b"authorization"), b"").decode("latin-1")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    cookie_header = "; ".join(v.decode("latin-1") for k, v in headers if k == b"cookie")
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

        # Read the whole body before the transaction: a slow client must not hold the SQLite
        # writer lock or a pooled PostgreSQL connection while it trickles bytes in.
        body = await _read_body(receive) if write else []
        if body is None:
            await _plain_response(send, 413, "提交内容过大")
            return
        if body and body[-1]["type"] == "http.disconnect":
            return

        async def replay() -> ReceiveMessage:
            return body.pop(0) if body else await receive()

        async with db.transaction(write=write) as tx:
            principal = await sessions.resolve_principal(
                get_settings(), slug, _credential(scope, api), via="token" if api else "session"
            )
            scope["state"]["ctx"] = principal.ctx
            if principal.must_change_password and not api:
                # A temporary password set by an administrator is changed before any work.
                detour = ASGIRedirectResponse("/account/password", status_code=303)
                await detour(scope, replay, hold)
            else:
                await self.app(scope, replay, hold)
            status = next(
                (m["status"] for m in messages if m["type"] == "http.response.start"), 500
            )
            if status >= 400:
                await tx.rollback()
        if sessions.needs_touch(principal):
            try:
                async with db.transaction(write=True):
                    await sessions.touch(principal)
            except DATABASE_UNAVAILABLE:  # the request itself is done; last-seen can wait
                log.warning("could not record session activity")
        for message in messages:
            await send(message)


def tenant_middleware(app: ASGIApp) -> ASGIApp:
    return TenantMiddleware(app)


__all__ = ["TenantMiddleware", "tenant_middleware"]
