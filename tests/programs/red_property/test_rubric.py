"""The rubric: the issue's bad inputs are a 422 naming the problem with nothing written, and a
rubric change never rewrites a rating already given."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import httpx

from tests.factories import Browser, make_token
from tests.programs.red_property.conftest import County, acting, count_rows
from tests.programs.red_property.conftest import shanghai_today as _today
from tests.programs.red_property.rubric import RUBRIC


def _rubric(**changes: Any) -> dict[str, Any]:
    config = copy.deepcopy(RUBRIC)
    config.update(changes)
    return config


async def _put(client: httpx.AsyncClient, county: County, config: Any, version: int = 1) -> Any:
    _, token = await make_token(county.members["admin"])
    return await client.put(
        f"/api/v1/t/{county.tenant.slug}/programs/{county.program_id}/rubric",
        json={"config": config},
        headers={"Authorization": f"Bearer {token}", "If-Match": f'"{version}"'},
    )


def _errors(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


async def _versions(county: County) -> int:
    from programs.tables import ProgramConfig

    return await count_rows(county.tenant, ProgramConfig)


async def test_weights_must_sum_to_exactly_100(client: httpx.AsyncClient, county: County) -> None:
    criteria = [{"name": "党建引领", "weight": 20}, {"name": "服务质量", "weight": 70}]
    response = await _put(client, county, _rubric(criteria=criteria))
    assert response.status_code == 422
    assert _errors(response)["config.criteria"] == "各评分项分值之和须恰为 100，当前为 90"
    assert await _versions(county) == 1


async def test_overlapping_score_bands_are_named(client: httpx.AsyncClient, county: County) -> None:
    bands = copy.deepcopy(RUBRIC["bands"])
    bands[2]["max_score"] = 85  # 3 stars 70–85 overlaps 4 stars 80–89
    response = await _put(client, county, _rubric(bands=bands))
    assert response.status_code == 422
    assert _errors(response)["config.bands"] == "分数段重叠：3星 70–85 与 4星 80–89"
    assert await _versions(county) == 1


async def test_score_bands_must_cover_0_to_100(client: httpx.AsyncClient, county: County) -> None:
    bands = [b for b in RUBRIC["bands"] if b["stars"] != 2]
    response = await _put(client, county, _rubric(bands=bands))
    assert response.status_code == 422
    assert _errors(response)["config.bands"] == "分数段须覆盖 0–100，缺少：60–69"


async def test_a_fee_table_missing_a_star_level_is_named(
    client: httpx.AsyncClient, county: County
) -> None:
    fees = [f for f in RUBRIC["fees"] if f["stars"] != 3]
    response = await _put(client, county, _rubric(fees=fees))
    assert response.status_code == 422
    assert _errors(response)["config.fees"] == "收费标准缺少星级：3星"
    assert await _versions(county) == 1


async def test_a_valid_rubric_is_a_new_version(client: httpx.AsyncClient, county: County) -> None:
    response = await _put(client, county, _rubric(valid_months=24))
    assert response.status_code == 200, response.text
    assert response.json()["version_no"] == 2
    assert response.headers["ETag"] == '"2"'
    stale = await _put(client, county, _rubric(valid_months=6), version=1)
    assert stale.status_code == 412
    assert await _versions(county) == 2


async def test_the_rubric_page_saves_rows_and_shows_errors_on_them(
    browser: Browser, county: County
) -> None:
    await browser.login("a-admin")
    url = f"/t/lishu/programs/{county.program_id}/rubric"
    page = await browser.get(url)
    assert page.status_code == 200
    assert 'value="党建引领"' in page.text
    form = {
        "version": "1", "valid_months": "12",
        "criterion_name_0": "服务质量", "criterion_weight_0": "60",
        "criterion_name_1": "设施维护", "criterion_weight_1": "３０",  # full-width digits
        "veto_name_0": "业主满意度低于80%",
        "band_stars_0": "5", "band_min_0": "90", "band_max_0": "100",
        "band_stars_1": "3", "band_min_1": "60", "band_max_1": "89",
        "band_stars_2": "0", "band_min_2": "0", "band_max_2": "59",
        **{f"fee_level_{s}": f"{s}级" for s in (1, 2, 3, 4, 5)},
        **{f"fee_ceiling_{s}": "1.20" for s in (1, 2, 3, 4, 5)},
    }  # fmt: skip
    refused = await browser.post(url, form)
    assert refused.status_code == 422
    assert "各评分项分值之和须恰为 100，当前为 90" in refused.text
    assert 'value="３０"' in refused.text or 'value="30"' in refused.text
    assert await _versions(county) == 1
    bad_row = await browser.post(url, {**form, "criterion_weight_0": "70", "fee_ceiling_4": "一元"})
    assert bad_row.status_code == 422
    assert 'id="e-fee_ceiling_4"' in bad_row.text
    saved = await browser.post(url, {**form, "criterion_weight_0": "70"})
    assert saved.status_code == 200
    assert "已保存评星规则第 2 版" in saved.text
    assert await _versions(county) == 2


async def test_changing_the_rubric_keeps_past_ratings(county: County) -> None:
    from programs.red_property import repo, services
    from programs.red_property.config import decode
    from programs.red_property.schemas import ComplexCreate, InspectionCreate, RubricSave

    async with acting(county.members["admin"]) as ctx:
        complex_ = await services.create_complex(
            ctx, county.program_id, ComplexCreate("幸福家园", county.village)
        )
    day = _today() - timedelta(days=3)
    async with acting(county.members["inspector"]) as ctx:
        first = await services.record_inspection(
            ctx, county.program_id, complex_.id, InspectionCreate(day, [18, 27, 25, 16])
        )
    assert (first.score, first.stars, first.fee_level, first.config_version) == (86, 4, "二级", 1)
    stricter = copy.deepcopy(RUBRIC)
    stricter["bands"] = [
        {"stars": 5, "min_score": 95, "max_score": 100},
        {"stars": 4, "min_score": 90, "max_score": 94},
        {"stars": 3, "min_score": 85, "max_score": 89},
        {"stars": 2, "min_score": 70, "max_score": 84},
        {"stars": 1, "min_score": 60, "max_score": 69},
        {"stars": 0, "min_score": 0, "max_score": 59},
    ]
    async with acting(county.members["admin"]) as ctx:
        await services.save_rubric(ctx, county.program_id, RubricSave(decode(stricter)))
    async with acting(county.members["inspector"], writes=False) as ctx:
        kept = await repo.get_inspection(ctx, county.program_id, first.id)
        rated = await repo.get_complex(ctx, county.program_id, complex_.id)
    assert (kept.score, kept.stars, kept.fee_level, kept.config_version) == (86, 4, "二级", 1)
    assert (rated.rated_stars, rated.rated_fee_level) == (4, "二级")
    async with acting(county.members["inspector"]) as ctx:
        second = await services.record_inspection(
            ctx, county.program_id, complex_.id, InspectionCreate(day, [18, 27, 25, 16])
        )
    assert (second.score, second.stars, second.fee_level, second.config_version) == (
        86, 3, "三级", 2,
    )  # fmt: skip


async def test_members_read_the_rubric_in_force_without_a_form(
    browser: Browser, county: County
) -> None:
    await browser.login("a-viewer")
    page = await browser.get(f"/t/lishu/programs/{county.program_id}/rubric")
    assert page.status_code == 200
    assert "党建引领：20 分" in page.text
    assert "业主满意度低于80%" in page.text
    assert "保存为新版本" not in page.text
    refused = await browser.post(f"/t/lishu/programs/{county.program_id}/rubric", {"version": "1"})
    assert refused.status_code == 403
