"""Errors are Chinese pages (or JSON for the API), never stack traces; OpenAPI is published."""

from __future__ import annotations

import logging
import re
from typing import Any, ClassVar
from uuid import UUID

import httpx
import msgspec
import pytest
from litestar import Litestar, get

from tests.factories import Browser, Member, make_area


async def test_unexpected_error_is_a_chinese_500_page_without_traceback(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    @get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret internals 11010519491231002X")

    app.register(boom)
    response = await client.get("/boom")
    assert response.status_code == 500
    assert "系统暂时出错" in response.text
    assert "RuntimeError" not in response.text
    assert "11010519491231002X" not in response.text


async def test_unknown_page_is_a_chinese_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    api = await client.get("/api/v1/nothing")
    assert api.status_code == 404
    assert api.json()["status"] == 404


async def test_openapi_documents_the_tenant_api_with_bearer_auth(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/t/{tenant}/areas" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert not any(path.startswith("/t/") for path in schema["paths"])


def _untyped(schema: Any, where: str) -> list[str]:
    """Places in a JSON schema that say nothing of their type (an ``Any``)."""
    if not isinstance(schema, dict):
        return []
    if schema == {}:
        return [where]
    found: list[str] = []
    for key in ("items", "additionalProperties"):
        if key in schema and schema[key] is not False:
            found += _untyped(schema[key], f"{where}.{key}")
    for name, sub in schema.get("properties", {}).items():
        found += _untyped(sub, f"{where}.{name}")
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            found += _untyped(sub, f"{where}.{key}[{i}]")
    return found


async def test_openapi_has_only_the_api_with_typed_responses_and_real_errors(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    html = [
        p for p in schema["paths"] if not p.startswith("/api/") and p not in {"/health", "/ready"}
    ]
    assert html == [], "HTML page routes belong out of the OpenAPI"
    error_body = "#/components/schemas/ErrorBody"
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {
        "status",
        "detail",
        "errors",
    }
    untyped: list[str] = []
    for name, component in schema["components"]["schemas"].items():
        untyped += _untyped(component, name)
    seen: set[str] = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            for status, response in responses.items():
                for content in response.get("content", {}).values():
                    untyped += _untyped(content.get("schema", {}), f"{where} {status}")
                if path.startswith("/api/") and int(status) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == error_body, (where, status)
            if path.startswith("/api/"):
                assert {"401", "403", "404"} <= set(responses), where
                seen |= set(responses)
            for status, response in responses.items():  # described in Chinese, success too
                assert re.search(r"[\u4e00-\u9fff]", response["description"]), (where, status)
    # The audit diff is a free-form JSON object by design (field → value or [old, new]).
    assert untyped == ["AuditEventRow.diff.additionalProperties"]
    assert "调解员" in schema["components"]["schemas"]["Role"]["description"]
    assert {"401", "403", "404", "409", "412", "422", "428", "429"} <= seen
    patch = schema["paths"]["/api/v1/t/{tenant}/areas/{area_id}"]["patch"]["responses"]
    assert {"409", "412", "422", "428"} <= set(patch)


async def test_the_docs_page_needs_no_internet(client: httpx.AsyncClient) -> None:
    """/schema loads its UI from the package's own static files, and they are served."""
    page = await client.get("/schema")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert any(a.endswith(".js") for a in assets)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert not asset.startswith("//"), asset
        assert (await client.get(asset)).status_code == 200, asset
    assert "http://" not in page.text.split("<body")[0].replace("http://www.w3.org", "")
    assert "https://" not in page.text.split("<body")[0]
    licence = await client.get("/static/swagger-ui/LICENSE")
    assert "Apache License" in licence.text


@pytest.mark.parametrize(
    ("method", "route", "status", "logged"),
    [
        ("post", "duplicate", 409, "unique violation"),
        ("post", "not-null", 500, "unhandled error"),
        ("get", "typo", 500, "unhandled error"),
    ],
)
async def test_database_errors_are_named_for_what_they_mean(
    admin_a: Member,
    scratch: Browser,
    caplog: pytest.LogCaptureFixture,
    method: str,
    route: str,
    status: int,
    logged: str,
) -> None:
    """A unique violation is a race (409); a NOT NULL bug or a SQL typo is a bug (500), on
    both databases; all three are logged."""
    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    with caplog.at_level(logging.WARNING, logger="wusong.web"):
        call = scratch.post if method == "post" else scratch.get
        response = await call(f"/t/lishu/scratch/{route}")
    assert response.status_code == status
    assert logged in caplog.text
    assert "Traceback" not in response.text


def _error_card(html: str) -> str:
    """The error card of a page, without its status code: the wording people read."""
    match = re.search(r'<section class="card error-page">(.*?)</section>', html, re.S)
    assert match, html[:500]
    return re.sub(r'<p class="status-code">\d+</p>', "", match.group(1)).strip()


async def test_one_404_page_keeps_the_navigation_of_a_signed_in_user(
    browser: Browser, admin_a: Member, tenant_b: Any
) -> None:
    from uuid import uuid4

    anonymous = [await browser.get(p) for p in ("/no/such/page", "/t/lishu/no/such/page")]
    assert (await browser.login("admin-a")).status_code == 200
    in_tenant = [
        await browser.get("/t/lishu/no/such/page"),
        await browser.get(f"/t/lishu/areas/{uuid4()}/edit"),  # a record that is not there
    ]
    outside = [
        await browser.get("/no/such/page"),
        await browser.get("/t/nowhere/"),  # no such county
        await browser.get("/t/tiexi/"),  # a county the user is not a member of
    ]
    wording = {_error_card(r.text) for r in [*anonymous, *in_tenant, *outside]}
    assert len(wording) == 1, wording
    for response in [*anonymous, *in_tenant, *outside]:
        assert response.status_code == 404, response.url
    for response in in_tenant:  # the county's navigation, with the user's name
        assert 'id="mainnav"' in response.text, response.url
        assert "admin-a · 管理员" in response.text, response.url
        assert "退出" in response.text
    for response in outside:  # signed in, outside a county: the account header
        assert 'id="mainnav"' not in response.text, response.url
        assert '<span class="user" title="admin-a">admin-a</span>' in response.text, response.url
        assert "退出" in response.text
    for response in anonymous:
        assert 'class="who"' not in response.text
        assert "退出" not in response.text


async def test_a_page_of_no_route_can_still_sign_out(browser: Browser, admin_a: Member) -> None:
    """The router's 404 runs no route middleware: its page still carries the session's CSRF
    token, so the header's 退出 button works from it."""
    await browser.login("admin-a")
    for path in ("/t/lishu/no-such-page", "/no-such-page"):
        page = await browser.get(path)
        assert page.status_code == 404
        token = re.search(r'name="_csrf_token" value="([^"]*)"', page.text)
        assert token is not None, path
        assert token.group(1) == await browser.csrf(), path
    out = await browser.client.post("/logout", data={"_csrf_token": token.group(1)})
    assert out.status_code == 200
    assert out.url.path == "/login"
    assert "您已退出登录" in out.text
    assert (await browser.get("/t/lishu/")).url.path == "/login"  # the session is gone


async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, browser: Browser, admin_a: Member
) -> None:
    await browser.login("admin-a")
    checks = {
        "/login": client,
        "/no-such-page": client,
        "/t/lishu/no-such-page": browser.client,
        "/t/lishu/": browser.client,
        "/schema": client,
        "/schema/openapi.json": client,
        "/api/v1/t/lishu/areas": client,
        "/static/app.css": client,
        "/health": client,
    }
    for path, who in checks.items():
        response = await who.get(path)
        headers = response.headers
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("x-frame-options") == "DENY", path
        assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path
        assert headers.get_list("content-security-policy") == [
            headers["content-security-policy"]
        ], path
        if path.startswith("/static/"):
            assert headers.get("cache-control") != "no-store"
        else:
            assert headers.get("cache-control") == "no-store", path
        inline = "'unsafe-inline'" in headers["content-security-policy"]
        assert inline == path.startswith("/schema"), path


class _Pick(msgspec.Struct):
    area_ids: list[UUID]

    labels: ClassVar[dict[str, str]] = {"area_ids": "覆盖区域"}


def test_a_bad_item_of_a_list_field_is_named_by_its_field() -> None:
    """A checkbox list parsed into ``list[UUID]``: the error names the field, not "form"."""
    from wusong.core.errors import Invalid
    from wusong.core.views import parse_form

    with pytest.raises(Invalid) as raised:
        parse_form(_Pick, {"area_ids": ["not-an-id"]})  # type: ignore[dict-item]
    assert raised.value.errors == {"area_ids": "覆盖区域格式无效"}
