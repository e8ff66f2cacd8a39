"""The case core: intake and numbering, bad input (422 naming the field, nothing written),
parties and their personal data, lists and searches, who reads and changes what, optimistic
locking, settings and categories, the timeline."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Any

import httpx
import pytest

from tests.factories import TENANT_B, Browser, in_tenant, make_area, make_tenant
from tests.mediation.conftest import County, create, written
from tests.mediation.factories import make_case, two_parties, valid_id

API = "/api/v1/t/lishu/cases"


async def _browser(client: httpx.AsyncClient, username: str) -> Browser:
    client.cookies.clear()
    browser = Browser(client)
    assert (await browser.login(username)).status_code == 200
    return browser


# ---- intake and numbers ----------------------------------------------------------------------


async def test_a_case_gets_the_next_number_of_its_year(
    client: httpx.AsyncClient, county: County
) -> None:
    first = await create(client, county)
    assert first.status_code == 201, first.text
    body = first.json()
    year = date.today().year
    assert body["case_no"] == f"（{year}）梨调字第0001号"
    assert first.headers["ETag"] == '"1"'
    read = await client.get(f"{API}/{body['id']}", headers=county.auth("mediator"))
    assert read.json() == body  # the answer of the creation is the stored case
    second = await create(client, county, accepted_on="2025-03-02")
    assert second.json()["case_no"] == "（2025）梨调字第0001号"  # each year from 1
    third = await create(client, county)
    assert third.json()["case_no"] == f"（{year}）梨调字第0002号"
    # the mediator who opened it is its mediator; parties stored, ID numbers masked
    parties = await client.get(f"{API}/{body['id']}/parties", headers=county.auth("mediator"))
    masked = [p["id_masked"] for p in parties.json()]
    numbers = [p["id_number"] for p in two_parties()]
    assert masked == [n[:3] + "*" * 11 + n[-4:] for n in numbers]
    assert parties.json()[1]["mobile"] == "13900139000"  # +86 139-0013-9000 normalised
    assert body["mediator_id"] == str(county.members["mediator"].membership_id)


async def test_twenty_concurrent_creations_get_twenty_consecutive_numbers(
    client: httpx.AsyncClient, county: County
) -> None:
    """Intake takes the audit chain, then the number; other audited writes of the county
    (categories added meanwhile) take the chain alone: no wait crosswise, and the chain stays
    whole (every test ends by verifying every chain)."""
    others = [
        client.post(
            "/api/v1/t/lishu/mediation/categories",
            json={"name": f"并发类别{i}", "confirmable": True},
            headers=county.auth("admin"),
        )
        for i in range(5)
    ]
    responses = await asyncio.gather(*(create(client, county) for _ in range(20)), *others)
    cases, added = responses[:20], responses[20:]
    assert [r.status_code for r in cases] == [201] * 20, [r.text for r in cases][:2]
    assert [r.status_code for r in added] == [201] * 5, [r.text for r in added][:2]
    numbers = sorted(int(re.search(r"第(\d+)号", r.json()["case_no"])[1]) for r in cases)  # type: ignore[index]
    assert numbers == list(range(1, 21))
    assert (await written(county))[0] == 20


async def test_a_failed_creation_gives_its_number_back(
    client: httpx.AsyncClient, county: County
) -> None:
    """The number is taken inside the case's transaction: a rollback returns it."""
    from mediation import repo, services
    from mediation.schemas import CaseCreate, PartyIn

    data = CaseCreate(
        category="neighbour", source="application", facts="事实",
        parties=[PartyIn(role="applicant", name="甲"), PartyIn(role="respondent", name="乙")],
    )  # fmt: skip

    async def fails_after_numbering() -> None:
        async with in_tenant(county.tenant) as ctx:
            await services.create_case(ctx, data)
            raise RuntimeError("the request fails after the number was taken")

    with pytest.raises(RuntimeError):
        await fails_after_numbering()
    case = (await create(client, county)).json()
    assert case["case_no"].endswith("第0001号")
    async with in_tenant(county.tenant, writes=False) as ctx:
        assert await repo.case_by_number(ctx, case["case_no"]) is not None


