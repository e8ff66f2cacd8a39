"""Follow-up visits: only once the case's agreement took effect, never before it."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.mediation.proceedings.conftest import Setting, complete_agreement, counts, sign_all
from wusong.core.clock import local_today


async def test_follow_ups_need_an_effective_agreement(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    visit = {"visited_on": str(local_today()), "performance": "partial", "note": "已付一半"}
    before = await counts(proc)
    refused = await client.post(proc.api("/followups"), json=visit, headers=proc.auth())
    assert refused.status_code == 409
    assert "调解协议已生效" in refused.json()["detail"]
    draft = await client.post(
        proc.api("/agreements"), json=complete_agreement(proc), headers=proc.auth()
    )
    refused = await client.post(proc.api("/followups"), json=visit, headers=proc.auth())
    assert refused.status_code == 409  # a draft is not enough
    assert (await counts(proc))["followups"] == before["followups"]
    await sign_all(client, proc, draft.json()["id"])
    recorded = await client.post(proc.api("/followups"), json=visit, headers=proc.auth())
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["performance"] == "partial"
    listed = await client.get(proc.api("/followups"), headers=proc.auth("court"))
    assert [f["note"] for f in listed.json()] == ["已付一半"]


async def test_bad_follow_ups_write_nothing(client: httpx.AsyncClient, proc: Setting) -> None:
    draft = await client.post(
        proc.api("/agreements"), json=complete_agreement(proc), headers=proc.auth()
    )
    await sign_all(client, proc, draft.json()["id"])
    before = await counts(proc)
    today = local_today()
    for body, field in (
        ({"visited_on": str(today), "performance": "mostly"}, "performance"),
        ({"visited_on": "1900-01-01", "performance": "full"}, "visited_on"),
        ({"visited_on": str(today - timedelta(days=1)), "performance": "full"}, "visited_on"),
        ({"visited_on": str(today + timedelta(days=1)), "performance": "full"}, "visited_on"),
        ({"visited_on": str(today), "performance": "full", "note": "\x00"}, "note"),
    ):
        response = await client.post(proc.api("/followups"), json=body, headers=proc.auth())
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.json()["errors"]}
    for who in ("admin", "court", "outsider"):
        body = {"visited_on": str(today), "performance": "full"}
        response = await client.post(proc.api("/followups"), json=body, headers=proc.auth(who))
        assert response.status_code == 403
    assert await counts(proc) == before
