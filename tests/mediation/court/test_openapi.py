"""The court operations are in the OpenAPI document, with examples and the errors they give."""

from __future__ import annotations

import httpx

PREFIX = "/api/v1/t/{tenant}"


async def test_court_operations_carry_examples(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/referral/extension", "/return", "/confirmations", "/decisions"):
        operation = paths[f"{PREFIX}/cases/{{case_id}}{path}"]["post"]
        body = operation["requestBody"]["content"]["application/json"]
        assert body["schema"].get("examples"), path
        assert {"409", "412", "428"} <= set(operation["responses"]), path
    referral = paths[f"{PREFIX}/cases/{{case_id}}/referral"]["get"]
    assert referral["responses"]["200"]["content"]["application/json"]["examples"]
    assert "get" in paths[f"{PREFIX}/court/queue"]
    assert "get" in paths[f"{PREFIX}/cases/{{case_id}}/parties/{{party_id}}/id-number"]