async def test_the_intake_page_opens_a_case_with_two_parties(
    client: httpx.AsyncClient, county: County
) -> None:
    browser = await _browser(client, "med-lishu")
    form = await browser.get("/t/lishu/cases/new")
    assert form.status_code == 200
    assert "登记纠纷" in form.text
    assert "霍家店村" in form.text
    response = await browser.post(
        "/t/lishu/cases/new",
        {
            "category": "housing_land", "source": "application",
            "facts": "<script>alert(1)</script>",
            "village_id": str(county.villages["霍家店村"]), "accepted_on": date.today().isoformat(),
            "applicant_kind": "person", "applicant_name": "张三",
            "applicant_id_number": valid_id().lower().replace("x", "x"),
            "applicant_mobile": "138 0013 8000", "respondent_kind": "organisation",
            "respondent_name": "某某物业公司",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text[-2000:]
    page = await browser.get(response.headers["location"])
    assert "梨调字第0001号" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert "某某物业公司" in page.text
    assert "张三" in page.text
    assert valid_id() not in page.text  # masked
    assert "登记纠纷案件" in page.text  # the timeline


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "no-such"}, "category"),
        ({"source": "rumour"}, "source"),
        ({"facts": ""}, "facts"),
        ({"accepted_on": "1900-01-01"}, "accepted_on"),
        ({"accepted_on": "2999-01-01"}, "accepted_on"),
        ({"parties": two_parties(name="某" * 200)}, "parties[1].name"),
        ({"parties": two_parties(id_number="220322197512310025")}, "parties[1].id_number"),
        ({"parties": two_parties(mobile="12345")}, "parties[1].mobile"),
        ({"parties": two_parties(role="judge")}, "parties[1].role"),
        ({"parties": two_parties()[:1]}, "parties"),
        ({"parties": two_parties(name="A\u202eB")}, "parties[1].name"),
        ({"facts": "x" * 5001}, "facts"),
        ({"source": "court"}, "referral.referring_court"),
        (
            {"source": "court", "referral": {"referring_court": "法院", "procedure": "fast"}},
            "referral.procedure",
        ),
    ],
)
async def test_bad_intake_is_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, county: County, changes: dict[str, Any], field: str
) -> None:
    before = await written(county)
    response = await create(client, county, **changes)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert await written(county) == before
    # and no number was used up
    assert (await create(client, county)).json()["case_no"].endswith("第0001号")


async def test_the_intake_page_names_the_field_in_chinese(
    client: httpx.AsyncClient, county: County
) -> None:
    browser = await _browser(client, "med-lishu")
    before = await written(county)
    response = await browser.post(
        "/t/lishu/cases/new",
        {"category": "neighbour", "source": "application", "facts": "事实",
         "applicant_name": "张三", "applicant_id_number": "110105194912310021",
         "respondent_name": "李" * 101},
    )  # fmt: skip
    assert response.status_code == 422
    assert "身份证号码无效" in response.text
    assert 'href="#f-applicant_id_number"' in response.text
    assert "不能超过 100 个字" in response.text
    assert 'href="#f-respondent_name"' in response.text
    assert await written(county) == before


async def test_ids_of_another_county_are_refused(client: httpx.AsyncClient, county: County) -> None:
    other = await make_tenant(TENANT_B)
    town = await make_area(other, "township", "某街道", "220302001000")
    foreign = await make_area(other, "village", "某社区", "220302001001", town.id)
    before = await written(county)
    response = await create(client, county, village_id=str(foreign.id))
    assert response.status_code in {404, 422}
    # a county's own category id is unknown to another county
    async with in_tenant(other) as ctx:
        from mediation import services
        from mediation.schemas import CategoryCreate

        theirs = await services.add_category(ctx, CategoryCreate("收养"))
    response = await create(client, county, category=theirs.code)
    assert response.status_code == 422
    assert await written(county) == before


# ---- who reads and changes what --------------------------------------------------------------


async def test_mediators_work_on_the_cases_of_their_areas_and_programs(
    client: httpx.AsyncClient, county: County
) -> None:
    lishu = await make_case(county.tenant, village_id=county.villages["霍家店村"])
    guojia = await make_case(county.tenant, village_id=county.villages["郭家店村"])
    studio = await make_case(county.tenant, program_id=county.studio)
    mine = await client.get(API, headers=county.auth("mediator"))
    assert {c["id"] for c in mine.json()["items"]} == {str(lishu.id)}
    theirs = await client.get(f"{API}/{guojia.id}", headers=county.auth("mediator"))
    assert theirs.status_code == 403
    assert (
        await client.get(f"{API}/{studio.id}", headers=county.auth("mediator2"))
    ).status_code == 200
    page = await (await _browser(client, "med-lishu")).get(f"/t/lishu/cases/{guojia.id}")
    assert page.status_code == 403
    # opening a case in another township is refused too
    response = await create(client, county, village_id=str(county.villages["郭家店村"]))
    assert response.status_code == 403
    # the administrator reads everything and changes no content; a viewer reads no case
    assert len((await client.get(API, headers=county.auth("admin"))).json()["items"]) == 3
    edit = await client.put(f"{API}/{lishu.id}", json={"category": "neighbour", "facts": "改"},
                            headers={**county.auth("admin"), "If-Match": '"1"'})  # fmt: skip
    assert edit.status_code == 403
    assert (await client.get(API, headers=county.auth("viewer"))).status_code == 403
    # a court reviewer sees court-referred cases only
    court = await make_case(county.tenant, source="court")
    listed = await client.get(API, headers=county.auth("court"))
    assert [c["id"] for c in listed.json()["items"]] == [str(court.id)]
    assert (await client.get(f"{API}/{lishu.id}", headers=county.auth("court"))).status_code == 403


