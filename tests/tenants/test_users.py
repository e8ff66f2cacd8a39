"""Administrators manage users and roles; deactivation and revocation take effect at once."""

from __future__ import annotations

import httpx

from tests.factories import (
    TENANT_B,
    Browser,
    Member,
    in_tenant,
    make_member,
    make_tenant,
    make_token,
)


async def test_admin_creates_a_user_who_must_change_the_temporary_password(
    browser: Browser, admin_a: Member, client: httpx.AsyncClient
) -> None:
    await browser.login("admin-a")
    created = await browser.post(
        "/t/lishu/users/new",
        {
            "username": "wang.tj",
            "display_name": "王调解",
            "role": "mediator",
            "password": "temporary-pw-1",
        },
    )
    assert created.status_code == 200
    assert "已新增用户 wang.tj" in created.text
    listing = await browser.get("/t/lishu/users")
    assert "王调解" in listing.text
    assert "待改密码" in listing.text


async def test_user_form_errors_name_each_field_and_write_nothing(
    browser: Browser, admin_a: Member
) -> None:
    from tenants.tables import User

    await browser.login("admin-a")
    response = await browser.post(
        "/t/lishu/users/new",
        {"username": "a", "display_name": "", "role": "boss", "password": "short"},
    )
    assert response.status_code == 422
    for message in ("用户名须为", "姓名不能为空", "角色无效", "密码至少 10 个字符"):
        assert message in response.text
    assert 'value="short"' not in response.text  # a password is never echoed back
    taken = await browser.post(
        "/t/lishu/users/new",
        {
            "username": "admin-a",
            "display_name": "重名",
            "role": "viewer",
            "password": "long-enough-1",
        },
    )
    assert taken.status_code == 422
    assert "用户名 admin-a 不可用" in taken.text
    assert await User.count() == 1


async def test_deactivating_a_user_stops_their_session_and_tokens_at_once(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    from tenants import services
    from tenants.schemas import MemberUpdate

    mediator = await make_member(admin_a.tenant, "mediator-a", "mediator")
    _, token = await make_token(mediator)
    other = Browser(client)
    await other.login("mediator-a")
    assert (await other.get("/t/lishu/")).status_code == 200
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).status_code == 200

    async with in_tenant(admin_a.tenant) as ctx:
        await services.update_member(ctx, mediator.membership_id, MemberUpdate(active=False))

    assert (await other.get("/t/lishu/", follow_redirects=False)).status_code == 303
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).status_code == 401


async def test_admin_pages_deactivate_reset_and_change_role(
    browser: Browser, admin_a: Member
) -> None:
    mediator = await make_member(admin_a.tenant, "mediator-a", "mediator")
    await browser.login("admin-a")
    base = f"/t/lishu/users/{mediator.membership_id}"
    role = await browser.post(base, {"role": "court_reviewer"})
    assert "已保存角色" in role.text
    short = await browser.post(f"{base}/password", {"password": "short"})
    assert short.status_code == 422
    assert "密码至少 10 个字符" in short.text
    reset = await browser.post(f"{base}/password", {"password": "brand-new-temp-1"})
    assert "已重置密码" in reset.text
    off = await browser.post(f"{base}/active", {"active": "0"})
    assert "已停用该用户" in off.text
    myself = await browser.post(f"/t/lishu/users/{admin_a.membership_id}/active", {"active": "0"})
    assert "不能停用自己" in myself.text


async def test_reset_is_refused_for_a_user_who_also_belongs_to_another_tenant(
    browser: Browser, admin_a: Member
) -> None:
    from tenants import services

    shared = await make_member(admin_a.tenant, "shared-user", "viewer")
    tenant_b = await make_tenant(TENANT_B)
    async with in_tenant(tenant_b) as ctx:
        await services.add_existing_user(ctx, "shared-user", "viewer")
    await browser.login("admin-a")
    response = await browser.post(
        f"/t/lishu/users/{shared.membership_id}/password", {"password": "takeover-pass-1"}
    )
    assert response.status_code == 403
    assert (await Browser(browser.client).login("shared-user")).status_code == 200


