"""Programs core through the API: where members may write, bad inputs (each named, nothing
written), configuration versions, and the draft → active → closed rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.factories import TENANT_B, make_area, make_member, make_tenant, make_token
from tests.programs.factories import make_program, staff, work_in

API = "/api/v1/t/lishu"


@dataclass
class County:
    tenant: Any
    town: UUID  # 郭家店镇 with village1
    village1: UUID
    town2: UUID  # 梨树镇 with village2
    village2: UUID
    studio: Any
    tokens: dict[str, str]
    members: dict[str, Any]


@pytest.fixture
async def county(tenant_a: Any) -> County:
    town = await make_area(tenant_a, "township", "郭家店镇", "220322101000")
    v1 = await make_area(tenant_a, "village", "郭家店村", "220322101201", town.id)
    town2 = await make_area(tenant_a, "township", "梨树镇", "220322100000")
    v2 = await make_area(tenant_a, "village", "霍家店村", "220322100201", town2.id)
    studio = await make_program(
        tenant_a, "mediation_studio", "金玉米调解工作室", area_ids=[town.id, town2.id]
    )
    members, tokens = {}, {}
    for name, role in [
        ("admin", "admin"),
        ("med", "mediator"),
        ("med2", "mediator"),
        ("officer", "village_officer"),
        ("court", "court_reviewer"),
    ]:
        members[name] = await make_member(tenant_a, f"t-{name}", role)
        tokens[name] = (await make_token(members[name]))[1]
    await staff(
        studio, tenant_a, members["med"], members["med2"], members["officer"], members["court"]
    )
    await work_in(tenant_a, members["med"], town.id)
    await work_in(tenant_a, members["med2"], town.id)
    await work_in(tenant_a, members["officer"], v2.id)
    await work_in(tenant_a, members["court"])  # the whole county
    return County(tenant_a, town.id, v1.id, town2.id, v2.id, studio, tokens, members)


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def activity(area: UUID, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "consultation",
        "occurred_on": "2025-05-01",
        "people": 3,
        "area_id": str(area),
        "note": "土地纠纷咨询",
        **changes,
    }


async def count_activities(c: County, client: httpx.AsyncClient) -> int:
    url = f"{API}/programs/{c.studio.id}/activities"
    response = await client.get(url, headers=auth(c.tokens["admin"]))
    assert response.status_code == 200
    return int(response.json()["total"])


async def log(c: County, client: httpx.AsyncClient, who: str, body: dict[str, Any]) -> Any:
    url = f"{API}/programs/{c.studio.id}/activities"
    return await client.post(url, json=body, headers=auth(c.tokens[who]))


def named(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


# ---- where members may write -----------------------------------------------------------------


async def test_work_areas_decide_where_members_may_log(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    # a township assignment covers its villages
    assert (await log(c, client, "med", activity(c.village1))).status_code == 201
    outside = await log(c, client, "med", activity(c.village2))
    assert outside.status_code == 403
    assert "工作区域" in outside.json()["detail"]
    # a village assignment: that village only
    assert (await log(c, client, "officer", activity(c.village2))).status_code == 201
    assert (await log(c, client, "officer", activity(c.village1))).status_code == 403
    # the whole county, and an admin (no assignment at all) anywhere
    assert (await log(c, client, "court", activity(c.village2))).status_code == 201
    assert (await log(c, client, "admin", activity(c.village1))).status_code == 201
    assert await count_activities(c, client) == 4


async def test_a_member_without_work_areas_or_not_on_staff_writes_nothing(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    loner = await make_member(c.tenant, "t-loner", "mediator")
    await staff(c.studio, c.tenant, loner)
    _, token = await make_token(loner)
    url = f"{API}/programs/{c.studio.id}/activities"
    response = await client.post(url, json=activity(c.village1), headers=auth(token))
    assert response.status_code == 403
    stranger = await make_member(c.tenant, "t-stranger", "mediator")
    await work_in(c.tenant, stranger)
    _, token = await make_token(stranger)
    response = await client.post(url, json=activity(c.village1), headers=auth(token))
    assert response.status_code == 403
    assert "工作人员" in response.json()["detail"]
    assert await count_activities(c, client) == 0


async def test_member_areas_api_sets_and_refuses_foreign_areas(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    officer = c.members["officer"]
    url = f"{API}/users/{officer.membership_id}/areas"
    admin = auth(c.tokens["admin"])
    tenant_b = await make_tenant(TENANT_B)
    foreign = await make_area(tenant_b, "township", "英雄街道", "220302001000")
    refused = await client.put(url, json={"area_ids": [str(foreign.id)]}, headers=admin)
    assert refused.status_code == 422
    assert "area_ids" in named(refused)
    both = await client.put(url, json={"county": True, "area_ids": [str(c.town)]}, headers=admin)
    assert both.status_code == 422
    assert (await client.get(url, headers=admin)).json()["area_ids"] == [str(c.village2)]
    saved = await client.put(url, json={"area_ids": [str(c.town)]}, headers=admin)
    assert saved.status_code == 200
    assert saved.json()["label"] == "郭家店镇"
    # now the officer writes in 郭家店村 and no longer in 霍家店村
    assert (await log(c, client, "officer", activity(c.village1))).status_code == 201
    assert (await log(c, client, "officer", activity(c.village2))).status_code == 403
    county_wide = await client.put(url, json={"county": True}, headers=admin)
    assert county_wide.json()["label"] == "全县"
    assert (await client.put(url, json={}, headers=auth(c.tokens["med"]))).status_code == 403
    events = await client.get(f"{API}/audit?action=member.areas", headers=admin)
    assert [e["diff"]["after"]["areas"] for e in events.json()["items"]] == ["全县", "郭家店镇"]


# ---- bad activity input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"people": 0}, "people"),
        ({"people": -5}, "people"),
        ({"people": 10001}, "people"),
        ({"occurred_on": (date.today() + timedelta(days=2)).isoformat()}, "occurred_on"),
        ({"kind": "banquet"}, "kind"),
        ({"note": "长" * 201}, "note"),
        ({"area_id": None}, "area_id"),
    ],
)
async def test_bad_activities_are_named_and_write_nothing(
    county: County, client: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    response = await log(county, client, "med", activity(county.village1, **change))
    assert response.status_code == 422
    assert field in named(response)
    assert all("\u4e00" <= ch <= "\u9fff" for ch in named(response)[field][:1])
    assert await count_activities(county, client) == 0


async def test_another_tenants_program_or_village_is_refused(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    tenant_b = await make_tenant(TENANT_B)
    town_b = await make_area(tenant_b, "township", "英雄街道", "220302001000")
    village_b = await make_area(tenant_b, "village", "丰茂社区", "220302001001", town_b.id)
    program_b = await make_program(tenant_b, "mediation_studio", "外区工作室", area_ids=[town_b.id])
    foreign_program = await client.post(
        f"{API}/programs/{program_b.id}/activities",
        json=activity(c.village1),
        headers=auth(c.tokens["admin"]),
    )
    assert foreign_program.status_code == 404
    foreign_village = await log(c, client, "admin", activity(village_b.id))
    assert foreign_village.status_code == 422
    assert "area_id" in named(foreign_village)
    # a village of this county the program does not cover
    elsewhere = await make_area(c.tenant, "township", "小宽镇", "220322102000")
    village3 = await make_area(c.tenant, "village", "西河村", "220322102201", elsewhere.id)
    uncovered = await log(c, client, "admin", activity(village3.id))
    assert uncovered.status_code == 422
    assert "覆盖" in named(uncovered)["area_id"]
    assert await count_activities(c, client) == 0


async def test_the_recorder_or_an_admin_deletes_an_entry(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    first = (await log(c, client, "med", activity(c.village1))).json()["id"]
    second = (await log(c, client, "med", activity(c.village1))).json()["id"]
    url = f"{API}/programs/{c.studio.id}/activities"
    other = await client.delete(f"{url}/{first}", headers=auth(c.tokens["med2"]))
    assert other.status_code == 403
    assert (await client.delete(f"{url}/{first}", headers=auth(c.tokens["med"]))).status_code == 204
    assert (
        await client.delete(f"{url}/{second}", headers=auth(c.tokens["admin"]))
    ).status_code == 204
    assert await count_activities(c, client) == 0
    events = await client.get(
        f"{API}/audit?action=activity.delete", headers=auth(c.tokens["admin"])
    )
    assert len(events.json()["items"]) == 2


async def test_activity_list_filters_by_kind_days_and_village(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    for day, kind, area in [
        ("2025-01-05", "consultation", c.village1),
        ("2025-01-31", "guidance", c.village1),
        ("2025-02-01", "consultation", c.village2),
    ]:
        body = activity(area, occurred_on=day, kind=kind)
        assert (await log(c, client, "admin", body)).status_code == 201
    url = f"{API}/programs/{c.studio.id}/activities"
    admin = auth(c.tokens["admin"])
    january = await client.get(f"{url}?from=2025-01-01&to=2025-01-31", headers=admin)
    assert january.json()["total"] == 2
    assert [r["occurred_on"] for r in january.json()["items"]] == ["2025-01-31", "2025-01-05"]
    kinds = await client.get(f"{url}?kind=consultation&village={c.village2}", headers=admin)
    assert kinds.json()["total"] == 1
    assert kinds.json()["items"][0]["area_name"] == "霍家店村"


# ---- configuration ---------------------------------------------------------------------------


async def programs_count(client: httpx.AsyncClient, token: str) -> int:
    return int((await client.get(f"{API}/programs", headers=auth(token))).json()["total"])


@pytest.mark.parametrize(
    ("kind", "config", "field"),
    [
        ("shared_court", {"site_level": "moon"}, "config.site_level"),
        ("shared_court", {"functions": ["karaoke"]}, "config.functions"),
        ("mediation_studio", {"activity_kinds": []}, "config.activity_kinds"),
        ("mediation_studio", {"activity_kinds": "consultation"}, "config.activity_kinds"),
        ("mediation_studio", {"host_tribunal": 5}, "config.host_tribunal"),
        ("help_team", {"team_type": "choir"}, "config.team_type"),
        ("help_team", {"colour": "red"}, "config.colour"),
    ],
)
async def test_a_wrong_config_is_a_422_naming_the_field_in_chinese(
    county: County, client: httpx.AsyncClient, kind: str, config: dict[str, Any], field: str
) -> None:
    token = county.tokens["admin"]
    before = await programs_count(client, token)
    body = {"kind": kind, "name": "新项目", "area_ids": [str(county.town)], "config": config}
    response = await client.post(f"{API}/programs", json=body, headers=auth(token))
    assert response.status_code == 422
    message = named(response)[field]
    assert "Expected" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert await programs_count(client, token) == before


async def test_each_config_save_is_a_new_version_and_old_ones_stay(
    county: County, client: httpx.AsyncClient
) -> None:
    admin = auth(county.tokens["admin"])
    created = await client.post(
        f"{API}/programs",
        json={
            "kind": "shared_court",
            "name": "郭家店村共享法庭",
            "area_ids": [str(county.village1)],
            "config": {"site_level": "village"},
        },
        headers=admin,
    )
    assert created.status_code == 201
    url = f"{API}/programs/{created.json()['program']['id']}"
    first = (await client.get(f"{url}/config", headers=admin)).json()
    for n, level in [(1, "township"), (2, "industry")]:
        saved = await client.put(
            f"{url}/config",
            json={"config": {"site_level": level}},
            headers=auth(county.tokens["admin"], **{"If-Match": f'"{n}"'}),
        )
        assert saved.status_code == 200
        assert saved.json()["version_no"] == n + 1
    stale = await client.put(
        f"{url}/config",
        json={"config": {}},
        headers=auth(county.tokens["admin"], **{"If-Match": '"1"'}),
    )
    assert stale.status_code == 412
    history = (await client.get(f"{url}/configs", headers=admin)).json()
    assert [v["version_no"] for v in history] == [3, 2, 1]
    assert [v["config"]["site_level"] for v in history] == ["industry", "township", "village"]
    assert history[2] == first  # version 1 untouched
    bad = await client.put(
        f"{url}/config",
        json={"config": {"site_level": "x"}},
        headers=auth(county.tokens["admin"], **{"If-Match": '"3"'}),
    )
    assert bad.status_code == 422
    assert "config.site_level" in named(bad)
    assert len((await client.get(f"{url}/configs", headers=admin)).json()) == 3


# ---- draft → active → closed -----------------------------------------------------------------


async def test_activate_needs_areas_and_a_start_and_close_only_when_active(
    county: County, client: httpx.AsyncClient
) -> None:
    admin = auth(county.tokens["admin"])
    created = await client.post(
        f"{API}/programs", json={"kind": "help_team", "name": "矛盾帮帮团"}, headers=admin
    )
    program = created.json()["program"]
    url = f"{API}/programs/{program['id']}"
    no_areas = await client.post(f"{url}/activate", headers=admin)
    assert no_areas.status_code == 409
    assert "覆盖" in no_areas.json()["detail"]
    await client.put(f"{url}/areas", json={"area_ids": [str(county.town)]}, headers=admin)
    no_start = await client.post(f"{url}/activate", headers=admin)
    assert no_start.status_code == 409
    assert "开始日期" in no_start.json()["detail"]
    etag = (await client.get(url, headers=admin)).headers["ETag"]
    patched = await client.patch(
        url,
        json={"name": "矛盾帮帮团", "starts_on": "2025-01-01"},
        headers={**admin, "If-Match": etag},
    )
    assert patched.status_code == 200
    body = {**activity(county.village1), "occurred_on": "2025-02-01"}
    activities = f"{url}/activities"
    assert (await client.post(activities, json=body, headers=admin)).status_code == 409  # draft
    active = await client.post(f"{url}/activate", headers=admin)
    assert active.status_code == 200
    assert active.json()["program"]["status"] == "active"
    assert (await client.post(f"{url}/activate", headers=admin)).status_code == 409
    before_start = {**body, "occurred_on": "2024-12-31"}
    early = await client.post(activities, json=before_start, headers=admin)
    assert early.status_code == 422
    assert "occurred_on" in named(early)
    assert (await client.post(activities, json=body, headers=admin)).status_code == 201
    closed = await client.post(f"{url}/close", headers=admin)
    assert closed.json()["program"]["status"] == "closed"
    assert (await client.post(f"{url}/close", headers=admin)).status_code == 409
    assert (await client.post(activities, json=body, headers=admin)).status_code == 409
    mediator = await client.post(f"{url}/close", headers=auth(county.tokens["med"]))
    assert mediator.status_code == 403


async def test_my_programs_are_staffed_or_cover_my_areas(
    county: County, client: httpx.AsyncClient
) -> None:
    c = county
    far = await make_area(c.tenant, "township", "小宽镇", "220322102000")
    await make_program(c.tenant, "shared_court", "小宽镇共享法庭", area_ids=[far.id])
    village_court = await make_program(
        c.tenant, "shared_court", "郭家店村共享法庭", area_ids=[c.village1]
    )
    loner = await make_member(c.tenant, "t-loner", "mediator")
    await work_in(c.tenant, loner, c.town)
    _, token = await make_token(loner)
    mine = await client.get(f"{API}/programs?mine=true", headers=auth(token))
    assert [p["name"] for p in mine.json()["items"]] == ["金玉米调解工作室", "郭家店村共享法庭"]
    everything = await client.get(f"{API}/programs", headers=auth(token))
    assert everything.json()["total"] == 3
    assert village_court.id
