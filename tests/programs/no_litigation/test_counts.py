"""Counts per village and period: the status computed by the database, bad input refused with
nothing written, and who may enter counts where."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from tests.factories import TENANT_B, Member, make_area, make_tenant
from tests.programs.no_litigation.conftest import Setting, count_rows, post_count


async def test_status_per_village_and_share_meeting_the_rubric(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    # Rubric: at most 0 lawsuits and at most 5 per 10,000 residents.
    assert (await post_count(client, nolit, "霍家店村", "2024", 0)).status_code == 201
    assert (await post_count(client, nolit, "八里庙村", "2024", 1)).status_code == 201
    page = await client.get(nolit.api("/statuses?period=2024"), headers=nolit.auth())
    assert page.status_code == 200
    body = page.json()
    by_name = {v["village_name"]: v for v in body["villages"]}
    assert by_name["霍家店村"]["status"] == "met"
    # 1 lawsuit in 1,500 residents: 6.67 per 10,000 > 5, and 1 > 0: both thresholds named.
    assert by_name["八里庙村"]["status"] == "failed"
    assert by_name["八里庙村"]["failed"] == ["lawsuits", "rate"]
    assert by_name["八里庙村"]["rate_per_10k"] == "6.67"
    assert by_name["郭家店村"]["status"] == "missing"
    summary = body["summary"]
    assert (summary["pilots"], summary["met"], summary["failed"], summary["missing"]) == (
        3,
        1,
        1,
        1,
    )
    assert summary["met_percent"] == "33.3"
    assert summary["lawsuits"] == 1
    assert summary["rate_per_10k"] == "2.86"  # 1 lawsuit in the 3,500 residents counted
    failed = await client.get(
        nolit.api("/statuses?period=2024&status=failed"), headers=nolit.auth()
    )
    assert [v["village_name"] for v in failed.json()["villages"]] == ["八里庙村"]
    one = await client.get(
        nolit.api(f"/statuses?period=2024&village_id={nolit.villages['霍家店村']}"),
        headers=nolit.auth(),
    )
    assert [v["status"] for v in one.json()["villages"]] == ["met"]


async def test_settled_locally_is_a_share_of_received_disputes(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    rubric = {"indicators": ["settled"], "min_settled_percent": 90}
    headers = {**nolit.auth(), "If-Match": '"2"'}
    await client.put(nolit.api("/rubric"), json={"config": rubric}, headers=headers)
    missing = await post_count(client, nolit, "霍家店村", "2024", 3)
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {
        "disputes_received",
        "disputes_settled",
    }
    ok = await post_count(
        client, nolit, "霍家店村", "2024", 3, disputes_received=20, disputes_settled=19
    )
    assert ok.json()["status"] == "met"
    low = await post_count(
        client, nolit, "八里庙村", "2024", 0, disputes_received=10, disputes_settled=8
    )
    assert (low.json()["status"], low.json()["failed"]) == ("failed", ["settled"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lawsuits": -1}, "lawsuits"),
        ({"disputes_received": -2, "disputes_settled": 0}, "disputes_received"),
        ({"disputes_received": 3, "disputes_settled": 5}, "disputes_settled"),
        ({"period": str(date.today().year + 1)}, "period"),
        ({"period": "2024-Q2"}, "period"),  # the rubric counts by year
        ({"period": "1999"}, "period"),
        ({"period": "去年"}, "period"),
        ({"note": "x" * 201}, "note"),
    ],
)
async def test_bad_counts_are_422_naming_the_field_and_write_nothing(
    client: httpx.AsyncClient, nolit: Setting, body: dict[str, object], field: str
) -> None:
    base = {"village_id": str(nolit.villages["霍家店村"]), "period": "2024", "lawsuits": 0}
    response = await client.post(nolit.api("/counts"), json={**base, **body}, headers=nolit.auth())
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await count_rows(nolit) == 0


async def test_villages_of_another_tenant_or_outside_the_program_are_refused(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    other = await make_tenant(TENANT_B)
    town = await make_area(other, "township", "英雄街道", "220302001000")
    foreign = await make_area(other, "village", "丰茂社区", "220302001001", town.id)
    for village in (foreign.id, nolit.outside, nolit.township["梨树镇"], "not-a-uuid"):
        body = {"village_id": str(village), "period": "2024", "lawsuits": 0}
        response = await client.post(nolit.api("/counts"), json=body, headers=nolit.auth())
        assert response.status_code in {400, 422}, (village, response.status_code)
        if response.status_code == 422:
            assert [e["field"] for e in response.json()["errors"]] == ["village_id"]
    assert await count_rows(nolit) == 0
    pilot = await client.post(
        nolit.api("/villages"),
        json={"area_id": str(foreign.id), "population": 100},
        headers=nolit.auth(),
    )
    assert pilot.status_code == 422
    assert [e["field"] for e in pilot.json()["errors"]] == ["area_id"]
    township = await client.post(
        nolit.api("/villages"),
        json={"area_id": str(nolit.township["梨树镇"]), "population": 100},
        headers=nolit.auth(),
    )
    assert [e["field"] for e in township.json()["errors"]] == ["area_id"]
    listed = await client.get(nolit.api("/villages"), headers=nolit.auth())
    assert listed.json()["total"] == 3


async def test_one_record_per_village_and_period_and_corrections_are_versioned(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    first = await post_count(client, nolit, "霍家店村", "2024", 0)
    assert first.status_code == 201
    second = await post_count(client, nolit, "霍家店村", "2024", 2)
    assert second.status_code == 409
    assert "修改已有记录" in second.json()["detail"]
    assert await count_rows(nolit) == 1
    url = nolit.api(f"/counts/{first.json()['id']}")
    stale = await client.patch(
        url, json={"lawsuits": 2}, headers={**nolit.auth(), "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    fixed = await client.patch(
        url, json={"lawsuits": 2}, headers={**nolit.auth(), "If-Match": '"1"'}
    )
    assert (fixed.status_code, fixed.json()["version"], fixed.json()["status"]) == (
        200,
        2,
        "failed",
    )
    bad = await client.patch(
        url, json={"lawsuits": 0, "disputes_received": 1, "disputes_settled": 2},
        headers={**nolit.auth(), "If-Match": '"2"'},
    )  # fmt: skip
    assert bad.status_code == 422
    assert (await client.get(url, headers=nolit.auth())).json()["lawsuits"] == 2
    audit = await client.get(
        "/api/v1/t/lishu/audit?action=no_litigation.count_update", headers=nolit.auth()
    )
    diff = audit.json()["items"][0]["diff"]
    assert diff["before"]["lawsuits"] == 0
    assert diff["after"]["lawsuits"] == 2


async def test_members_write_only_for_their_villages_and_programs(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    # The court reviewer staffs the program and works in 梨树镇 (霍家店村, 八里庙村).
    own = await post_count(client, nolit, "霍家店村", "2024", 0, who="court")
    assert own.status_code == 201
    elsewhere = await post_count(client, nolit, "郭家店村", "2024", 0, who="court")
    assert elsewhere.status_code == 403
    assert "工作区域" in elsewhere.json()["detail"]
    unstaffed = await post_count(client, nolit, "八里庙村", "2024", 0, who="unstaffed")
    assert unstaffed.status_code == 403
    assert "工作人员" in unstaffed.json()["detail"]
    assert await count_rows(nolit) == 1


async def test_population_edits_use_the_version(client: httpx.AsyncClient, nolit: Setting) -> None:
    listed = (await client.get(nolit.api("/villages"), headers=nolit.auth())).json()["items"]
    pilot = next(p for p in listed if p["village_name"] == "八里庙村")
    url = nolit.api(f"/villages/{pilot['id']}")
    bad = await client.patch(
        url, json={"population": 0}, headers={**nolit.auth(), "If-Match": '"1"'}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "population"
    ok = await client.patch(
        url, json={"population": 1600}, headers={**nolit.auth(), "If-Match": '"1"'}
    )
    assert (ok.status_code, ok.json()["population"], ok.headers["ETag"]) == (200, 1600, '"2"')
    stale = await client.patch(
        url, json={"population": 1700}, headers={**nolit.auth(), "If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_a_village_outside_the_program_joins_its_areas(
    client: httpx.AsyncClient, nolit: Setting, admin_a: Member
) -> None:
    from programs.tables import ProgramArea
    from tests.factories import in_tenant
    from wusong.core.scoped import scoped

    town = await make_area(admin_a.tenant, "township", "孤家子镇", "220322102000")
    far = await make_area(admin_a.tenant, "village", "孤家子村", "220322102201", town.id)
    added = await client.post(
        nolit.api("/villages"), json={"area_id": str(far.id), "population": 800},
        headers=nolit.auth(),
    )  # fmt: skip
    assert added.status_code == 201, added.text
    async with in_tenant(admin_a.tenant, writes=False) as ctx:
        covered = await scoped(ctx, ProgramArea).select(ProgramArea.area)
    assert far.id in {row["area"] for row in covered}