async def test_another_county_gets_404(client: httpx.AsyncClient, county: County) -> None:
    from tests.factories import make_member, make_token

    case = await make_case(county.tenant)
    other = await make_tenant(TENANT_B)
    stranger = await make_member(other, "tiexi-med", "mediator")
    _, token = await make_token(stranger)
    response = await client.get(
        f"/api/v1/t/tiexi/cases/{case.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404


# ---- optimistic locking ----------------------------------------------------------------------


async def test_api_updates_need_the_current_version(
    client: httpx.AsyncClient, county: County
) -> None:
    case = (await create(client, county)).json()
    url, auth = f"{API}/{case['id']}", county.auth("mediator")
    body = {"category": "contract", "facts": "更正后的事实", "village_id": case["area_id"]}
    assert (await client.put(url, json=body, headers=auth)).status_code == 428
    ok = await client.put(url, json=body, headers={**auth, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["ETag"] == '"2"'
    stale = await client.put(
        url, json={**body, "facts": "我的版本"}, headers={**auth, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await client.get(url, headers=auth)).json()["facts"] == "更正后的事实"


async def test_concurrent_updates_of_one_version_let_exactly_one_through(
    client: httpx.AsyncClient, county: County
) -> None:
    """Ten editors send the same If-Match at once: one wins, nine get 412, and the case holds
    the winner's text (the version is compared in the UPDATE itself, not only before it)."""
    case = (await create(client, county)).json()
    url, auth = f"{API}/{case['id']}", {**county.auth("mediator"), "If-Match": '"1"'}
    bodies = [{"category": "contract", "facts": f"第{i}位编辑的版本"} for i in range(10)]
    answers = await asyncio.gather(*(client.put(url, json=b, headers=auth) for b in bodies))
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [412] * 9, [a.text for a in answers if a.status_code >= 500][:1]
    winner = next(a.json() for a in answers if a.status_code == 200)
    stored = (await client.get(url, headers=county.auth("mediator"))).json()
    assert stored["facts"] == winner["facts"]
    assert stored["version"] == 2


async def test_the_second_page_edit_is_409_showing_the_other_change(
    client: httpx.AsyncClient, county: County
) -> None:
    case = await make_case(county.tenant, village_id=county.villages["霍家店村"])
    browser = await _browser(client, "med-lishu")
    form = {"category": "neighbour", "facts": "第一个人的修改", "village_id": str(case.area_id),
            "version": "1"}  # fmt: skip
    first = await browser.post(f"/t/lishu/cases/{case.id}/edit", form, follow_redirects=False)
    assert first.status_code == 303
    second = await browser.post(
        f"/t/lishu/cases/{case.id}/edit", {**form, "facts": "第二个人的修改"}
    )
    assert second.status_code == 409
    assert "第一个人的修改" in second.text
    page = await browser.get(f"/t/lishu/cases/{case.id}")
    assert "第一个人的修改" in page.text
    assert "第二个人的修改" not in page.text


# ---- parties ---------------------------------------------------------------------------------


async def test_parties_are_added_corrected_and_kept_encrypted(
    client: httpx.AsyncClient, county: County
) -> None:
    from mediation.tables import CaseParty
    from tenants.tables import AuditEvent
    from wusong.core.scoped import scoped

    case = (await create(client, county)).json()
    url, auth = f"{API}/{case['id']}/parties", county.auth("mediator")
    third = {"role": "third_party", "name": "王五", "id_number": valid_id("22032219900515003"),
             "agent_name": "赵律师", "agent_mobile": "0086 136 0013 6000"}  # fmt: skip
    assert (await client.post(url, json=third, headers=auth)).status_code == 428
    added = await client.post(url, json=third, headers={**auth, "If-Match": '"1"'})
    assert added.status_code == 201, added.text
    assert added.json()["agent_mobile"] == "13600136000"
    party_id = added.json()["id"]
    # the case moved on: a stale version is refused
    fix = {**third, "name": "王五五", "id_number": ""}
    assert (
        await client.put(f"{url}/{party_id}", json=fix, headers={**auth, "If-Match": '"1"'})
    ).status_code == 412
    fixed = await client.put(f"{url}/{party_id}", json=fix, headers={**auth, "If-Match": '"2"'})
    assert fixed.status_code == 200
    assert fixed.json()["name"] == "王五五"
    assert fixed.json()["id_masked"].endswith(third["id_number"][-4:])  # empty kept it
    async with in_tenant(county.tenant, writes=False) as ctx:
        rows = await scoped(ctx, CaseParty).select(CaseParty.id_cipher, CaseParty.name)
        events = await scoped(ctx, AuditEvent).select(AuditEvent.diff)
    stored = repr(rows) + repr(events)
    for number in (third["id_number"], valid_id()):
        assert number not in stored
        assert number[6:14] not in stored
    assert "13600136000" not in repr(events)
    # the last applicant cannot go
    parties = (await client.get(url, headers=auth)).json()
    applicant = next(p for p in parties if p["role"] == "applicant")
    gone = await client.delete(f"{url}/{applicant['id']}", headers={**auth, "If-Match": '"3"'})
    assert gone.status_code == 409
    assert (
        await client.delete(f"{url}/{party_id}", headers={**auth, "If-Match": '"3"'})
    ).status_code == 204


# ---- lists and searches ----------------------------------------------------------------------


async def test_filters_and_party_search(client: httpx.AsyncClient, county: County) -> None:
    auth = county.auth("admin")
    a = await make_case(county.tenant, category="contract", village_id=county.villages["霍家店村"],
                        accepted_on=date(2025, 5, 1))  # fmt: skip
    b = await make_case(county.tenant, source="court", parties=[
        {"role": "applicant", "name": "欧阳娜娜", "id_number": valid_id("11010519491231002")},
        {"role": "respondent", "name": "百分_比%公司", "kind": "organisation"}])  # fmt: skip

    async def ids(query: str) -> set[str]:
        response = await client.get(f"{API}?{query}", headers=auth)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    assert await ids("category=contract") == {str(a.id)}
    plain = (await client.get(f"{API}?limit=1", headers=auth)).json()
    assert plain["total"] is None  # a count only when asked for
    assert plain["has_more"] is True
    counted = (await client.get(f"{API}?limit=1&count=true", headers=auth)).json()
    assert counted["total"] == 2
    assert await ids("source=court") == {str(b.id)}
    assert await ids(f"village_id={county.villages['霍家店村']}") == {str(a.id)}
    assert await ids("accepted_from=2025-01-01&accepted_to=2025-12-31") == {str(a.id)}
    assert await ids(f"case_no=2025{a.case_seq:04d}") == {str(a.id)}  # year and number
    assert await ids(f"case_no={a.case_seq:04d}") == {str(a.id), str(b.id)}  # both years' 1
    assert await ids(f"case_no={b.case_no}") == {str(b.id)}
    assert (await client.get(f"{API}?accepted_from=yesterday", headers=auth)).status_code == 422

    async def search(body: dict[str, Any]) -> set[str]:
        response = await client.post(f"{API}/search", json=body, headers=auth)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    assert await search({"party_name": "欧阳"}) == {str(b.id)}
    assert await search({"party_name": "百分_"}) == {str(b.id)}
    assert await search({"party_name": "百分%"}) == set()  # wildcards are literal
    assert await search({"party_name": "张"}) == {str(a.id)}
    assert await search({"id_number": "11010519491231002x"}) == {str(b.id)}
    bad = await client.post(f"{API}/search", json={"id_number": "110105194912310021"}, headers=auth)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "id_number"
    # the page searches by POST: the name never enters a URL
    browser = await _browser(client, county.members["admin"].username)
    page = await browser.post("/t/lishu/cases/search", {"party_name": "欧阳"})
    assert page.status_code == 200
    assert b.case_no in page.text
    assert a.case_no not in page.text
    listing = await browser.get("/t/lishu/cases")
    assert 'method="post" action="/t/lishu/cases/search"' in listing.text


async def test_overdue_cases(client: httpx.AsyncClient, county: County) -> None:
    old = await make_case(county.tenant, accepted_on=date(2024, 1, 2))
    await make_case(county.tenant)
    listed = await client.get(f"{API}?overdue=true", headers=county.auth("admin"))
    assert [c["id"] for c in listed.json()["items"]] == [str(old.id)]
    assert old.due_on == date(2024, 2, 1)  # 30 days after 2024-01-02, a Thursday


# ---- settings and categories -----------------------------------------------------------------


async def test_the_number_format_periods_and_categories_are_the_countys(
    client: httpx.AsyncClient, county: County
) -> None:
    url, auth = "/api/v1/t/lishu/mediation/settings", county.auth("admin")
    current = await client.get(url, headers=auth)
    assert current.json()["version"] == 0
    assert current.json()["config"]["ordinary_days"] == 15
    config = {
        **current.json()["config"], "number_abbr": "梨树", "number_word": "人调字",
        "number_digits": 3, "usual_days": 20, "hidden_categories": ["environment"],
    }  # fmt: skip
    saved = await client.put(url, json={"config": config}, headers={**auth, "If-Match": '"0"'})
    assert saved.status_code == 200, saved.text
    bad = await client.put(url, json={"config": {**config, "usual_days": 0, "number_digits": 9}},
                           headers={**auth, "If-Match": '"1"'})  # fmt: skip
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {
        "config.usual_days",
        "config.number_digits",
    }
    case = (await create(client, county, accepted_on="2025-03-03")).json()
    assert case["case_no"] == "（2025）梨树人调字第001号"
    assert case["due_on"] == "2025-03-24"  # 20 days after 2025-03-03 (a Monday)
    refused = await create(client, county, category="environment")
    assert refused.status_code == 422
    assert "已停用" in refused.text
    categories = "/api/v1/t/lishu/mediation/categories"
    added = await client.post(categories, json={"name": "收养", "confirmable": False}, headers=auth)
    assert added.status_code == 201
    own = await create(client, county, category=added.json()["code"])
    assert own.status_code == 201
    again = await client.post(categories, json={"name": "收养"}, headers=auth)
    assert again.status_code == 422


async def test_the_settings_page(client: httpx.AsyncClient, county: County) -> None:
    browser = await _browser(client, county.members["admin"].username)
    page = await browser.get("/t/lishu/mediation/settings")
    assert page.status_code == 200
    assert f"（{date.today().year}）梨调字第0001号" in page.text
    form = {"number_abbr": "", "number_word": "调字", "number_digits": "4", "usual_days": "x",
            "ordinary_days": "15", "simplified_days": "7", "classic_days": "30",
            "extension_days": "30", "confirmation_days": "30", "version": "0"}  # fmt: skip
    bad = await browser.post("/t/lishu/mediation/settings", form)
    assert bad.status_code == 422
    assert "一般调解期限" in bad.text
    ok = await browser.post(
        "/t/lishu/mediation/settings", {**form, "usual_days": "25"}, follow_redirects=False
    )
    assert ok.status_code == 303
    switched = await browser.post("/t/lishu/mediation/categories/active",
                                  {"code": "medical", "active": "false"},
                                  follow_redirects=False)  # fmt: skip
    assert switched.status_code == 303
    page = await browser.get("/t/lishu/mediation/settings")
    assert 'value="25"' in page.text
    assert re.search(r"医疗</td>.*?已停用", page.text, re.S)


async def test_the_case_page_shows_every_section(client: httpx.AsyncClient, county: County) -> None:
    """The proceedings and the court sections of a referred case, and a court reviewer's link
    to reveal a full ID number (nobody else's page has it)."""
    case = await make_case(county.tenant, source="court")
    for who, reveal in (("admin", False), ("court", True)):
        browser = await _browser(client, county.members[who].username)
        page = await browser.get(f"/t/lishu/cases/{case.id}")
        assert page.status_code == 200
        assert 'id="proceedings"' in page.text
        assert 'id="court"' in page.text
        assert ("显示完整号码" in page.text) is reveal


async def test_the_filter_form_keeps_every_filter_a_figure_links_with(
    client: httpx.AsyncClient, county: County
) -> None:
    """A dashboard figure links to the list with closed dates and status=agreed: the form shows
    them, so filtering further keeps them."""
    browser = await _browser(client, county.members["admin"].username)
    page = await browser.get(
        "/t/lishu/cases?status=agreed&closed_from=2025-01-01&closed_to=2025-12-31"
    )
    assert page.status_code == 200
    assert 'name="closed_from" value="2025-01-01"' in page.text
    assert 'name="closed_to" value="2025-12-31"' in page.text
    assert re.search(r'<option value="agreed" selected>', page.text)
