"""The outcome: the case's status, closing date and reason through the case's version
(optimistic locking), per the status rules."""

from __future__ import annotations

import httpx
import pytest

from tests.mediation.proceedings.conftest import Setting, case_row, counts


async def test_settling_closes_the_case_and_bumps_its_version(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    body = {"outcome": "settled", "note": "双方达成口头协议"}
    response = await client.put(proc.api("/outcome"), json=body, headers=proc.auth(version=1))
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    case = await case_row(proc)
    assert (case.status, case.version, case.outcome_note) == ("settled", 2, "双方达成口头协议")
    assert case.closed_on is not None
    again = await client.put(
        proc.api("/outcome"), json={"outcome": "failed", "reason": "other"},
        headers=proc.auth(version=2),
    )  # fmt: skip
    assert again.status_code == 409
    assert "调解成功" in again.json()["detail"]
    assert "调解不成" in again.json()["detail"]


async def test_a_failed_case_needs_a_reason_and_may_go_to_court(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    before = await counts(proc)
    for body, field in (
        ({"outcome": "failed"}, "reason"),
        ({"outcome": "failed", "reason": "bribed"}, "reason"),
        ({"outcome": "settled", "reason": "<script>"}, "reason"),
        ({"outcome": "resolved"}, "outcome"),
        ({"outcome": "open"}, "outcome"),
        ({"outcome": "settled", "closed_on": "1900-01-01"}, "closed_on"),
    ):
        response = await client.put(proc.api("/outcome"), json=body, headers=proc.auth(version=1))
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.json()["errors"]}
    assert await counts(proc) == before
    assert (await case_row(proc)).version == 1
    failed = {"outcome": "failed", "reason": "no_agreement"}
    ok = await client.put(proc.api("/outcome"), json=failed, headers=proc.auth(version=1))
    assert ok.status_code == 200
    court = await client.put(
        proc.api("/outcome"), json={"outcome": "litigation"}, headers=proc.auth(version=2)
    )
    assert court.status_code == 200, court.text
    case = await case_row(proc)
    assert (case.status, case.outcome_reason) == ("litigation", "no_agreement")


async def test_stale_or_missing_if_match(client: httpx.AsyncClient, proc: Setting) -> None:
    body = {"outcome": "withdrawn"}
    missing = await client.put(proc.api("/outcome"), json=body, headers=proc.auth())
    assert missing.status_code == 428
    stale = await client.put(proc.api("/outcome"), json=body, headers=proc.auth(version=7))
    assert stale.status_code == 412
    assert (await case_row(proc)).status == "open"


@pytest.mark.parametrize("who", ["admin", "court", "outsider"])
async def test_only_the_cases_mediators_record_the_outcome(
    client: httpx.AsyncClient, proc: Setting, who: str
) -> None:
    response = await client.put(
        proc.api("/outcome"), json={"outcome": "withdrawn"}, headers=proc.auth(who, version=1)
    )
    assert response.status_code == 403
    assert (await case_row(proc)).status == "open"
