"""Odd and hostile input gets a clear 4xx, never a 500; races end in 409/429, not crashes."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import Browser, Member, in_tenant, make_area, make_member, make_token


async def test_odd_api_input_is_a_4xx(client: httpx.AsyncClient, admin_a: Member) -> None:
    area = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/t/lishu/areas/{area.id}"
    for if_match in ('"²"'.encode("latin-1"), b'"' + b"9" * 30 + b'"', b'"-1"', b"*"):
        headers = {**auth, "If-Match": if_match}
        response = await client.patch(url, json={"name": "x"}, headers=headers)
        assert response.status_code == 412, if_match
    for query in ("offset=9223372036854775808", "offset=-1", "limit=0", "parent_id=nope"):
        response = await client.get(f"/api/v1/t/lishu/areas?{query}", headers=auth)
        assert 400 <= response.status_code < 500, query
    nul = await client.post(
        "/api/v1/t/lishu/areas",
        json={"kind": "township", "name": "梨\x00树", "division_code": "220322101000"},
        headers=auth,
    )
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["field"] == "name"
    audit = await client.get("/api/v1/t/lishu/audit?actor=a%00b&action=%00", headers=auth)
    assert audit.status_code == 200
    assert audit.json()["items"] == []


async def test_odd_page_input_is_a_4xx_or_ignored(browser: Browser, admin_a: Member) -> None:
    area = await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    await browser.login("admin-a")
    huge = await browser.post(
        f"/t/lishu/areas/{area.id}/edit", {"name": "新名", "version": str(2**63)}
    )
    assert huge.status_code == 409  # the form again, with the current version
    for query in ("until=9999-12-31", "since=0001-01-01", "actor=%00", "page=99999999999999"):
        assert (await browser.get(f"/t/lishu/audit?{query}")).status_code == 200, query
    assert (await browser.get("/t/%00/")).status_code == 404
    bad_login = await browser.post("/login", {"username": "a\x00", "password": "x"})
    assert bad_login.status_code == 401


async def test_admin_form_cannot_skip_the_forced_password_change(
    browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    await browser.post(
        "/t/lishu/users/new",
        {
            "username": "sneaky",
            "display_name": "x",
            "role": "viewer",
            "password": "temporary-pw-1",
            "must_change_password": "",
        },
    )
    first = await Browser(browser.client).login("sneaky", "temporary-pw-1")
    assert str(first.url).endswith("/account/password")


async def test_password_reset_also_revokes_the_users_api_tokens(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    from tenants import services
    from tenants.schemas import PasswordReset

    mediator = await make_member(admin_a.tenant, "mediator-a", "mediator")
    _, token = await make_token(mediator)
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).status_code == 200
    async with in_tenant(admin_a.tenant) as ctx:
        await services.reset_password(
            ctx, mediator.membership_id, PasswordReset("brand-new-temp-1")
        )
    assert (await client.get("/api/v1/t/lishu/me", headers=auth)).status_code == 401


async def test_concurrent_wrong_passwords_cannot_outrun_the_limit(
    browser: Browser, admin_a: Member
) -> None:
    csrf = await browser.csrf()
    form = {"_csrf_token": csrf, "username": "admin-a", "password": "wrong-password!"}
    responses = await asyncio.gather(*(browser.client.post("/login", data=form) for _ in range(25)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(401) <= 10
    assert set(statuses) <= {401, 429}


async def test_racing_creates_of_one_division_code_give_one_201(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    body = {"kind": "township", "name": "同码镇", "division_code": "220322109000"}
    responses = await asyncio.gather(
        *(client.post("/api/v1/t/lishu/areas", json=body, headers=auth) for _ in range(5))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1
    assert set(statuses) <= {201, 409, 422}


async def test_deep_json_and_non_utf8_bodies_are_a_400(
    browser: Browser, client: httpx.AsyncClient, admin_a: Member
) -> None:
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    deep = b'{"name":' * 5000 + b'"x"' + b"}" * 5000
    for body in (deep, b"[" * 5000 + b"]" * 5000, b'{"kind":"township","name":"\xff\xfe"}'):
        response = await client.post("/api/v1/t/lishu/areas", content=body, headers=auth)
        assert response.status_code == 400, body[:20]
        assert response.json()["status"] == 400
        assert response.json()["detail"]
    await browser.login("admin-a")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    csrf = await browser.csrf()
    for path in ("/t/lishu/areas/new", "/login"):
        body = f"_csrf_token={csrf}&kind=township&name=".encode() + b"\xff\xfe&division_code=1"
        response = await browser.client.post(path, content=body, headers=form)
        assert response.status_code == 400, path
        assert "请求无效" in response.text


async def test_odd_static_paths_are_a_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/app.css")).status_code == 200
    for path in ("/static/app.css%00.py", "/static/app.css/..", "/static/app.css/x"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in response.text
