"""Pages outside any tenant: sign in and out, choose a tenant, change one's own password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from tenants import services, sessions
from tenants.schemas import ROLES
from wusong import db
from wusong.errors import Invalid, TooManyAttempts, Unauthorized
from wusong.settings import get_settings
from wusong.web import SESSION_COOKIE, Form, client_ip, form_error, page, redirect


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


async def current_user(request: Request[Any, Any, Any]) -> sessions.SessionUser | None:
    async with db.transaction(write=False):
        return await sessions.session_user(get_settings(), request.cookies.get(SESSION_COOKIE))


class AuthPages(Controller):
    path = "/"

    @get("/login", name="auth.login")
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = "/"
    ) -> Template:
        return page(request, "auth/login.html", form={"next": _safe_next(next)})

    @post("/login", name="auth.login_submit")
    async def login(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        form = {"username": data.get("username", "")[:40], "next": _safe_next(data.get("next"))}
        try:
            token = await services.sign_in(
                get_settings(),
                data.get("username", ""),
                data.get("password", ""),
                client_ip(request.scope),
                request.headers.get("user-agent", ""),
            )
        except (Unauthorized, TooManyAttempts) as error:
            return page(
                request,
                "auth/login.html",
                status_code=error.status_code,
                form=form,
                error=error.message,
            )
        # Rotation: the session a browser had before signing in is gone, a new id is issued.
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            async with db.transaction(write=True):
                await sessions.delete_session(old)
        response = Redirect(form["next"], status_code=303, cookies=[session_cookie(token)])
        return response

    @post("/logout", name="auth.logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            async with db.transaction(write=True):
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
        async with db.transaction(write=False):
            tenants = await sessions.user_tenants(user.user_id)
        if len(tenants) == 1:
            return Redirect(f"/t/{tenants[0]['slug']}/", status_code=303)
        return page(request, "auth/chooser.html", user=user, tenants=tenants, roles=ROLES)

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
        try:
            await services.change_own_password(
                get_settings(), user.user_id, user.session_id, client_ip(request.scope), data
            )
        except Invalid as error:
            return form_error(request, "auth/password.html", error, {}, user=user)
        except TooManyAttempts as error:
            return form_error(
                request,
                "auth/password.html",
                Invalid({"current_password": error.message}),
                {},
                user=user,
                status_code=429,
            )
        return redirect("/", "密码已修改；其他设备上的登录已退出")
