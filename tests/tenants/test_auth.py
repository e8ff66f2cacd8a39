"""Signing in and out, session rotation and invalidation, throttling, CSRF, cookie flags."""

from __future__ import annotations

from typing import Any

from tests.factories import Browser, Member, in_tenant, make_member


async def test_login_sets_hardened_session_cookie_and_lands_on_tenant_home(
    browser: Browser, admin_a: Member
) -> None:
    response = await browser.login("admin-a")
    assert response.status_code == 200  # followed the redirects to the tenant home
    assert str(response.url).endswith("/t/lishu/")
    assert "梨树县" in response.text
    set_cookie = next(
        h for h in response.history[0].headers.get_list("set-cookie") if "wusong_session" in h
    )
    assert "HttpOnly" in set_cookie
    assert "SameSite=lax" in set_cookie or "samesite=lax" in set_cookie.lower()


async def test_wrong_password_and_unknown_user_get_the_same_generic_401(
    browser: Browser, admin_a: Member
) -> None:
    wrong = await browser.login("admin-a", "not-the-password")
    unknown = await browser.login("nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text
    assert wrong.text.count("用户名或密码错误") == unknown.text.count("用户名或密码错误")
    assert "wusong_session" not in browser.client.cookies


async def test_session_id_changes_at_login_and_old_session_is_dead(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    first = browser.client.cookies.get("wusong_session")
    await browser.login("admin-a")
    second = browser.client.cookies.get("wusong_session")
    assert first
    assert second
    assert first != second
    browser.client.cookies.clear()
    browser.client.cookies.set("wusong_session", first)
    stale = await browser.get("/t/lishu/", follow_redirects=False)
    assert stale.status_code == 303
    assert stale.headers["location"].startswith("/login")


async def test_logout_invalidates_the_session_server_side(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    token = browser.client.cookies.get("wusong_session")
    assert (await browser.get("/t/lishu/")).status_code == 200
    await browser.post("/logout")
    browser.client.cookies.clear()
    browser.client.cookies.set("wusong_session", token)  # replaying the old cookie
    replay = await browser.get("/t/lishu/", follow_redirects=False)
    assert replay.status_code == 303


async def test_sixth_failure_of_an_account_from_a_client_is_throttled_even_with_the_password(
    browser: Browser, admin_a: Member
) -> None:
    for _ in range(5):
        assert (await browser.login("admin-a", "wrong-password!")).status_code == 401
    blocked = await browser.login("admin-a")
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # Only this account from this client: another client with the right password gets in.
    from tenants.auth_routes import sign_in
    from tenants.schemas import SignIn
    from wusong.core.settings import get_settings

    token = await sign_in(get_settings(), SignIn("admin-a", admin_a.password), "10.1.2.3", "", None)
    assert token.startswith("wss_")


async def test_forwarded_for_header_is_ignored_without_a_trusted_proxy(
    browser: Browser, admin_a: Member
) -> None:
    for i in range(5):
        response = await browser.client.post(
            "/login",
            data={
                "_csrf_token": await browser.csrf(),
                "username": "admin-a",
                "password": "nope-nope-1",
            },
            headers={"X-Forwarded-For": f"10.0.0.{i}"},
        )
        assert response.status_code == 401
    response = await browser.client.post(
        "/login",
        data={
            "_csrf_token": await browser.csrf(),
            "username": "admin-a",
            "password": "nope-nope-1",
        },
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert response.status_code == 429


async def test_post_without_csrf_token_is_refused(browser: Browser, admin_a: Member) -> None:
    await browser.login("admin-a")
    response = await browser.client.post(
        "/t/lishu/areas/new",
        data={"kind": "township", "name": "梨树镇", "division_code": "220322100000"},
    )
    assert response.status_code == 403
    assert "请刷新页面后重试" in response.text
    areas = await browser.get("/t/lishu/areas")
    assert "梨树镇" not in areas.text


async def test_deactivated_user_cannot_sign_in(browser: Browser, admin_a: Member) -> None:
    from tenants import services
    from tenants.schemas import MemberUpdate

    other = await make_member(admin_a.tenant, "mediator-a", "mediator")
    async with in_tenant(admin_a.tenant) as ctx:
        await services.update_member(ctx, other.membership_id, MemberUpdate(active=False))
    response = await browser.login("mediator-a")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


async def test_deactivated_tenant_locks_out_its_users_and_keeps_data(
    browser: Browser, admin_a: Member, client: Any
) -> None:
    from tenants import repo, services
    from wusong.core.db import unit_of_work

    await browser.login("admin-a")
    assert (await browser.get("/t/lishu/")).status_code == 200
    async with unit_of_work(writes=True):
        await services.set_tenant_active("lishu", False)
    signed_in = await browser.get("/t/lishu/")
    assert signed_in.status_code == 403
    assert "已停用" in signed_in.text
    assert (await browser.login("admin-a")).status_code == 401
    async with unit_of_work(writes=False):
        assert await repo.tenant_by_slug("lishu") is not None  # nothing deleted


async def test_must_change_password_user_is_sent_to_the_password_page(
    browser: Browser, admin_a: Member
) -> None:
    from tenants import services
    from tenants.schemas import PasswordReset

    other = await make_member(admin_a.tenant, "mediator-a", "mediator")
    async with in_tenant(admin_a.tenant) as ctx:
        await services.reset_password(ctx, other.membership_id, PasswordReset("temporary-pass-1"))
    response = await browser.login("mediator-a", "temporary-pass-1")
    assert str(response.url).endswith("/account/password")
    detour = await browser.get("/t/lishu/areas", follow_redirects=False)
    assert detour.status_code == 303
    assert detour.headers["location"] == "/account/password"
    changed = await browser.post(
        "/account/password",
        {
            "current_password": "temporary-pass-1",
            "new_password": "my-own-password-1",
            "confirm_password": "my-own-password-1",
        },
    )
    assert changed.status_code == 200
    assert str(changed.url).endswith("/t/lishu/")
    relogin = await Browser(browser.client).login("mediator-a", "my-own-password-1")
    assert relogin.status_code == 200


async def test_change_password_rejects_bad_input_and_keeps_the_old_one(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    response = await browser.post(
        "/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm_password": "short"},
    )
    assert response.status_code == 422
    assert "当前密码不正确" in response.text
    assert "密码至少 10 个字符" in response.text
    assert (await browser.login("admin-a")).status_code == 200


async def test_open_redirect_after_login_is_refused(browser: Browser, admin_a: Member) -> None:
    response = await browser.post(
        "/login",
        {"username": "admin-a", "password": admin_a.password, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_one_client_guessing_many_accounts_is_throttled(
    browser: Browser, admin_a: Member
) -> None:
    from wusong.core.settings import get_settings

    limit = get_settings().login_max_failures_per_client
    for i in range(limit):
        assert (await browser.login(f"guess-{i}", "wrong-password!")).status_code == 401
    blocked = await browser.login("admin-a")
    assert blocked.status_code == 429
    # Another client is not affected by this one's failures.
    from tenants.auth_routes import sign_in
    from tenants.schemas import SignIn

    form = SignIn("admin-a", admin_a.password)
    token = await sign_in(get_settings(), form, "10.1.2.3", "ua", None)
    assert token.startswith("wss_")


async def test_account_pages_show_the_display_name(
    browser: Browser, admin_a: Member, admin_b: Member
) -> None:
    """The county chooser and the account header name the person, not the login name."""
    from tenants import services
    from tenants.schemas import MemberCreate

    async with in_tenant(admin_a.tenant, writes=True) as ctx:
        await services.create_member(
            ctx,
            MemberCreate("two-counties", "王晓梅", "viewer", "a-long-password-1"),
            must_change_password=False,
        )
    async with in_tenant(admin_b.tenant, writes=True) as ctx:
        await services.add_existing_user(ctx, "two-counties", "viewer")
    chooser = await browser.login("two-counties", "a-long-password-1")
    assert "选择区县" in chooser.text
    assert '<span class="user" title="two-counties">王晓梅</span>' in chooser.text
