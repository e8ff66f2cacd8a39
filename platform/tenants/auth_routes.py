"""Pages outside any tenant: sign in and out, choose a tenant, change one's own password.

These handlers own their units of work (no tenant middleware runs here). Sign-in and password
change take several: the attempt is committed first, so a wrong password still counts even
though nothing else is written, and argon2 runs outside any transaction (it takes ~0.1 s of
CPU, and a write unit would hold the SQLite writer lock all that time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from tenants import audit, repo, sessions
from tenants.audit import PASSWORD_CHANGE, SIGN_IN, SIGN_IN_FAILED, SIGN_IN_THROTTLED, SIGN_OUT
from tenants.rules import check_password, normal_username, username_key, valid_username
from tenants.schemas import PasswordChange, SignIn
from tenants.security import hash_password, verify_password
from tenants.sessions import SessionUser
from wusong.core.db import set_tenant, unit_of_work
from wusong.core.errors import FieldErrors, Invalid, TooManyAttempts, Unauthorized
from wusong.core.settings import Settings, get_settings
from wusong.core.tenancy import ROLE_LABELS, system_context
from wusong.core.views import parse_form, run_form
from wusong.core.web import SESSION_COOKIE, Form, client_ip, page, redirect


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never redirect a signed-in user to another host.

    Browsers read ``\\`` as ``/`` and drop tabs and newlines, so ``/\\evil.example`` and
    ``/\t/evil.example`` mean ``//evil.example``; anything but a plain path is refused (the
    default landing), never merely percent-encoded. Checked again after percent-decoding.
    """
    if not target:
        return "/"
    for candidate in (target, unquote(target)):
        if (
            not candidate.startswith("/")
            or candidate.startswith("//")
            or "\\" in candidate
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate)
        ):
            return "/"
        parts = urlsplit(candidate)
        if parts.netloc or parts.scheme:
            return "/"
    return target


def session_cookie(token: str) -> Cookie:
    settings = get_settings()
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=settings.production,
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )


async def current_user(request: Request[Any, Any, Any]) -> SessionUser | None:
    async with unit_of_work(writes=False):
        return await sessions.session_user(get_settings(), request.cookies.get(SESSION_COOKIE))


@dataclass(frozen=True)
class Attempt:
    id: UUID
    account: str  # the key the attempt counts under: the account's, else the typed name's
    client: str
    failures: int  # of the account, from every client, this one included
    burst: bool  # this failure took the account over its delay threshold


def throttle_delay(settings: Settings, failures: sessions.Failures, now: datetime) -> int:
    """Seconds this attempt must wait (0: go ahead). README "Sign-in throttling".

    Per (account, client) and per client: a 429 for the window. Account-wide: never a lock; a
    client with earlier failures on the account waits a delay that doubles with every failure
    over the threshold (capped), counted from its own last failure. A client with no recent
    failure on the account never waits for the account's sake.
    """
    window = settings.login_window_minutes * 60
    if (
        failures.pair > settings.login_max_failures_per_account_client
        or failures.client > settings.login_max_failures_per_client
    ):
        return window
    excess = failures.account - settings.login_account_delay_after
    if excess > 0 and failures.last_pair_at is not None:
        delay = min(
            settings.login_delay_base_seconds * 2 ** min(excess - 1, 30),
            settings.login_delay_max_seconds,
        )
        remaining = delay - (now - failures.last_pair_at).total_seconds()
        if remaining > 0:
            return math.ceil(remaining)
    return 0