async def test_user_with_two_tenants_chooses_and_switches(
    browser: Browser, admin_a: Member
) -> None:
    from tenants import services

    tenant_b = await make_tenant(TENANT_B)
    async with in_tenant(tenant_b) as ctx:
        await services.add_existing_user(ctx, "admin-a", "viewer")
    landing = await browser.login("admin-a")
    assert "选择区县" in landing.text
    assert "铁西区" in landing.text
    assert "梨树县" in landing.text
    tiexi = await browser.get("/t/tiexi/")
    assert tiexi.status_code == 200
    assert "查看者" in tiexi.text


async def test_own_tokens_are_shown_once_listed_and_revoked(
    browser: Browser, admin_a: Member, client: httpx.AsyncClient
) -> None:
    from tenants.tables import ApiToken

    await browser.login("admin-a")
    page = await browser.post("/t/lishu/account/tokens", {"name": "统计同步"})
    token = page.text.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("wst_")
    async with in_tenant(admin_a.tenant, writes=False):
        stored = await ApiToken.select(ApiToken.token_hash, ApiToken.id).first()
    assert stored is not None
    assert token not in stored["token_hash"]
    assert (await browser.get("/t/lishu/account/tokens")).text.count(token) == 0
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).json()["username"] == "admin-a"
    await browser.post(f"/t/lishu/account/tokens/{stored['id']}/revoke")
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).status_code == 401


async def test_token_api_create_list_revoke(client: httpx.AsyncClient, admin_a: Member) -> None:
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    created = await client.post("/api/v1/t/lishu/tokens", json={"name": "二号"}, headers=auth)
    assert created.status_code == 201
    second = created.json()
    listed = await client.get("/api/v1/t/lishu/tokens", headers=auth)
    assert {t["name"] for t in listed.json()} == {"测试令牌", "二号"}
    assert all("token" not in t for t in listed.json())
    empty = await client.post("/api/v1/t/lishu/tokens", json={"name": " "}, headers=auth)
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "name"
    gone = await client.delete(f"/api/v1/t/lishu/tokens/{second['id']}", headers=auth)
    assert gone.status_code == 204
    listed = (await client.get("/api/v1/t/lishu/tokens", headers=auth)).json()
    assert [t["revoked_at"] is not None for t in listed if t["name"] == "二号"] == [True]
    from datetime import UTC, datetime, timedelta

    from tenants.tables import ApiToken

    async with in_tenant(admin_a.tenant):
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC) - timedelta(days=31)}).where(
            ApiToken.name == "二号"
        )
    listed = (await client.get("/api/v1/t/lishu/tokens", headers=auth)).json()
    assert [t["name"] for t in listed] == ["测试令牌"]
    revoked = {"Authorization": f"Bearer {second['token']}"}
    assert (await client.get("/api/v1/t/lishu/me", headers=revoked)).status_code == 401


