"""Complexes, inspections and complaints: who may record what, where, and what is computed."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import Browser, make_token
from tests.programs.red_property.conftest import County, acting, count_rows
from tests.programs.red_property.conftest import shanghai_today as _today


async def _complex(county: County, name: str = "幸福家园", village: Any = None) -> Any:
    from programs.red_property import services
    from programs.red_property.schemas import ComplexCreate

    async with acting(county.members["admin"]) as ctx:
        return await services.create_complex(
            ctx,
            county.program_id,
            ComplexCreate(name, village or county.village, "英雄大路 8 号", "铁西物业", 420),
        )


async def _api(
    client: httpx.AsyncClient, county: County, role: str, method: str, path: str, **kw: Any
) -> Any:
    _, token = await make_token(county.members[role])
    url = f"/api/v1/t/{county.tenant.slug}/programs/{county.program_id}{path}"
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return await client.request(method, url, headers=headers, **kw)


def _inspection(**changes: Any) -> dict[str, Any]:
    day = (_today() - timedelta(days=1)).isoformat()
    return {"inspected_on": day, "scores": [18, 27, 25, 16], "notes": "楼道整洁", **changes}


async def _inspections(county: County) -> int:
    from programs.red_property.tables import Inspection

    return await count_rows(county.tenant, Inspection)


async def test_an_inspector_records_an_inspection_and_the_rating_is_computed(
    client: httpx.AsyncClient, county: County
) -> None:
    complex_ = await _complex(county)
    response = await _api(
        client, county, "inspector", "POST", f"/complexes/{complex_.id}/inspections",
        json=_inspection(),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["score"], body["stars"], body["fee_level"], body["fee_ceiling_fen"]) == (
        86, 4, "二级", 120,
    )  # fmt: skip
    day = _today() - timedelta(days=1)
    assert (
        body["valid_until"]
        == date(
            day.year + 1, day.month, min(day.day, 28 if day.month == 2 else day.day)
        ).isoformat()
    )
    assert [s["score"] for s in body["scores"]] == [18, 27, 25, 16]
    rated = await _api(client, county, "viewer", "GET", f"/complexes/{complex_.id}")
    assert (rated.json()["rated_stars"], rated.json()["rated_fee_level"]) == (4, "二级")
    ratings = await _api(client, county, "viewer", "GET", "/ratings")
    assert ratings.json()["items"][0]["stars"] == 4


async def test_a_veto_means_no_star_whatever_the_score(
    client: httpx.AsyncClient, county: County
) -> None:
    complex_ = await _complex(county)
    response = await _api(
        client, county, "inspector", "POST", f"/complexes/{complex_.id}/inspections",
        json=_inspection(scores=[20, 30, 30, 20], vetoes=["业主满意度低于80%"]),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["score"], body["stars"], body["fee_level"], body["fee_ceiling_fen"]) == (
        100, 0, "", None,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "mediator", "village_officer", "viewer"])
async def test_an_inspection_by_a_non_inspector_is_refused(
    client: httpx.AsyncClient, county: County, role: str
) -> None:
    complex_ = await _complex(county)
    response = await _api(
        client, county, role, "POST", f"/complexes/{complex_.id}/inspections", json=_inspection()
    )
    assert response.status_code == 403
    assert await _inspections(county) == 0


async def test_the_service_itself_refuses_a_non_inspector(county: County) -> None:
    from programs.red_property import services
    from programs.red_property.schemas import InspectionCreate
    from wusong.core.errors import Forbidden

    complex_ = await _complex(county)
    data = InspectionCreate(_today(), [18, 27, 25, 16])
    for role in ("admin", "mediator"):
        with pytest.raises(Forbidden, match="只有物业督察员可以登记督察记录"):
            async with acting(county.members[role]) as ctx:
                await services.record_inspection(ctx, county.program_id, complex_.id, data)
    assert await _inspections(county) == 0


async def test_an_inspector_outside_the_complex_area_is_refused(
    client: httpx.AsyncClient, county: County
) -> None:
    complex_ = await _complex(county)  # in 丰茂社区; the local inspector works in 铁西社区
    response = await _api(
        client, county, "local_inspector", "POST", f"/complexes/{complex_.id}/inspections",
        json=_inspection(),
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["detail"] == "该村/社区不在您的工作区域内"
    assert await _inspections(county) == 0


async def test_bad_inspections_name_the_field_and_write_nothing(
    client: httpx.AsyncClient, county: County
) -> None:
    complex_ = await _complex(county)
    path = f"/complexes/{complex_.id}/inspections"
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    cases = {
        "inspected_on": _inspection(inspected_on=tomorrow),
        "scores[1]": _inspection(scores=[18, 31, 25, 16]),
        "scores": _inspection(scores=[18, 27]),
        "vetoes": _inspection(vetoes=["没有这一项"]),
    }
    for field, body in cases.items():
        response = await _api(client, county, "inspector", "POST", path, json=body)
        assert response.status_code == 422, (field, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, response.text
    assert await _inspections(county) == 0


async def test_another_tenants_complex_or_area_is_refused(
    client: httpx.AsyncClient, county: County, other_county: County
) -> None:
    from programs.red_property.tables import PropertyComplex

    theirs = await _complex(other_county, "外县小区")
    response = await _api(
        client, county, "inspector", "POST", f"/complexes/{theirs.id}/inspections",
        json=_inspection(),
    )  # fmt: skip
    assert response.status_code == 404
    created = await _api(
        client, county, "admin", "POST", "/complexes",
        json={"name": "新小区", "area_id": str(other_county.village)},
    )  # fmt: skip
    assert created.status_code == 422
    assert {e["field"] for e in created.json()["errors"]} == {"area_id"}
    assert await count_rows(county.tenant, PropertyComplex) == 0
    assert await _inspections(other_county) == 0


async def test_a_program_of_another_type_has_no_complexes(
    client: httpx.AsyncClient, county: County
) -> None:
    from tests.programs.factories import make_program

    studio = await make_program(county.tenant, "mediation_studio", "金玉米调解工作室")
    _, token = await make_token(county.members["admin"])
    response = await client.post(
        f"/api/v1/t/lishu/programs/{studio.id}/complexes",
        json={"name": "新小区", "area_id": str(county.village)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 404


async def test_complexes_are_edited_with_if_match_and_deactivated(
    client: httpx.AsyncClient, county: County
) -> None:
    complex_ = await _complex(county)
    path = f"/complexes/{complex_.id}"
    missing = await _api(client, county, "admin", "PATCH", path, json={"households": 500})
    assert missing.status_code == 428
    edited = await _api(
        client, county, "admin", "PATCH", path, json={"households": 500},
        headers={"If-Match": '"1"'},
    )  # fmt: skip
    assert edited.status_code == 200
    assert edited.json()["households"] == 500
    stale = await _api(
        client, county, "admin", "PATCH", path, json={"active": False}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    closed = await _api(
        client, county, "admin", "PATCH", path, json={"active": False}, headers={"If-Match": '"2"'}
    )
    assert closed.json()["active"] is False
    refused = await _api(
        client, county, "inspector", "POST", f"{path}/inspections", json=_inspection()
    )
    assert refused.status_code == 409


async def test_complaints_by_officers_and_inspectors_not_by_viewers(
    client: httpx.AsyncClient, county: County
) -> None:
    from programs.red_property.tables import Complaint

    complex_ = await _complex(county)
    path = f"/complexes/{complex_.id}/complaints"
    body = {
        "received_on": "2025-03-02",
        "category": "fees",
        "summary": "物业费上涨",
        "collective": True,
    }
    for role in ("village_officer", "inspector", "admin"):
        response = await _api(client, county, role, "POST", path, json=body)
        assert response.status_code == 201, response.text
    assert (await _api(client, county, "viewer", "POST", path, json=body)).status_code == 403
    bad = await _api(
        client, county, "admin", "POST", path, json={**body, "category": "x", "summary": " "}
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"category", "summary"}
    assert await count_rows(county.tenant, Complaint) == 3
    listed = await _api(client, county, "viewer", "GET", "/complaints?collective=true")
    assert len(listed.json()["items"]) == 3


async def test_the_complex_page_shows_stars_fee_level_history_and_complaints(
    browser: Browser, county: County
) -> None:
    complex_ = await _complex(county)
    await browser.login("a-inspector")
    base = f"/t/lishu/programs/{county.program_id}/complexes/{complex_.id}"
    form = await browser.get(f"{base}/inspect")
    assert form.status_code == 200
    assert "党建引领" in form.text
    day = (_today() - timedelta(days=2)).isoformat()
    bad = await browser.post(
        f"{base}/inspect",
        {"inspected_on": day, "score_0": "18", "score_1": "99", "score_2": "25", "score_3": "x",
         "config_version": "1"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "“服务质量”的得分须为 0 至 30" in bad.text or "第4项得分应填写整数" in bad.text
    assert await _inspections(county) == 0
    saved = await browser.post(
        f"{base}/inspect",
        {"inspected_on": day, "score_0": "20", "score_1": "29", "score_2": "28", "score_3": "19",
         "config_version": "1", "notes": "示范小区"},
    )  # fmt: skip
    assert saved.status_code == 200
    assert "已登记督察记录：96 分，5星，一级" in saved.text
    assert "★★★★★" in saved.text
    assert "5 星（满 5 星）" in saved.text
    assert "一级" in saved.text
    assert "1.50 元/㎡·月" in saved.text
    complaint = await browser.post(
        f"{base}/complaints/new",
        {"received_on": day, "category": "repairs", "summary": "电梯故障", "collective": "true"},
    )
    assert complaint.status_code == 200
    assert "电梯故障" in complaint.text
    assert "群体投诉" in complaint.text
    listed = await browser.get(f"/t/lishu/programs/{county.program_id}/complexes?stars=5")
    assert "幸福家园" in listed.text
    assert (
        "幸福家园"
        not in (
            await browser.get(f"/t/lishu/programs/{county.program_id}/complexes?due=never")
        ).text
    )


async def test_lists_default_to_the_members_work_areas(browser: Browser, county: County) -> None:
    await _complex(county, "丰茂小区", county.village)
    await _complex(county, "铁西小区", county.other_village)
    await browser.login("a-local-inspector")
    base = f"/t/lishu/programs/{county.program_id}/complexes"
    mine = await browser.get(base)
    assert "铁西小区" in mine.text
    assert "丰茂小区" not in mine.text
    assert "查看全部" in mine.text
    everything = await browser.get(f"{base}?all=1")
    assert "铁西小区" in everything.text
    assert "丰茂小区" in everything.text


async def test_the_complaints_list_pages_through_every_record_keeping_its_filters(
    county: County, browser: Browser
) -> None:
    """101 complaints: page 1 shows 100 and links to page 2 with the same filters; page 2
    shows the oldest one; nothing is cut off."""
    from programs.red_property import services
    from programs.red_property.schemas import ComplaintCreate, ComplexCreate
    from tests.factories import in_tenant

    async with in_tenant(county.tenant) as ctx:
        complex_ = await services.create_complex(
            ctx, county.program_id, ComplexCreate("幸福家园", county.village, households=320)
        )
        for n in range(101):
            day = date(2025, 1, 1) + timedelta(days=n)
            await services.record_complaint(
                ctx, county.program_id, complex_.id,
                ComplaintCreate(day, "service", f"第{n + 1}件投诉"),
            )  # fmt: skip
    await browser.login("a-admin")
    base = f"/t/lishu/programs/{county.program_id}/complaints"
    first = await browser.get(base + "?category=service&all=1")
    assert first.text.count("件投诉") == 100
    assert "第101件投诉" in first.text  # newest first
    assert "第1件投诉<" not in first.text
    match = re.search(r'href="(\?[^"]*page=2[^"]*)"', first.text)
    assert match is not None
    following = html.unescape(match.group(1))
    assert "category=service" in following
    assert "all=1" in following
    second = await browser.get(base + following)
    assert second.text.count("件投诉") == 1
    assert "第1件投诉" in second.text
    assert "上一页" in second.text
    assert "下一页" not in second.text
