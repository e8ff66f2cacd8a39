"""The court reviewer: the queue (oldest first, with deadlines), decisions in the legal order,
filing a returned referral, and the audited reveal of full ID numbers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from mediation.deadlines import period_end
from tests.mediation.court.conftest import Court, case_events
from tests.mediation.court.factories import ID_NUMBERS, make_court_case, parties_of
from tests.mediation.court.test_confirmation import apply, settled_case
from wusong.core.clock import local_today

ACCEPT = {"decision": "accepted", "court_case_no": "（2026）吉0322民调确字第15号"}


async def decide(
    client: httpx.AsyncClient, court: Court, case: Any, version: int, **body: Any
) -> Any:
    return await client.post(
        court.api(f"/cases/{case.id}/decisions"), json=body, headers=court.auth("court", version)
    )


async def applied_case(client: httpx.AsyncClient, court: Court) -> Any:
    case = await settled_case(court)
    assert (await apply(client, court, case)).status_code == 201
    return case


async def test_an_application_is_accepted_before_it_is_confirmed(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await applied_case(client, court)  # case version 2
    early = await decide(client, court, case, 2, decision="confirmed")
    assert early.status_code == 409
    assert "须先受理" in early.json()["detail"]
    no_word = await decide(
        client, court, case, 2, decision="accepted", court_case_no="（2026）吉0322民初1号"
    )
    assert no_word.status_code == 422
    assert no_word.json()["errors"][0]["field"] == "court_case_no"
    missing = await decide(client, court, case, 2, decision="accepted")
    assert missing.status_code == 422
    accepted = await decide(client, court, case, 2, **ACCEPT)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["court_case_no"] == ACCEPT["court_case_no"]
    twice = await decide(client, court, case, 3, **ACCEPT)
    assert twice.status_code == 409
    assert "已经受理" in twice.json()["detail"]
    confirmed = await decide(client, court, case, 3, decision="confirmed", note="协议合法有效")
    assert confirmed.status_code == 201
    view = (
        await client.get(court.api(f"/cases/{case.id}/confirmations"), headers=court.auth())
    ).json()
    application = view["applications"][0]
    assert application["status"] == "confirmed"
    assert application["court_case_no"] == ACCEPT["court_case_no"]
    assert [d["decision"] for d in view["decisions"]] == ["accepted", "confirmed"]
    closed = await decide(client, court, case, 4, decision="returned")
    assert closed.status_code == 409
    assert "已审结的申请不能再作决定" in closed.json()["detail"]
    actions = [e["action"] for e in await case_events(court.tenant, case.id)]
    assert actions == ["court.confirmation_apply", "court.decision", "court.decision"]


async def test_a_refusal_names_a_reason_from_the_list(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await applied_case(client, court)
    assert (await decide(client, court, case, 2, **ACCEPT)).status_code == 201
    bare = await decide(client, court, case, 3, decision="refused", reason="不喜欢")
    assert bare.status_code == 422
    assert bare.json()["errors"][0]["field"] == "reason"
    refused = await decide(client, court, case, 3, decision="refused", reason="coerced")
    assert refused.status_code == 201
    assert refused.json()["reason"] == "coerced"
    # a refused agreement is not applied for again: the parties amend it or sue
    again = await client.post(
        court.api(f"/cases/{case.id}/confirmations"),
        json={"court": "梨树县人民法院"},
        headers=court.auth(version=4),
    )
    assert again.status_code == 409


async def test_an_application_returned_for_correction_may_be_made_again(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await applied_case(client, court)
    returned = await decide(client, court, case, 2, decision="returned", note="缺身份证复印件")
    assert returned.status_code == 201
    again = await client.post(
        court.api(f"/cases/{case.id}/confirmations"),
        json={"court": "梨树县人民法院"},
        headers=court.auth(version=3),
    )
    assert again.status_code == 201


async def test_only_the_court_reviewer_decides(client: httpx.AsyncClient, court: Court) -> None:
    case = await applied_case(client, court)
    for who in ("admin", "mediator"):
        response = await client.post(
            court.api(f"/cases/{case.id}/decisions"), json=ACCEPT, headers=court.auth(who, 2)
        )
        assert response.status_code == 403


async def test_a_returned_referral_is_filed_with_the_courts_case_number(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village)
    not_returned = await decide(
        client, court, case, 1, decision="filed", court_case_no="（2026）吉0322民初88号"
    )
    assert not_returned.status_code == 409
    assert "退回法院" in not_returned.json()["detail"]
    returned = await client.post(
        court.api(f"/cases/{case.id}/return"),
        json={"failure_reason": "no_agreement"},
        headers=court.auth(version=1),
    )
    assert returned.status_code == 200
    no_number = await decide(client, court, case, 2, decision="filed")
    assert no_number.status_code == 422
    filed = await decide(
        client, court, case, 2, decision="filed", court_case_no="（2026）吉0322民初88号"
    )
    assert filed.status_code == 201, filed.text
    referral = (
        await client.get(court.api(f"/cases/{case.id}/referral"), headers=court.auth())
    ).json()
    assert referral["status"] == "litigation"
    assert referral["filed_case_no"] == "（2026）吉0322民初88号"
    assert referral["filing_due"] is None
    twice = await decide(
        client, court, case, 3, decision="filed", court_case_no="（2026）吉0322民初89号"
    )
    assert twice.status_code == 409


async def test_the_queue_lists_returned_referrals_and_open_applications_oldest_first(
    client: httpx.AsyncClient, court: Court
) -> None:
    today = local_today()
    old = await make_court_case(
        court.tenant, area_id=court.village, referral_date=today - timedelta(days=40)
    )
    await client.post(
        court.api(f"/cases/{old.id}/return"),
        json={
            "failure_reason": "no_agreement",
            "returned_on": (today - timedelta(days=5)).isoformat(),
        },
        headers=court.auth(version=1),
    )
    applied = await applied_case(client, court)  # applied today
    accepted = await applied_case(client, court)
    accepted_on = today - timedelta(days=1)
    await decide(client, court, accepted, 2, **ACCEPT)
    quiet = await make_court_case(court.tenant, area_id=court.village)  # open, not returned
    response = await client.get(court.api("/court/queue"), headers=court.auth("court"))
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 3
    items = page["items"]
    assert next(i["case_id"] for i in items) == str(old.id)
    assert {i["case_id"] for i in items} == {str(old.id), str(applied.id), str(accepted.id)}
    assert str(quiet.id) not in {i["case_id"] for i in items}
    first = items[0]
    assert first["kind"] == "referral"
    assert first["due_on"] == period_end(today - timedelta(days=5), 7).day.isoformat()
    by_case = {i["case_id"]: i for i in items}
    assert by_case[str(applied.id)]["due_label"] == "受理期限"
    assert by_case[str(applied.id)]["due_on"] == period_end(today, 3).day.isoformat()
    assert by_case[str(accepted.id)]["due_label"] == "裁定期限"
    assert by_case[str(accepted.id)]["due_on"] == period_end(today, 15).day.isoformat()
    assert accepted_on < today
    one = await client.get(court.api("/court/queue?limit=1&offset=1"), headers=court.auth("admin"))
    assert one.json()["has_more"] is True
    assert len(one.json()["items"]) == 1
    denied = await client.get(court.api("/court/queue"), headers=court.auth("mediator"))
    assert denied.status_code == 403


async def test_the_court_reviewer_reveals_a_full_id_number_and_it_is_logged(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village)
    party = (await parties_of(court.tenant, case.id))[0]
    url = court.api(f"/cases/{case.id}/parties/{party.id}/id-number")
    response = await client.get(url, headers=court.auth("court"))
    assert response.status_code == 200
    assert response.json() == {"party_id": str(party.id), "id_number": ID_NUMBERS[0]}
    for who in ("admin", "mediator"):
        assert (await client.get(url, headers=court.auth(who))).status_code == 403
    events = await case_events(court.tenant, case.id)
    assert [e["action"] for e in events] == ["security.id_reveal"]
    assert events[0]["diff"] == {"party": "张*", "id_masked": "110***********002X"}
    assert ID_NUMBERS[0] not in str(events)


async def test_a_case_outside_the_courts_view_is_not_revealed(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village, source="application")
    party = (await parties_of(court.tenant, case.id))[0]
    url = court.api(f"/cases/{case.id}/parties/{party.id}/id-number")
    assert (await client.get(url, headers=court.auth("court"))).status_code == 403
    assert await case_events(court.tenant, case.id) == []


async def test_thirty_concurrent_reveals_all_succeed(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village)
    party = (await parties_of(court.tenant, case.id))[1]
    url = court.api(f"/cases/{case.id}/parties/{party.id}/id-number")
    headers = court.auth("court")
    responses = await asyncio.gather(*(client.get(url, headers=headers) for _ in range(30)))
    assert [r.status_code for r in responses] == [200] * 30
    assert {r.json()["id_number"] for r in responses} == {ID_NUMBERS[1]}
    events = await case_events(court.tenant, case.id)
    assert [e["action"] for e in events] == ["security.id_reveal"] * 30
