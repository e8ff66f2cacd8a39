"""Judicial confirmation: only from an effective agreement of a confirmable category, within
30 days of its effect (by the official calendar), one application at a time per agreement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from mediation.categories import NOT_CONFIRMABLE_REASON
from mediation.deadlines import period_end
from tests.factories import in_tenant
from tests.mediation.court.conftest import Court, case_events
from tests.mediation.court.factories import make_court_case, make_effective_agreement
from wusong.core.clock import local_today


async def settled_case(court: Court, effective_days_ago: int = 3, **kw: Any) -> Any:
    case = await make_court_case(court.tenant, area_id=court.village, **kw)
    effective = local_today() - timedelta(days=effective_days_ago)
    await make_effective_agreement(court.tenant, case.id, effective)
    return case


async def apply(client: httpx.AsyncClient, court: Court, case: Any, **body: Any) -> Any:
    return await client.post(
        court.api(f"/cases/{case.id}/confirmations"),
        json={"court": "梨树县人民法院", **body},
        headers=court.auth(version=1),
    )


async def test_no_application_without_an_effective_agreement(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await make_court_case(court.tenant, area_id=court.village)
    response = await apply(client, court, case)
    assert response.status_code == 409
    assert "没有已生效的调解协议" in response.json()["detail"]
    view = await client.get(court.api(f"/cases/{case.id}/confirmations"), headers=court.auth())
    assert view.json()["window"] is None
    assert view.json()["can_apply"] is False


async def test_the_joint_application_is_recorded_within_the_window(
    client: httpx.AsyncClient, court: Court
) -> None:
    case = await settled_case(court, effective_days_ago=3)
    effective = local_today() - timedelta(days=3)
    view = await client.get(court.api(f"/cases/{case.id}/confirmations"), headers=court.auth())
    window = view.json()["window"]
    assert window["window_end"] == period_end(effective, 30).day.isoformat()
    assert window["closing"] is False
    assert window["past"] is False
    assert view.json()["can_apply"] is True
    early = await apply(client, court, case, applied_on=(effective - timedelta(days=1)).isoformat())
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "applied_on"
    response = await apply(client, court, case)
    assert response.status_code == 201, response.text
    row = response.json()
    assert row["status"] == "applied"
    assert row["applied_on"] == local_today().isoformat()
    assert row["acceptance_due"] == period_end(local_today(), 3).day.isoformat()
    again = await client.post(
        court.api(f"/cases/{case.id}/confirmations"),
        json={"court": "梨树县人民法院"},
        headers=court.auth(version=2),
    )
    assert again.status_code == 409
    assert "不能重复申请" in again.json()["detail"]
    events = await case_events(court.tenant, case.id)
    assert [e["action"] for e in events] == ["court.confirmation_apply"]


async def test_the_window_warns_when_closing_and_refuses_when_past(
    client: httpx.AsyncClient, court: Court
) -> None:
    today = local_today()
    # The latest effective date whose window still has 5 days or fewer left.
    closing_days = next(
        n
        for n in range(0, 40)
        if 0 <= (period_end(today - timedelta(days=n), 30).day - today).days <= 5
    )
    closing = await settled_case(court, effective_days_ago=closing_days)
    view = await client.get(court.api(f"/cases/{closing.id}/confirmations"), headers=court.auth())
    assert view.json()["window"]["closing"] is True
    assert view.json()["can_apply"] is True
    past = await settled_case(court, effective_days_ago=60)
    view = await client.get(court.api(f"/cases/{past.id}/confirmations"), headers=court.auth())
    assert view.json()["window"]["past"] is True
    assert view.json()["can_apply"] is False
    response = await apply(client, court, past)
    assert response.status_code == 409
    assert "30 日内共同申请司法确认" in response.json()["detail"]


async def test_categories_that_cannot_be_confirmed_are_refused_with_the_reason(
    client: httpx.AsyncClient, court: Court
) -> None:
    from mediation import services
    from mediation.schemas import CategoryCreate

    marriage = await settled_case(court, category="marriage_family")
    response = await apply(client, court, marriage)
    assert response.status_code == 409
    assert response.json()["detail"] == NOT_CONFIRMABLE_REASON
    async with in_tenant(court.tenant) as ctx:
        own = await services.add_category(ctx, CategoryCreate("收养", confirmable=False))
    adoption = await settled_case(court, category=own.code)
    view = await client.get(court.api(f"/cases/{adoption.id}/confirmations"), headers=court.auth())
    assert view.json()["window"]["not_confirmable_reason"] == NOT_CONFIRMABLE_REASON
    assert (await apply(client, court, adoption)).status_code == 409


async def test_only_the_cases_mediator_applies(client: httpx.AsyncClient, court: Court) -> None:
    case = await settled_case(court)
    for who in ("admin", "court"):
        response = await client.post(
            court.api(f"/cases/{case.id}/confirmations"),
            json={"court": "梨树县人民法院"},
            headers=court.auth(who, 1),
        )
        assert response.status_code == 403


async def test_concurrent_applications_record_one(client: httpx.AsyncClient, court: Court) -> None:
    import asyncio

    case = await settled_case(court)
    responses = await asyncio.gather(*(apply(client, court, case) for _ in range(5)))
    codes = sorted(r.status_code for r in responses)
    assert codes[0] == 201
    assert set(codes[1:]) <= {409, 412}, codes
    view = await client.get(court.api(f"/cases/{case.id}/confirmations"), headers=court.auth())
    assert len(view.json()["applications"]) == 1