async def test_no_takeover_through_an_inactive_membership_elsewhere(
    browser: Browser, admin_a: Member, admin_b: Member
) -> None:
    """The attack of issue 6: A deactivates the user's A membership, then B's admin resets the
    password. An inactive membership still counts: only the platform operator may reset."""
    from tenants import repo, services
    from tenants.tables import AuditEvent, User
    from tests.conftest import run_cli
    from wusong.core.scoped import scoped

    shared = await make_member(admin_a.tenant, "shared-user", "mediator")
    async with in_tenant(admin_b.tenant) as ctx:
        await services.add_existing_user(ctx, "shared-user", "viewer")
        in_b = await repo.member_by_user(ctx, shared.user_id)
    assert in_b is not None
    await browser.login("admin-a")
    off = await browser.post(f"/t/lishu/users/{shared.membership_id}/active", {"active": "0"})
    assert "已停用该用户" in off.text
    # Not the hash itself: the runtime role cannot read it; password_changed_at moves with it.
    hash_before = await User.select(User.password_changed_at).where(User.username == "shared-user")

    await browser.login("admin-b")
    page = await browser.get(f"/t/tiexi/users/{in_b.id}")
    assert page.status_code == 200
    assert 'id="reset-by-platform"' in page.text
    assert "同时属于其他区县" in page.text
    assert "wusong user reset-password shared-user" in page.text
    assert "梨树县" not in page.text  # the other county is not named
    assert f'action="/t/tiexi/users/{in_b.id}/password"' not in page.text
    attack = await browser.post(f"/t/tiexi/users/{in_b.id}/password", {"password": "takeover-1234"})
    assert attack.status_code == 403
    assert "平台运营方" in attack.text
    assert await User.select(User.password_changed_at).where(User.username == "shared-user") == (
        hash_before
    )
    own = await make_member(admin_b.tenant, "only-in-b", "viewer")  # B's own user: form shown
    assert (
        'id="reset-by-platform"'
        not in (await browser.get(f"/t/tiexi/users/{own.membership_id}")).text
    )

    # A real process: the app's database pool is open in this test's event loop.
    reset = run_cli("user", "reset-password", "shared-user", stdin="operator-pass-1\n")
    assert reset.returncode == 0, reset.stderr
    assert "已重置用户 shared-user 的密码" in reset.stdout
    assert "operator-pass-1" not in reset.stdout + reset.stderr
    for tenant in (admin_a.tenant, admin_b.tenant):
        async with in_tenant(tenant, writes=False) as ctx:
            events = (
                await scoped(ctx, AuditEvent)
                .select(AuditEvent.actor_name)
                .where(AuditEvent.action == "user.password_reset")
            )
        assert [e["actor_name"] for e in events] == ["platform"], tenant.slug
    signed_in = await Browser(browser.client).login("shared-user", "operator-pass-1")
    assert signed_in.status_code == 200
    assert "修改密码" in signed_in.text  # a temporary password: changed at next sign-in
    unknown = run_cli("user", "reset-password", "nobody", stdin="operator-pass-1\n")
    assert unknown.returncode == 2
    assert "nobody" in unknown.stderr


async def test_a_role_change_that_lost_the_race_comes_back_with_what_changed(
    browser: Browser, admin_a: Member
) -> None:
    """Two administrators on the same member page: the second save is not silently applied."""
    from tenants import services
    from tenants.schemas import MemberUpdate

    viewer = await make_member(admin_a.tenant, "viewer-a", "viewer")
    await browser.login("admin-a")
    base = f"/t/lishu/users/{viewer.membership_id}"
    page = await browser.get(base)
    assert 'name="version" value="1"' in page.text
    async with in_tenant(admin_a.tenant, writes=True) as ctx:  # the other administrator
        await services.update_member(ctx, viewer.membership_id, MemberUpdate(role="mediator"))
    lost = await browser.post(base, {"role": "court_reviewer", "version": "1"})
    assert lost.status_code == 409
    assert "已被他人修改" in lost.text
    assert "角色：您填写的是“court_reviewer”，当前为“mediator”" in lost.text
    assert 'name="version" value="2"' in lost.text
    async with in_tenant(admin_a.tenant) as ctx:
        assert (await services.repo.get_member(ctx, viewer.membership_id)).role == "mediator"
    stale_button = await browser.post(f"{base}/active", {"active": "0", "version": "1"})
    assert "记录已被他人修改" in stale_button.text
    saved = await browser.post(base, {"role": "court_reviewer", "version": "2"})
    assert "已保存角色" in saved.text
    async with in_tenant(admin_a.tenant) as ctx:
        member = await services.repo.get_member(ctx, viewer.membership_id)
    assert (member.role, member.active) == ("court_reviewer", True)
