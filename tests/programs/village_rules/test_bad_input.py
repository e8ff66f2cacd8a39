"""The issue's bad input for village rules, through the JSON API as a village officer: a clear
4xx naming the problem, and nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import TENANT_B, in_tenant, make_area, make_member, make_tenant, make_token
from tests.programs.factories import make_program, staff, work_in


@pytest.fixture
async def county() -> dict[str, Any]:
    tenant = await make_tenant()
    town = await make_area(tenant, "township", "茂林镇", "220322101000")
    village = await make_area(tenant, "village", "宝山村", "220322101201", town.id)
    other = await make_area(tenant, "village", "双山村", "220322101202", town.id)
    program = await make_program(tenant, "village_rules", "移风易俗", area_ids=[town.id])
    officer = await make_member(tenant, "bao-officer", "village_officer")
    await staff(program, tenant, officer)
    await work_in(tenant, officer, village.id)
    _, token = await make_token(officer)
    foreign = await make_tenant(TENANT_B)
    foreign_town = await make_area(foreign, "township", "英雄街道", "220302001000")
    foreign_village = await make_area(
        foreign, "village", "丰茂社区", "220302001001", foreign_town.id
    )
    return {
        "tenant": tenant,
        "village": village.id,
        "other": other.id,
        "foreign_village": foreign_village.id,
        "program": program.id,
        "headers": {"Authorization": f"Bearer {token}"},
        "base": f"/api/v1/t/lishu/programs/{program.id}",
    }


async def _counts(tenant: Any) -> dict[str, int]:
    from programs.village_rules.tables import (
        BanquetDeclaration,
        RuleSet,
        RuleStep,
        RuleVersion,
    )
    from wusong.core.scoped import scoped

    async with in_tenant(tenant, writes=False) as ctx:
        return {
            table.__name__: await scoped(ctx, table).count()
            for table in (BanquetDeclaration, RuleSet, RuleStep, RuleVersion)
        }


def _fields(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


BANQUET = {"household_head": "张三华", "occasion": "婚嫁", "banquet_on": "2025-05-01",
           "tables": 10, "yuan_per_table": "300"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"tables": 0}, "tables", "桌数至少为 1 桌"),
        ({"yuan_per_table": "-5"}, "yuan_per_table", "每桌标准不能为负数"),
        ({"yuan_per_table": "300.555"}, "yuan_per_table", "最多两位小数"),
        ({"occasion": "开业"}, "occasion", "宴席事由须为"),
        ({"banquet_on": "2099-01-01"}, "banquet_on", "办席日期最晚可申报到"),
    ],
)
async def test_a_bad_banquet_is_refused_naming_the_field(
    client: httpx.AsyncClient, county: dict[str, Any], change: Any, field: str, message: str
) -> None:
    before = await _counts(county["tenant"])
    body = {**BANQUET, "village_id": str(county["village"]), **change}
    response = await client.post(
        county["base"] + "/declarations", json=body, headers=county["headers"]
    )
    assert response.status_code == 422
    assert message in _fields(response)[field]
    assert await _counts(county["tenant"]) == before


async def test_another_tenants_village_is_refused(
    client: httpx.AsyncClient, county: dict[str, Any]
) -> None:
    before = await _counts(county["tenant"])
    foreign = str(county["foreign_village"])
    for path, body in (
        ("/declarations", {**BANQUET, "village_id": foreign}),
        ("/rule-sets", {"village_id": foreign}),
    ):
        response = await client.post(county["base"] + path, json=body, headers=county["headers"])
        assert response.status_code == 422
        assert "村/社区无效或不属于本区县" in _fields(response)["village_id"]
    assert await _counts(county["tenant"]) == before


async def test_an_officer_records_only_for_their_villages(
    client: httpx.AsyncClient, county: dict[str, Any]
) -> None:
    before = await _counts(county["tenant"])
    body = {**BANQUET, "village_id": str(county["other"])}
    response = await client.post(
        county["base"] + "/declarations", json=body, headers=county["headers"]
    )
    assert response.status_code == 403
    assert "不在您的工作区域内" in response.json()["detail"]
    assert await _counts(county["tenant"]) == before


async def _reviewed_draft(client: httpx.AsyncClient, county: dict[str, Any]) -> str:
    base, headers = county["base"], county["headers"]
    created = await client.post(
        base + "/rule-sets",
        json={
            "village_id": str(county["village"]),
            "drafted_on": (date.today() - timedelta(days=5)).isoformat(),
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    rule_set = (
        await client.get(f"{base}/rule-sets/{created.json()['id']}", headers=headers)
    ).json()
    version = rule_set["versions"][0]
    saved = await client.patch(
        f"{base}/rule-versions/{version['id']}",
        json={"articles": ["宴席每桌不超过300元。"], "max_yuan_per_table": "300",
              "max_yuan_article": 1},
        headers={**headers, "If-Match": f'"{version["version"]}"'},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    return str(version["id"])


async def test_a_vote_with_more_votes_than_attendees_is_refused(
    client: httpx.AsyncClient, county: dict[str, Any]
) -> None:
    base, headers = county["base"], county["headers"]
    version_id = await _reviewed_draft(client, county)
    day = (date.today() - timedelta(days=1)).isoformat()
    # The officer of 宝山村 does not work in 茂林镇: the township's review is not theirs.
    refused = await client.post(
        f"{base}/rule-versions/{version_id}/review",
        json={"reviewed_on": day, "approved": True},
        headers=headers,
    )
    assert refused.status_code == 403
    from programs.village_rules import services
    from programs.village_rules.schemas import ReviewRecord

    async with in_tenant(county["tenant"]) as ctx:
        await services.record_review(
            ctx, county["program"], version_id, ReviewRecord(date.fromisoformat(day), True)
        )
    before = await _counts(county["tenant"])
    response = await client.post(
        f"{base}/rule-versions/{version_id}/vote",
        json={"voted_on": day, "attendees": 30, "votes_for": 20, "votes_against": 8,
              "votes_abstain": 3},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 422
    assert _fields(response)["attendees"] == "赞成、反对、弃权合计 31 票，超过到会人数 30 人"
    assert await _counts(county["tenant"]) == before
    detail = (await client.get(f"{base}/rule-versions/{version_id}", headers=headers)).json()
    assert detail["version"]["status"] == "reviewed"


async def test_a_version_is_not_published_without_a_vote(
    client: httpx.AsyncClient, county: dict[str, Any]
) -> None:
    base, headers = county["base"], county["headers"]
    version_id = await _reviewed_draft(client, county)
    before = await _counts(county["tenant"])
    response = await client.post(
        f"{base}/rule-versions/{version_id}/publish",
        json={"published_on": date.today().isoformat()},
        headers=headers,
    )
    assert response.status_code == 409
    assert "未经村民（代表）会议表决通过的版本不能公布" in response.json()["detail"]
    assert await _counts(county["tenant"]) == before


async def test_a_wrong_configuration_names_the_field(county: dict[str, Any]) -> None:
    from programs import services
    from programs.schemas import ProgramCreate
    from wusong.core.errors import Invalid

    async with in_tenant(county["tenant"]) as ctx:
        bad = {"majority": "most", "quorum": -1, "occasions": ["婚嫁", "婚嫁"]}
        with pytest.raises(Invalid) as raised:
            await services.create_program(
                ctx, ProgramCreate("village_rules", "移风易俗", config=bad)
            )
    assert set(raised.value.errors) == {
        "config.majority",
        "config.quorum",
        "config.occasions[1]",
    }
    assert "宴席事由“婚嫁”重复" in raised.value.errors["config.occasions[1]"]
