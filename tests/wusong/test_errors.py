"""Errors are Chinese pages (or JSON for the API), never stack traces; OpenAPI is published."""

from __future__ import annotations

import httpx
from litestar import Litestar, get


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
