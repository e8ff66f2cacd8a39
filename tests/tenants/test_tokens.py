"""API tokens: post/redirect/get with a one-time display, optional expiry, security events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.factories import Browser, Member, in_tenant, make_token


async def _tokens(member: Member) -> list[dict[str, Any]]:
    from tenants.tables import ApiToken

    async with in_tenant(member.tenant, writes=False):
        return await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.expires_at)


async def _actions(member: Member) -> list[tuple[str, Any]]:
    from tenants.tables import AuditEvent

    async with in_tenant(member.tenant, writes=False):
        rows = (
            await AuditEvent.select(AuditEvent.action, AuditEvent.object_id, AuditEvent.diff)
            .order_by(AuditEvent.seq)
            .output(load_json=True)
        )
    return [(r["action"], r["object_id"]) for r in rows]


async def test_creating_a_token_redirects_and_shows_it_once(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    created = await browser.post(
        "/t/lishu/account/tokens", {"name": "统计同步"}, follow_redirects=False
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/t/lishu/account/tokens"  # no secret in the URL
    cookie = next(c for c in created.headers.get_list("set-cookie") if "wusong_new_token" in c)
    assert "HttpOnly" in cookie
    assert "Path=/t/lishu/account/tokens" in cookie
    shown = await browser.get("/t/lishu/account/tokens")
    token = shown.text.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("wst_")
    assert "wst_" not in browser.client.cookies.get("wusong_new_token", "")  # cleared
    reloaded = await browser.get("/t/lishu/account/tokens")  # the user presses reload
    assert reloaded.status_code == 200
    assert token not in reloaded.text
    assert [t["name"] for t in await _tokens(admin_a)] == ["统计同步"]  # one token, not two


async def test_a_forged_new_token_cookie_shows_nothing(browser: Browser, admin_a: Member) -> None:
    await browser.login("admin-a")
    browser.client.cookies.set(
        "wusong_new_token", "wst_forged-secret-value", path="/t/lishu/account/tokens"
    )
    page = await browser.get("/t/lishu/account/tokens")
    assert "wst_forged" not in page.text


async def test_tokens_may_expire_and_expired_ones_are_refused(
    client: httpx.AsyncClient, browser: Browser, admin_a: Member
) -> None:
    from tenants.tables import ApiToken

    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    made = await client.post(
        "/api/v1/t/lishu/tokens", json={"name": "三十天", "expires_in_days": 30}, headers=auth
    )
    assert made.status_code == 201
    body = made.json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    short = {"Authorization": f"Bearer {body['token']}"}
    assert (await client.get("/api/v1/t/lishu/me", headers=short)).status_code == 200
    for bad in (0, 3651, "soon"):
        refused = await client.post(
            "/api/v1/t/lishu/tokens", json={"name": "坏", "expires_in_days": bad}, headers=auth
        )
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "expires_in_days"
    async with in_tenant(admin_a.tenant):
        await ApiToken.update(
            {ApiToken.expires_at: datetime.now(UTC) - timedelta(minutes=1)}
        ).where(ApiToken.name == "三十天")
    assert (await client.get("/api/v1/t/lishu/me", headers=short)).status_code == 401
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).status_code == 200
    await browser.login("admin-a")
    page = await browser.get("/t/lishu/account/tokens")
    assert "已过期" in page.text
    form = await browser.post("/t/lishu/account/tokens", {"name": "表单", "expires_in_days": "0"})
    assert form.status_code == 422
    assert "有效期须为 1 至 3650 天" in form.text
    assert sorted(t["name"] for t in await _tokens(admin_a)) == ["三十天", "测试令牌"]
    await browser.post("/t/lishu/account/tokens", {"name": "九十天", "expires_in_days": "90"})
    ninety = [t for t in await _tokens(admin_a) if t["name"] == "九十天"]
    assert [t["expires_at"] is not None for t in ninety] == [True]
    # Full-width digits from a Chinese keyboard are the same number; letters are not one.
    await browser.post("/t/lishu/account/tokens", {"name": "全角", "expires_in_days": "３０"})
    assert [t["name"] for t in await _tokens(admin_a) if t["name"] == "全角"] == ["全角"]
    letters = await browser.post(
        "/t/lishu/account/tokens", {"name": "字母", "expires_in_days": "x"}
    )
    assert letters.status_code == 422
    assert "有效期应填写整数" in letters.text


async def test_token_creation_and_revocation_are_security_events(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    token_id, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    second = (await client.post("/api/v1/t/lishu/tokens", json={"name": "二"}, headers=auth)).json()
    assert (await client.delete(f"/api/v1/t/lishu/tokens/{second['id']}", headers=auth)).is_success
    actions = await _actions(admin_a)
    assert ("security.token_create", str(token_id)) in actions
    assert ("security.token_create", second["id"]) in actions
    assert ("security.token_revoke", second["id"]) in actions
    from tenants.audit import ACTION_LABELS

    assert "令牌" in ACTION_LABELS["security.token_create"]
    assert "令牌" in ACTION_LABELS["security.token_revoke"]


async def test_a_client_that_keeps_sending_bad_tokens_is_answered_429(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    """Bad bearer tokens count as failures of their client (with its failed sign-ins); above
    the per-client limit the client gets 429 with Retry-After, before any database work, even
    with a good token. Missing credentials and good tokens are never counted."""
    from wusong.core.settings import get_settings

    _, token = await make_token(admin_a)
    good = {"Authorization": f"Bearer {token}"}
    limit = get_settings().login_max_failures_per_client
    for _ in range(3):
        assert (await client.get("/api/v1/t/lishu/me")).status_code == 401  # not counted
    for i in range(limit):
        bad = {"Authorization": f"Bearer wst_guess{i:04d}"}
        refused = await client.get("/api/v1/t/lishu/me", headers=bad)
        assert refused.status_code == 401
        assert refused.json()["detail"].startswith("缺少或无效的访问令牌")
        assert (await client.get("/api/v1/t/lishu/me", headers=good)).status_code == 200
    over = await client.get("/api/v1/t/lishu/me", headers={"Authorization": "Bearer wst_x"})
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) > 0
    assert over.json()["detail"] == "无效令牌的请求过多，请稍后再试"
    refused = await client.get("/api/v1/t/lishu/me", headers=good)
    assert refused.status_code == 429
