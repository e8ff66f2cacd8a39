"""List endpoints validate their query parameters: a Chinese 422 naming the parameter."""

from __future__ import annotations

import httpx

from tests.factories import Member, make_area, make_token

PAGING = [
    ("limit=5000", "limit"),
    ("limit=0", "limit"),
    ("limit=abc", "limit"),
    ("offset=-1", "offset"),
    ("offset=9223372036854775808", "offset"),
]
AREA_FILTERS = [
    ("kind=foo", "kind"),
    ("active=maybe", "active"),
    ("parent_id=nope", "parent_id"),
    ("count=2", "count"),
]


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


async def test_bad_query_parameters_are_a_chinese_422_naming_the_parameter(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    await make_area(admin_a.tenant, "township", "梨树镇", "220322100000")
    _, token = await make_token(admin_a)
    auth = {"Authorization": f"Bearer {token}"}
    cases = [
        *((f"/api/v1/t/lishu/{lst}?{q}", f) for lst in ("areas", "audit") for q, f in PAGING),
        *((f"/api/v1/t/lishu/areas?{q}", f) for q, f in AREA_FILTERS),
    ]
    for url, field in cases:
        response = await client.get(url, headers=auth)
        assert response.status_code == 422, (url, response.text)
        body = response.json()
        assert [e["field"] for e in body["errors"]] == [field], url
        message = body["errors"][0]["message"]
        assert field in message, url
        assert _chinese(message), message
        assert not any(w in message.lower() for w in ("expected", "must", "invalid")), message
        assert _chinese(body["detail"]), body
    good = await client.get("/api/v1/t/lishu/areas?kind=township&limit=200&offset=0", headers=auth)
    assert good.status_code == 200
    assert len(good.json()["items"]) == 1
    villages = await client.get("/api/v1/t/lishu/areas?kind=village", headers=auth)
    assert villages.json()["items"] == []  # before, an unknown kind was ignored: everything
