"""List endpoints validate their query parameters: a Chinese 422 naming the parameter."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Member, make_area, make_token

LISTS = ("/api/v1/t/lishu/areas", "/api/v1/t/lishu/audit")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=5000", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("offset=9223372036854775808", "offset"),
    ],
)
async def test_bad_paging_is_a_chinese_422_naming_the_parameter(
    client: httpx.AsyncClient, admin_a: Member, path: str, query: str, field: str
) -> None:
    _, token = await make_token(admin_a)
    response = await client.get(f"{path}?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422, response.text
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    message = body["errors"][0]["message"]
    assert field in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not any(word in message.lower() for word in ("expected", "must", "invalid")), message


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=foo", "kind"),
        ("active=maybe", "active"),
        ("parent_id=nope", "parent_id"),
        ("count=2", "count"),
    ],
)
async def test_bad_area_filters_are_a_422_naming_the_parameter(
    client: httpx.AsyncClient, admin_a: Member, query: str, field: str
) -> None:
    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    response = await client.get(f"/api/v1/t/lishu/areas?{query}", headers=auth)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0]["message"])
    good = await client.get("/api/v1/t/lishu/areas?kind=township&limit=200&offset=0", headers=auth)
    assert good.status_code == 200
    assert len(good.json()["items"]) == 1
