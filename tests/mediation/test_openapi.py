"""Every mediation operation of the API is in the OpenAPI document, and every one that takes a
body shows an example of it (so a client sees a valid case, party, agreement … at once)."""

from __future__ import annotations

import httpx

PREFIX = "/api/v1/t/{tenant}"


async def test_every_mediation_body_has_an_example(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    mediation = {
        path: operations
        for path, operations in paths.items()
        if path.startswith((f"{PREFIX}/cases", f"{PREFIX}/mediation", f"{PREFIX}/court"))
    }
    assert f"{PREFIX}/cases" in mediation
    missing = []
    for path, operations in mediation.items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and not (body.get("examples") or body["schema"].get("examples")):
                missing.append(f"{method.upper()} {path}")
    assert not missing, "operations without a body example:\n" + "\n".join(missing)
