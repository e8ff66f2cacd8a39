"""Errors are Chinese pages (or JSON for the API), never stack traces; OpenAPI is published."""

from __future__ import annotations

import logging

import httpx
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