def _wait_text(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 120 else f"{math.ceil(seconds / 60)} 分钟"


async def counted_attempt(settings: Settings, account: str, client: str) -> Attempt:
    """Record a password attempt as failed *before* checking it (its own commit), then count.

    Counting after our own insert is what makes the limit hold under concurrent requests: the
    n-th attempt always sees at least n failures. A throttled attempt checks no password and
    is removed again; a correct password marks it succeeded after.
    """
    async with unit_of_work(writes=True):
        attempt_id = await sessions.record_attempt(account, client)
    now = datetime.now(UTC)
    since = now - timedelta(minutes=settings.login_window_minutes)
    async with unit_of_work(writes=False):
        failures = await sessions.recent_failures(account, client, since, attempt_id)
    wait = throttle_delay(settings, failures, now)
    if wait:
        async with unit_of_work(writes=True):
            await sessions.discard_attempt(attempt_id)
        raise TooManyAttempts(f"登录失败次数过多，请 {_wait_text(wait)}后再试", retry_after=wait)
    burst = failures.account == settings.login_account_delay_after + 1
    return Attempt(attempt_id, account, client, failures.account, burst)


async def record_security_event(
    user_id: UUID, actor_name: str, action: str, diff: dict[str, Any]
) -> None:
    """One audit event in EVERY tenant where the user has a membership, active or not: the
    account is global, and a county that deactivated a membership (or was deactivated) still
    has to see what happens to an identity that may come back into it. Never a secret in
    ``diff``; the client address is recorded. Inside the caller's write unit of work."""
    for tenant in await sessions.membership_tenants(user_id):
        await set_tenant(tenant.id)
        ctx = replace(system_context(tenant, actor_name), user_id=user_id)
        await audit.record(ctx, action, "user", user_id, diff)


async def _failed(settings: Settings, user: dict[str, Any], attempt: Attempt) -> None:
    """A failed sign-in of a known account, and the start of a burst of them."""
    async with unit_of_work(writes=True):
        where = {"client_ip": attempt.client}
        await record_security_event(user["id"], user["username"], SIGN_IN_FAILED, where)
        if attempt.burst:
            burst = {
                **where,
                "failures": attempt.failures,
                "window_minutes": settings.login_window_minutes,
            }
            await record_security_event(user["id"], user["username"], SIGN_IN_THROTTLED, burst)


async def sign_in(
    settings: Settings, form: SignIn, client: str, user_agent: str, old_session: str | None
) -> str:
    """Check throttling and credentials; return a new session token. One generic failure."""
    typed = normal_username(form.username)
    valid = valid_username(typed)  # an invalid name is counted and refused, never queried
    async with unit_of_work(writes=False):
        user = await sessions.find_user_for_login(typed) if valid else None
        can_sign_in = user is not None and await sessions.user_can_sign_in(user["id"])
    account = user["username_key"] if user else username_key(typed) if valid else "(invalid)"
    attempt = await counted_attempt(settings, account, client)
    ok = await verify_password(user["password_hash"] if user else None, form.password)
    if not (ok and user is not None and user["active"] and can_sign_in):
        if user is not None:
            await _failed(settings, user, attempt)
        raise Unauthorized("用户名或密码错误，或账号已停用")
    async with unit_of_work(writes=True):
        await sessions.mark_attempt_succeeded(attempt.id, account, client)
        # Rotation: the session a browser had before signing in is gone, a new id is issued.
        if old_session:
            await sessions.delete_session(old_session)
        token = await sessions.create_session(user["id"], client, user_agent)
        await record_security_event(user["id"], user["username"], SIGN_IN, {"client_ip": client})
        return token


async def change_own_password(
    settings: Settings, user: SessionUser, client: str, form: PasswordChange
) -> None:
    """Check the current password (throttled like sign-in), then set the new one."""
    async with unit_of_work(writes=False):
        row = await repo.user_by_id(user.user_id)
        account = await sessions.account_key(user.user_id)
    if row is None:
        raise Unauthorized
    try:
        attempt = await counted_attempt(settings, account, client)
    except TooManyAttempts as error:
        raise Invalid({"current_password": error.message}, status_code=429) from error
    async with unit_of_work(writes=False):
        login = await sessions.find_user_for_login(row.username)
    errors = FieldErrors()
    stored_hash = login["password_hash"] if login else None
    if not await verify_password(stored_hash, form.current_password):
        errors.add("current_password", "当前密码不正确")
    password = check_password(errors, form.new_password, "new_password")
    if password and password != form.confirm_password:
        errors.add("confirm_password", "两次输入的新密码不一致")
    if password and password == form.current_password:
        errors.add("new_password", "新密码不能与当前密码相同")
    if "current_password" in errors:
        await _failed(settings, {"id": row.id, "username": row.username}, attempt)
        errors.raise_if_any()  # the attempt stays counted as a failure
    new_hash = await hash_password(password) if not errors.errors else ""
    async with unit_of_work(writes=True):
        await sessions.mark_attempt_succeeded(attempt.id, account, client)
    errors.raise_if_any()
    async with unit_of_work(writes=True):
        await repo.set_password(user.user_id, new_hash, must_change=False)
        await sessions.delete_user_sessions(user.user_id, except_session=user.session_id)
        await record_security_event(
            user.user_id, row.username, PASSWORD_CHANGE, {"client_ip": client}
        )


class AuthPages(Controller):
    path = "/"

    @get("/login", name="auth.login")
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = "/"
    ) -> Template:
        return page(request, "auth/login.html", form={"next": _safe_next(next)})

    @post("/login", name="auth.login_submit")
    async def login(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        form = parse_form(SignIn, data)
        shown = {"username": form.username[:40], "next": _safe_next(form.next)}
        try:
            token = await sign_in(
                get_settings(),
                form,
                client_ip(request.scope),
                request.headers.get("user-agent", ""),
                request.cookies.get(SESSION_COOKIE),
            )
        except (Unauthorized, TooManyAttempts) as error:
            response = page(
                request,
                "auth/login.html",
                status_code=error.status_code,
                form=shown,
                error=error.message,
            )
            if isinstance(error, TooManyAttempts) and error.retry_after:
                response.headers["Retry-After"] = str(error.retry_after)
            return response
        return Redirect(shown["next"], status_code=303, cookies=[session_cookie(token)])

    @post("/logout", name="auth.logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            async with unit_of_work(writes=True):
                user = await sessions.session_user(get_settings(), token)
                await sessions.delete_session(token)
                if user is not None:
                    where = {"client_ip": client_ip(request.scope)}
                    await record_security_event(user.user_id, user.username, SIGN_OUT, where)
        response = redirect("/login", "您已退出登录")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/", name="auth.chooser")
    async def chooser(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        user = await current_user(request)
        if user is None:
            return Redirect("/login", status_code=303)
        if user.must_change_password:
            return redirect("/account/password", "请先修改初始密码", "info")
        async with unit_of_work(writes=False):
            tenants = await sessions.user_tenants(user.user_id)
        if len(tenants) == 1:
            return Redirect(f"/t/{tenants[0].slug}/", status_code=303)
        return page(request, "auth/chooser.html", user=user, tenants=tenants, roles=ROLE_LABELS)

    @get("/account/password", name="account.password")
    async def password_form(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        user = await current_user(request)
        if user is None:
            return Redirect("/login?next=/account/password", status_code=303)
        return page(request, "auth/password.html", user=user, form={})

    @post("/account/password", name="account.password_submit")
    async def change_password(
        self, request: Request[Any, Any, Any], data: Form
    ) -> Template | Redirect:
        user = await current_user(request)
        if user is None:
            return Redirect("/login?next=/account/password", status_code=303)
        form = parse_form(PasswordChange, data)
        action = change_own_password(get_settings(), user, client_ip(request.scope), form)
        await run_form(request, "auth/password.html", {}, action, user=user)
        return redirect("/", "密码已修改；其他设备上的登录已退出")
