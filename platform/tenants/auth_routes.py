"""Pages outside any tenant: sign in and out, choose a tenant, change one's own password.

These handlers own their units of work (no tenant middleware runs here). Sign-in and password
change take several: the attempt is committed first, so a wrong password still counts even
though nothing else is written, and argon2 runs outside any transaction (it takes ~0.1 s of
CPU, and a write unit would hold the SQLite writer lock all that time).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from tenants import audit, repo, sessions
from tenants.rules import USERNAME_RE, check_password
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
    """Only same-site paths: never redirect a signed-in user to another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return target if not parts.netloc and not parts.scheme else "/"


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


async def counted_attempt(settings: Settings, username: str, client: str) -> UUID:
    """Record a password attempt as failed *before* checking it (its own commit), then count.

    Counting after our own insert is what makes the limit hold under concurrent requests: the
    n-th attempt always sees at least n failures. A correct password marks it succeeded after.
    """
    async with unit_of_work(writes=True):
        attempt_id = await sessions.record_attempt(username, client)
    since = datetime.now(UTC) - timedelta(minutes=settings.login_window_minutes)
    async with unit_of_work(writes=False):
        per_account, per_client = await sessions.recent_failures(username, client, since)
    if (
        per_account > settings.login_max_failures_per_account
        or per_client > settings.login_max_failures_per_client
    ):
        raise TooManyAttempts(f"登录失败次数过多，请 {settings.login_window_minutes} 分钟后再试")
    return attempt_id


async def sign_in(
    settings: Settings, form: SignIn, client: str, user_agent: str, old_session: str | None
) -> str:
    """Check throttling and credentials; return a new session token. One generic failure."""
    username = form.username.strip()
    if not USERNAME_RE.match(username):
        username = "(invalid)"  # counted and refused like any wrong name, never queried
    attempt_id = await counted_attempt(settings, username, client)
    async with unit_of_work(writes=False):
        user = await sessions.find_user_for_login(username)
        can_sign_in = user is not None and await sessions.user_can_sign_in(user["id"])
    ok = await verify_password(user["password_hash"] if user else None, form.password)
    if not (ok and user is not None and user["active"] and can_sign_in):
        raise Unauthorized("用户名或密码错误，或账号已停用")
    async with unit_of_work(writes=True):
        await sessions.mark_attempt_succeeded(attempt_id, username)
        # Rotation: the session a browser had before signing in is gone, a new id is issued.
        if old_session:
            await sessions.delete_session(old_session)
        return await sessions.create_session(user["id"], client, user_agent)


async def change_own_password(
    settings: Settings, user: SessionUser, client: str, form: PasswordChange
) -> None:
    """Check the current password (throttled like sign-in), then set the new one."""
    async with unit_of_work(writes=False):
        row = await repo.user_by_id(user.user_id)
    if row is None:
        raise Unauthorized
    try:
        attempt_id = await counted_attempt(settings, row.username, client)
    except TooManyAttempts as error:
        raise Invalid({"current_password": error.message}, status_code=429) from error
    async with unit_of_work(writes=False):
        account = await sessions.find_user_for_login(row.username)
    errors = FieldErrors()
    stored_hash = account["password_hash"] if account else None
    if not await verify_password(stored_hash, form.current_password):
        errors.add("current_password", "当前密码不正确")
    password = check_password(errors, form.new_password, "new_password")
    if password and password != form.confirm_password:
        errors.add("confirm_password", "两次输入的新密码不一致")
    if password and password == form.current_password:
        errors.add("new_password", "新密码不能与当前密码相同")
    if "current_password" in errors:
        errors.raise_if_any()  # the attempt stays counted as a failure
    new_hash = await hash_password(password) if not errors.errors else ""
    async with unit_of_work(writes=True):
        await sessions.mark_attempt_succeeded(attempt_id, row.username)
    errors.raise_if_any()
    async with unit_of_work(writes=True):
        await repo.set_password(user.user_id, new_hash, must_change=False)
        await sessions.delete_user_sessions(user.user_id, except_session=user.session_id)
        for choice in await sessions.user_tenants(user.user_id):
            tenant = await repo.tenant_by_slug(choice.slug)
            if tenant is not None:
                await set_tenant(tenant.id)
                ctx = system_context(tenant, row.username)
                await audit.record(ctx, "user.password_change", "user", user.user_id)


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
            return page(
                request,
                "auth/login.html",
                status_code=error.status_code,
                form=shown,
                error=error.message,
            )
        return Redirect(shown["next"], status_code=303, cookies=[session_cookie(token)])

    @post("/logout", name="auth.logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            async with unit_of_work(writes=True):
                await sessions.delete_session(token)
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
