"""Who is signed in, for a 404 page raised before the tenant middleware ran.

No such route or no such county: the router raises before any middleware knows the session, and
the page would look signed out. This after-exception hook (registered by ``wusong.app``) looks the
session cookie up once, for 404 pages only, and leaves the result where ``wusong.core.http``
renders error pages from: the county's navigation for a member, else the account header.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.types import Scope

from tenants.sessions import resolve_principal, session_user
from wusong.core import db
from wusong.core.errors import DomainError
from wusong.core.http import SIGNED_IN, is_not_found
from wusong.core.settings import get_settings
from wusong.core.web import SESSION_COOKIE, is_api

log = logging.getLogger("wusong.web")


async def remember_signed_in(exc: Exception, scope: Scope) -> None:
    state = scope.setdefault("state", {})
    if scope["type"] != "http" or is_api(scope["path"]) or state.get("ctx"):
        return
    if not is_not_found(exc):
        return
    token = Request[Any, Any, Any](scope).cookies.get(SESSION_COOKIE)
    if not token:
        return
    settings = get_settings()
    slug = scope["path"].split("/")[2] if scope["path"].startswith("/t/") else ""
    try:
        async with db.unit_of_work(writes=False):
            if slug:
                try:
                    principal = await resolve_principal(settings, slug, token, via="session")
                except DomainError:  # no such county, or not a member: the account header
                    pass
                else:
                    state[SIGNED_IN] = {"ctx": principal.ctx}
                    return
            state[SIGNED_IN] = {"user": await session_user(settings, token)}
    except Exception:  # the page says "not found" whatever the database does
        log.warning("could not look up the session for a 404 page", exc_info=True)
