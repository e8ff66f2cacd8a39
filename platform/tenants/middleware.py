"""Tenant middleware: resolve tenant and principal once, run the request in one unit of work.

Installed on the tenant routers (pages under /t/{tenant}, JSON under /api/v1/t/{tenant}), so every
handler below them inherits it. The unit of work writes only when the route declares it
(``access(..., writes=True)``); otherwise it is read-only in the database. The response is held
until the unit ends: a response of status 400 or more rolls back (nothing is written when a
request fails), nothing reaches the client before its writes are committed, and after-commit
callbacks run before it is sent.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime, timedelta

from litestar.response.redirect import ASGIRedirectResponse
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from tenants import sessions
from wusong.core import db
from wusong.core.db import is_unavailable
from wusong.core.errors import TooManyAttempts, Unauthorized
from wusong.core.settings import Settings, get_settings
from wusong.core.web import SESSION_COOKIE, client_ip, read_body, route_access

log = logging.getLogger("wusong.tenancy")
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


# ---- API clients that keep presenting bad tokens --------------------------------------------
# A bearer token that authenticates nothing is a failure of its client, counted with the
# client's failed sign-ins (README "Sign-in throttling": per client, every account). Above the
# per-client limit the client is answered 429 before any database work, in this process, for
# the rest of the window; a request with a valid token never pays for the bookkeeping.
BAD_TOKEN = "(api-token)"  # the account the failures are counted under
BLOCKED_CLIENTS = "blocked_api_clients"  # app.state: client address -> monotonic end of block


def _blocked_for(scope: Scope, client: str) -> int:
    """Seconds the client must still wait (0: not blocked)."""
    blocked: dict[str, float] = scope["app"].state.setdefault(BLOCKED_CLIENTS, {})
    until = blocked.get(client)
    if until is None:
        return 0
    left = until - time.monotonic()
    if left <= 0:
        del blocked[client]
        return 0
    return math.ceil(left)


async def _count_bad_token(scope: Scope, settings: Settings, client: str) -> None:
    """Record the failure; over the per-client limit, block the client and answer 429."""
    async with db.unit_of_work(writes=True):
        attempt = await sessions.record_attempt(BAD_TOKEN, client)
    since = datetime.now(UTC) - timedelta(minutes=settings.login_window_minutes)
    async with db.unit_of_work(writes=False):
        failures = await sessions.recent_failures(BAD_TOKEN, client, since, attempt)
    if failures.client > settings.login_max_failures_per_client:
        window = settings.login_window_minutes * 60
        blocked: dict[str, float] = scope["app"].state.setdefault(BLOCKED_CLIENTS, {})
        if len(blocked) > 10_000:  # bounded: drop the blocks that have ended
            now = time.monotonic()
            for address in [a for a, until in blocked.items() if until <= now]:
                del blocked[address]
        blocked[client] = time.monotonic() + window
        raise TooManyAttempts("无效令牌的请求过多，请稍后再试", retry_after=window)


class TenantMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")
        slug = str(scope["path_params"].get("tenant", ""))
        declared = route_access(scope["route_handler"])
        writes = declared is not None and declared.writes
        messages: list[Message] = []

        async def hold(message: Message) -> None:
            messages.append(message)

        # Read the whole body before the unit of work: a slow client must not hold the SQLite
        # writer lock or a pooled PostgreSQL connection while it trickles bytes in.
        has_body = scope.get("method", "GET") not in BODILESS_METHODS
        body = await read_body(receive) if has_body else []
        if body is None:
            await _plain_response(send, 413, "提交内容过大")
            return
        if body and body[-1]["type"] == "http.disconnect":
            return

        async def replay() -> ReceiveMessage:
            return body.pop(0) if body else await receive()

        settings = get_settings()
        credential = _credential(scope, api)
        client = client_ip(scope) if api else ""
        if api and (wait := _blocked_for(scope, client)):
            raise TooManyAttempts("无效令牌的请求过多，请稍后再试", retry_after=wait)
        own_units = declared is not None and declared.own_units
        try:
            async with db.unit_of_work(writes=writes) as unit:
                principal = await sessions.resolve_principal(
                    settings, slug, credential, via="token" if api else "session"
                )
                if not own_units:
                    await self._serve(scope, replay, hold, messages, unit, principal, api)
            if own_units:
                # The handler opens a unit of work per tenant it reads (access(own_units=True)).
                await self._serve_own_units(scope, replay, hold, principal, api)
        except Unauthorized:
            if api and credential and not scope["state"].get("ctx"):
                await _count_bad_token(scope, settings, client)
            raise
        if sessions.needs_touch(principal):
            try:
                async with db.unit_of_work(writes=True):
                    await sessions.touch(principal)
            except Exception as error:  # the request itself is done; last-seen can wait
                if not is_unavailable(error):
                    raise
                log.warning("could not record session activity")
        for message in messages:
            await send(message)

    async def _serve_own_units(
        self, scope: Scope, replay: Receive, hold: Send, principal: sessions.Principal, api: bool
    ) -> None:
        """The request after its authenticating unit of work has ended: the handler owns its
        units (it only reads, so there is nothing to roll back)."""
        scope["state"]["ctx"] = principal.ctx
        if principal.must_change_password and not api:
            detour = ASGIRedirectResponse("/account/password", status_code=303)
            await detour(scope, replay, hold)
        else:
            await self.app(scope, replay, hold)

    async def _serve(
        self,
        scope: Scope,
        replay: Receive,
        hold: Send,
        messages: list[Message],
        unit: db.UnitOfWork,
        principal: sessions.Principal,
        api: bool,
    ) -> None:
        """The request inside its unit of work, once the principal is known."""
        # The principal statement has already set the row-level-security tenant and user.
        unit.bound(principal.ctx.tenant_id, user_id=principal.ctx.user_id)
        scope["state"]["ctx"] = principal.ctx
        if principal.must_change_password and not api:
            # A temporary password set by an administrator is changed before any work.
            detour = ASGIRedirectResponse("/account/password", status_code=303)
            await detour(scope, replay, hold)
        else:
            await self.app(scope, replay, hold)
        status = next((m["status"] for m in messages if m["type"] == "http.response.start"), 500)
        if status >= 400:
            unit.set_rollback_only()
