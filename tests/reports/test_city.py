"""The city overview: exactly the counties where the user is a viewer or an administrator, each
county's figures its own (computed in that county's own unit of work), the city total summed
with its rates computed again, and links the user may follow.

The world (``city_seed``; period 2025, and the same days of 2024):

    四平市  梨树县 lishu   viewer   the case seed (accepted 7/4, closed 6/3, settled 4/2,
                                   confirmations applied 3/2, confirmed 2/1); a no-litigation
                                   program with 3 pilot villages: 2025 one met, one failed, one
                                   not entered; 2024 two met
           铁西区 tiexi    admin    the case seed and 2 more cases accepted and settled in July
                                   2025 (accepted 9/4, closed 8/3, settled 6/2); a red-property
                                   program with 4 complexes: on 2025-12-31 one 5★, one 3★, two
                                   unrated or lapsed; on 2024-12-31 one 4★, one 0★, two unrated
           双辽市 shuangliao  —     the case seed and more: not a member, never counted
           伊通县 yitong    mediator  not a viewer or administrator: never shown
    长春市  朝阳区 chaoyang  viewer   one case accepted in 2025: a section of its own
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Browser, in_tenant, make_member
from tests.factories import make_token as make_api_token
from tests.reports.city_seed import USER, World, build_world


@pytest.fixture
async def world() -> World:
    return await build_world()


async def _overview(world: World, period: str = "2025", **kw: Any) -> Any:
    from reports.city import city_overview
    from reports.periods import parse_period

    return await city_overview(world.members["lishu"].user_id, parse_period(period), **kw)


def _pair(cell: Any) -> tuple[Any, Any]:
    return (cell.value, cell.previous)


async def test_each_county_has_its_own_figures_and_the_city_sums_them(world: World) -> None:
    overview = await _overview(world)
    assert [(c.code, c.name) for c in overview.cities] == [
        ("220100000000", "长春市"), ("220300000000", "四平市"),
    ]  # fmt: skip
    changchun, siping = overview.cities
    assert [c.slug for c in siping.counties] == ["tiexi", "lishu"]  # by division code
    tiexi, lishu = siping.counties
    assert (lishu.role, tiexi.role) == ("viewer", "admin")
    assert _pair(lishu.accepted) == (7, 4)
    assert _pair(lishu.closed) == (6, 3)
    assert _pair(lishu.settled) == (4, 2)
    assert _pair(lishu.rate) == (66.7, 66.7)
    assert _pair(lishu.applied) == (3, 2)
    assert _pair(lishu.confirmed) == (2, 1)
    assert _pair(tiexi.accepted) == (9, 4)
    assert _pair(tiexi.settled) == (6, 2)
    assert _pair(tiexi.rate) == (75.0, 66.7)
    # no-litigation villages: only 梨树县 runs such a program
    assert (_pair(lishu.pilots), _pair(lishu.met), _pair(lishu.met_share)) == (
        (3, 3), (1, 2), (33.3, 66.7),
    )  # fmt: skip
    assert tiexi.pilots is None
    assert lishu.stars is None
    # red-property ratings: only 铁西区
    assert tiexi.stars is not None
    assert {s: _pair(c) for s, c in tiexi.stars.items()} == {
        5: (1, 0), 4: (0, 1), 3: (1, 0), 2: (0, 0), 1: (0, 0), 0: (0, 1),
    }  # fmt: skip
    assert (_pair(tiexi.unrated), tiexi.complexes) == ((2, 2), 4)
    # the city total: sums, and rates from the sums (not the mean of 66.7 and 75.0)
    total = siping.total
    assert (total.name, total.slug, total.link) == ("四平市合计", "", None)
    assert _pair(total.accepted) == (16, 8)
    assert _pair(total.closed) == (14, 6)
    assert _pair(total.settled) == (10, 4)
    assert _pair(total.rate) == (71.4, 66.7)
    assert (_pair(total.applied), _pair(total.confirmed)) == ((6, 4), (4, 2))
    assert (_pair(total.pilots), _pair(total.met), _pair(total.met_share)) == (
        (3, 3), (1, 2), (33.3, 66.7),
    )  # fmt: skip
    assert total.stars is not None
    assert _pair(total.stars[5]) == (1, 0)
    assert total.complexes == 4
    # 长春市: its own section, its own total
    assert [c.slug for c in changchun.counties] == ["chaoyang"]
    assert _pair(changchun.counties[0].accepted) == (1, 0)
    assert _pair(changchun.total.accepted) == (1, 0)
    assert changchun.total.pilots is None
    assert changchun.total.stars is None


async def test_counties_the_user_may_not_see_are_absent_and_count_for_nothing(
    world: World,
) -> None:
    """双辽市 (no membership, more cases than any) and 伊通县 (a mediator there) are absent,
    and the total is the same as without them."""
    overview = await _overview(world)
    slugs = {c.slug for city in overview.cities for c in city.counties}
    assert slugs == {"lishu", "tiexi", "chaoyang"}
    assert _pair(overview.cities[1].total.accepted) == (16, 8)


async def test_a_deactivated_membership_is_absent(world: World) -> None:
    from tenants import services
    from tenants.schemas import MemberUpdate

    async with in_tenant(world.tiexi) as ctx:
        member = world.members["tiexi"]
        await services.update_member(ctx, member.membership_id, MemberUpdate(active=False))
    siping = (await _overview(world)).cities[1]
    assert [c.slug for c in siping.counties] == ["lishu"]
    assert _pair(siping.total.accepted) == (7, 4)
    assert siping.total.stars is None


async def test_a_user_who_is_no_viewer_or_administrator_sees_nothing(world: World) -> None:
    from reports.city import city_overview
    from reports.periods import parse_period
    from wusong.core.errors import NotFound

    mediator = await make_member(world.yitong, "yitong-mediator", "mediator")
    with pytest.raises(NotFound):
        await city_overview(mediator.user_id, parse_period("2025"))


async def test_each_county_is_computed_under_its_own_row_level_security(
    world: World, backend: str
) -> None:
    """A county's figures are read in a unit of work bound to that county: a unit bound to
    another county is refused outright, and on PostgreSQL every row the figures count is
    visible only through row-level security set to that county (with the setting pointed at
    another county, the very same statements count nothing)."""
    from reports.city import county_figures
    from reports.periods import parse_period
    from wusong.core.db import current_unit, unit_of_work
    from wusong.core.errors import UnitOfWorkError
    from wusong.core.tenancy import Role, TenantContext

    lishu = world.lishu
    ctx = TenantContext(
        lishu.id, lishu.slug, lishu.name, lishu.division_code, world.members["lishu"].user_id,
        "", Role.VIEWER,
    )  # fmt: skip
    period = parse_period("2025")
    async with unit_of_work(writes=False, tenant_id=lishu.id):
        own = await county_figures(ctx, period)
    assert (_pair(own.accepted), _pair(own.met)) == ((7, 4), (1, 2))
    with pytest.raises(UnitOfWorkError, match="bound to tenant"):
        async with unit_of_work(writes=False, tenant_id=world.tiexi.id):
            await county_figures(ctx, period)
    if backend != "postgres":
        return  # SQLite has no row-level security
    async with unit_of_work(writes=False, tenant_id=lishu.id):
        await current_unit().transaction.connection.execute(
            "SELECT set_config('wusong.tenant_id', $1, true)", str(world.tiexi.id)
        )
        hidden = await county_figures(ctx, period)
    assert (_pair(hidden.accepted), _pair(hidden.applied), hidden.pilots) == ((0, 0), (0, 0), None)


# ---- the page ------------------------------------------------------------------------------


async def test_the_page_shows_the_counties_side_by_side_with_links_the_user_may_follow(
    browser: Browser, world: World
) -> None:
    await browser.login(USER)
    page = await browser.get("/city?period=2025")
    assert page.status_code == 200
    text = page.text
    assert "<h1>全市概览</h1>" in text
    for shown in ("四平市", "长春市", "梨树县", "铁西区", "朝阳区", "四平市合计", "71.4"):
        assert shown in text, shown
    for absent in ("双辽市", "伊通县"):
        assert absent not in text, absent
    assert text.index("长春市") < text.index("四平市")
    # a viewer's figures open the county's dashboard; an administrator's the case list
    assert 'href="/t/lishu/dashboard?period=2025"' in text
    tiexi_cases = "/t/tiexi/cases?accepted_from=2025-01-01&amp;accepted_to=2025-12-31"
    assert f'href="{tiexi_cases}"' in text
    complexes = f"/t/tiexi/programs/{world.red}/complexes?stars=5"
    status = f"/t/lishu/programs/{world.nolit}/no-litigation/status?period=2025&amp;status=met"
    assert f'href="{complexes}"' in text
    assert f'href="{status}"' in text
    for link in ("/t/lishu/dashboard?period=2025", tiexi_cases, complexes, status):
        followed = await browser.get(link.replace("&amp;", "&"))
        assert followed.status_code == 200, link
    # a quarter: the dashboard links carry it
    quarter = await browser.get("/city?period=2025-Q3")
    assert 'href="/t/lishu/dashboard?period=2025-Q3"' in quarter.text
    # a bad period is named and the current year shown instead, never an error page
    bad = await browser.get("/city?period=20x5")
    assert bad.status_code == 200
    assert "期间（period）应为" in bad.text


async def test_the_nav_links_the_overview_only_for_those_who_may_see_it(
    browser: Browser, world: World
) -> None:
    await browser.login(USER)
    assert 'href="/city"' in (await browser.get("/t/lishu/")).text
    assert 'href="/city"' in (await browser.get("/t/yitong/")).text  # the user's, everywhere
    other = Browser(browser.client)
    await browser.post("/logout")
    await make_member(world.yitong, "yitong-mediator", "mediator")
    await other.login("yitong-mediator")
    assert 'href="/city"' not in (await other.get("/t/yitong/")).text
    missing = await other.get("/city")
    assert missing.status_code == 404
    assert "全市概览" not in missing.text


async def test_signed_out_is_sent_to_sign_in(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/city", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/city"


# ---- the API -------------------------------------------------------------------------------


async def test_the_api_answers_the_city_of_the_tokens_county(
    client: httpx.AsyncClient, world: World
) -> None:
    _, token = await make_api_token(world.members["lishu"])
    auth = {"Authorization": f"Bearer {token}"}
    response = await client.get("/api/v1/t/lishu/city?period=2025", headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"]["key"] == "2025"
    assert [city["name"] for city in body["cities"]] == ["四平市"]  # the token's county's city
    siping = body["cities"][0]
    assert [c["slug"] for c in siping["counties"]] == ["tiexi", "lishu"]
    lishu = siping["counties"][1]
    assert lishu["accepted"] == {
        "value": 7, "previous": 4, "change": 75.0, "link": "/t/lishu/dashboard?period=2025",
        "unit": "件",
    }  # fmt: skip
    assert lishu["no_litigation"]["met"]["value"] == 1
    assert lishu["red_property"] is None
    total = siping["total"]
    assert (total["slug"], total["success_rate"]["value"]) == (None, 71.4)
    stars = {s["stars"]: s["complexes"]["value"] for s in total["red_property"]["stars"]}
    assert stars == {5: 1, 4: 0, 3: 1, 2: 0, 1: 0, 0: 0}
    assert "party" not in response.text
    assert "case_no" not in response.text
    # 长春市 through that county's own token
    _, other = await make_api_token(world.members["chaoyang"])
    changchun = await client.get(
        "/api/v1/t/chaoyang/city?period=2025", headers={"Authorization": f"Bearer {other}"}
    )
    assert [city["name"] for city in changchun.json()["cities"]] == ["长春市"]
    bad = await client.get("/api/v1/t/lishu/city?period=20x5", headers=auth)
    assert bad.status_code == 422
    assert "period" in bad.text


async def test_the_api_refuses_a_token_whose_user_is_no_viewer_or_administrator_there(
    client: httpx.AsyncClient, world: World
) -> None:
    _, token = await make_api_token(world.members["yitong"])  # a mediator in 伊通县
    response = await client.get(
        "/api/v1/t/yitong/city", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    _, lishu = await make_api_token(world.members["lishu"])
    foreign = await client.get(
        "/api/v1/t/shuangliao/city", headers={"Authorization": f"Bearer {lishu}"}
    )
    assert foreign.status_code == 404  # a token of another county
