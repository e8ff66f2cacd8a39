"""Court referral: the mediation deadline by the tenant's periods, one extension with both
parties' consent, and the return to the court with the undisputed facts."""

from __future__ import annotations

from datetime import timedelta

import httpx

from mediation.deadlines import is_working_day, period_end
from tests.mediation.court.conftest import Court, case_events
from tests.mediation.court.factories import make_court_case, make_effective_agreement
from wusong.core.clock import local_today


async def test_the_referral_shows_its_deadline_by_procedure(
    client: httpx.AsyncClient, court: Court
) -> None:
    today = local_today()
    for procedure, days in (("ordinary", 15), ("simplified", 7), ("classic", 30)):
        case = await make_court_case(court.tenant, area_id=court.village, procedure=procedure)
        response = await client.get(court.api(f"/cases/{case.id}/referral"), headers=court.auth())
        assert response.status_code == 200
        body = response.json()
        due = period_end(today - timedelta(days=2), days)
        assert body["due_on"] == due.day.isoformat()
        assert body["period_days"] == days
        assert body["days_left"] == (due.day - today).days
        assert body["overdue"] is False
        assert body["calendar_known"] is due.known
        assert body["can_extend"]
        assert body["can_return"]
        assert response.headers["ETag"] == '"1"'


async def test_an_overdue_referral_says_so(client: httpx.AsyncClient, court: Court) -> None:
    referred = local_today() - timedelta(days=60)
    case = await make_court_case(court.tenant, area_id=court.village, referral_date=referred)
    body = (await client.get(court.api(f"/cases/{case.id}/referral"), headers=court.auth())).json()
    assert body["overdue"] is True
    assert body["days_left"] < 0


async def test_a_case_not_referred_by_a_court_has_no_referral(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village, source="application")
    response = await client.get(court.api(f"/cases/{case.id}/referral"), headers=court.auth())
    assert response.status_code == 404
    extend = await client.post(
        court.api(f"/cases/{case.id}/referral/extension"),
        json={"consented_on": local_today().isoformat(), "note": "双方同意"},
        headers=court.auth(version=1),
    )
    assert extend.status_code == 409
    assert "不是法院委派" in extend.json()["detail"]


async def test_both_parties_consent_extends_once_from_the_current_deadline(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village, procedure="simplified")
    url = court.api(f"/cases/{case.id}/referral/extension")
    today = local_today()
    body = {"consented_on": today.isoformat(), "note": "双方在调解笔录上签字同意延长"}
    assert (await client.post(url, json=body, headers=court.auth())).status_code == 428
    assert (await client.post(url, json=body, headers=court.auth(version=7))).status_code == 412
    response = await client.post(url, json=body, headers=court.auth(version=1))
    assert response.status_code == 200, response.text
    found = response.json()
    new_due = period_end(case.due_on, 30).day
    assert found["due_on"] == new_due.isoformat()
    assert found["extended_on"] == today.isoformat()
    assert found["extension_note"] == "双方在调解笔录上签字同意延长"
    assert found["can_extend"] is False
    assert found["calendar_known"] is is_working_day(new_due)[1]
    assert response.headers["ETag"] == '"2"'
    again = await client.post(url, json=body, headers=court.auth(version=2))
    assert again.status_code == 409
    assert "只能延长一次" in again.json()["detail"]
    events = await case_events(court.tenant, case.id)
    assert [e["action"] for e in events] == ["court.referral_extend"]
    assert events[0]["diff"]["after"] == {"due_on": new_due.isoformat()}
    assert events[0]["diff"]["before"] == {"due_on": case.due_on.isoformat()}


async def test_an_extension_needs_a_note_and_a_running_period(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village, procedure="simplified")
    url = court.api(f"/cases/{case.id}/referral/extension")
    before_referral = (case.referral_date - timedelta(days=1)).isoformat()
    empty = await client.post(
        url, json={"consented_on": before_referral, "note": " "}, headers=court.auth(version=1)
    )
    assert empty.status_code == 422
    assert {e["field"] for e in empty.json()["errors"]} == {"note", "consented_on"}
    referred = local_today() - timedelta(days=20)
    overdue = await make_court_case(
        court.tenant, area_id=court.village, procedure="simplified", referral_date=referred
    )
    late = await client.post(
        court.api(f"/cases/{overdue.id}/referral/extension"),
        json={"consented_on": referred.isoformat(), "note": "双方同意"},
        headers=court.auth(version=1),
    )
    assert late.status_code == 409
    assert "期限届满后不能延长" in late.json()["detail"]
    assert await case_events(court.tenant, overdue.id) == []
    assert await case_events(court.tenant, case.id) == []


async def test_only_an_open_case_is_extended_and_only_by_its_mediator(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village, status="failed")
    body = {"consented_on": local_today().isoformat(), "note": "双方同意"}
    url = court.api(f"/cases/{case.id}/referral/extension")
    closed = await client.post(url, json=body, headers=court.auth(version=1))
    assert closed.status_code == 409
    assert "只有调解中的案件可以延长" in closed.json()["detail"]
    for who in ("admin", "court"):
        assert (await client.post(url, json=body, headers=court.auth(who, 1))).status_code == 403


async def test_a_failed_referral_returns_to_the_court_with_undisputed_facts(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village)
    url = court.api(f"/cases/{case.id}/return")
    facts = "双方确认借款本金 5 万元已于 2025 年 3 月交付。"
    missing = await client.post(
        url, json={"undisputed_facts": facts}, headers=court.auth(version=1)
    )
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"parties_consented", "failure_reason"}
    body = {"undisputed_facts": facts, "parties_consented": True, "failure_reason": "no_agreement"}
    response = await client.post(url, json=body, headers=court.auth(version=1))
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["returned_on"] == local_today().isoformat()
    assert found["status"] == "failed"
    assert found["undisputed_facts"] == facts
    assert found["can_return"] is False
    assert found["can_extend"] is False
    assert found["filing_due"] == period_end(local_today(), 7).day.isoformat()
    again = await client.post(url, json=body, headers=court.auth(version=2))
    assert again.status_code == 409
    assert "已于" in again.json()["detail"]
    events = await case_events(court.tenant, case.id)
    assert events[-1]["action"] == "court.referral_return"
    assert events[-1]["diff"]["status"] == "调解不成"


async def test_returning_is_never_blocked_for_a_case_that_did_not_settle(
    client: httpx.AsyncClient, court: Court
) -> None:
    """Open within its period, overdue, withdrawn, failed: each may go back to the court,
    without undisputed facts; a settled case may not."""
    overdue = local_today() - timedelta(days=45)
    cases = [
        await make_court_case(court.tenant, area_id=court.village),
        await make_court_case(court.tenant, area_id=court.village, referral_date=overdue),
        await make_court_case(court.tenant, area_id=court.village, status="withdrawn"),
        await make_court_case(court.tenant, area_id=court.village, status="litigation"),
    ]
    for case in cases:
        response = await client.post(
            court.api(f"/cases/{case.id}/return"),
            json={"failure_reason": "party_withdrew"},
            headers=court.auth(version=1),
        )
        assert response.status_code == 200, (case.status, response.text)
    settled = await make_court_case(court.tenant, area_id=court.village)
    await make_effective_agreement(court.tenant, settled.id, local_today())
    refused = await client.post(
        court.api(f"/cases/{settled.id}/return"), json={}, headers=court.auth(version=1)
    )
    assert refused.status_code == 409
    assert "达成协议" in refused.json()["detail"]
