"""Mediation sessions: recorded by the case's mediators on open cases only, read by the
administrator and the court, bad input refused with nothing written."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.mediation.proceedings.conftest import Setting, counts
from wusong.core.clock import local_today


def _session(**extra: object) -> dict[str, object]:
    return {
        "held_on": str(local_today()),
        "mode": "on_site",
        "place": "郭家店镇人民调解委员会",
        "attendees": "申请人张三、被申请人李四",
        "record": "双方陈述意见。\n调解员释明法律规定。",
        **extra,
    }


async def test_mediator_records_sessions_everyone_in_the_case_reads_them(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    first = await client.post(proc.api("/sessions"), json=_session(), headers=proc.auth())
    assert first.status_code == 201, first.text
    assert first.json()["mode"] == "on_site"
    assert first.json()["record"] == "双方陈述意见。\n调解员释明法律规定。"
    phone = _session(mode="phone", place="")
    assert (
        await client.post(proc.api("/sessions"), json=phone, headers=proc.auth())
    ).status_code == 201
    for who in ("mediator", "admin", "court"):
        listed = await client.get(proc.api("/sessions"), headers=proc.auth(who))
        assert listed.status_code == 200, who
        assert [s["mode"] for s in listed.json()] == ["on_site", "phone"]
    events = await client.get(
        "/api/v1/t/lishu/audit?action=case.session.record", headers=proc.auth("admin")
    )
    assert events.status_code == 200
    assert [e["object_id"] for e in events.json()["items"]] == [str(proc.case_id)] * 2


async def test_only_the_cases_mediators_record_sessions(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    before = await counts(proc)
    for who, status in (("admin", 403), ("court", 403), ("outsider", 403)):
        response = await client.post(proc.api("/sessions"), json=_session(), headers=proc.auth(who))
        assert response.status_code == status, who
    assert (
        await client.get(proc.api("/sessions"), headers=proc.auth("outsider"))
    ).status_code == 403
    assert await counts(proc) == before


async def test_a_closed_case_takes_no_sessions(client: httpx.AsyncClient, proc: Setting) -> None:
    closed = await client.put(
        proc.api("/outcome"), json={"outcome": "withdrawn"}, headers=proc.auth(version=1)
    )
    assert closed.status_code == 200, closed.text
    before = await counts(proc)
    response = await client.post(proc.api("/sessions"), json=_session(), headers=proc.auth())
    assert response.status_code == 409
    assert "只有调解中的案件可以记录调解过程" in response.json()["detail"]
    assert await counts(proc) == before


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"held_on": "1900-01-01"}, "held_on"),
        ({"held_on": str(local_today() + timedelta(days=1))}, "held_on"),
        ({"mode": "carrier_pigeon"}, "mode"),
        ({"place": ""}, "place"),  # on site: where
        ({"record": "  "}, "record"),
        ({"attendees": ""}, "attendees"),
        ({"record": "a\u202eb"}, "record"),
        ({"record": "x" * 10001}, "record"),
    ],
)
async def test_bad_sessions_are_422_naming_the_field_and_write_nothing(
    client: httpx.AsyncClient, proc: Setting, extra: dict[str, object], field: str
) -> None:
    before = await counts(proc)
    response = await client.post(proc.api("/sessions"), json=_session(**extra), headers=proc.auth())
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await counts(proc) == before
