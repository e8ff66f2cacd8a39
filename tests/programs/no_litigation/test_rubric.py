"""The rubric: a typed configuration, validated (422 naming config.<field>), saved as a new
version each time; periods keep the version they were evaluated under."""

from __future__ import annotations

import httpx
import pytest

from tests.programs.no_litigation.conftest import Setting, post_count


async def _rubric(client: httpx.AsyncClient, nolit: Setting) -> httpx.Response:
    return await client.get(nolit.api("/rubric"), headers=nolit.auth())


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"granularity": "month"}, "config.granularity"),
        ({"indicators": ["lawsuits", "happiness"]}, "config.indicators"),
        ({"indicators": ["lawsuits"], "max_lawsuits": -1}, "config.max_lawsuits"),
        ({"indicators": ["rate"], "max_rate_per_10k": "-0.5"}, "config.max_rate_per_10k"),
        ({"indicators": ["rate"], "max_rate_per_10k": "0.125"}, "config.max_rate_per_10k"),
        ({"indicators": ["rate"], "max_rate_per_10k": "NaN"}, "config.max_rate_per_10k"),
        ({"indicators": ["settled"], "min_settled_percent": 101}, "config.min_settled_percent"),
        ({"indicators": ["lawsuits"], "max_lawsuits": "many"}, "config.max_lawsuits"),
        ({"colour": "red"}, "config"),
    ],
)
async def test_a_bad_rubric_is_a_422_naming_the_field_and_saves_nothing(
    client: httpx.AsyncClient, nolit: Setting, config: dict[str, object], field: str
) -> None:
    before = await _rubric(client, nolit)
    response = await client.put(
        nolit.api("/rubric"),
        json={"config": config},
        headers={**nolit.auth(), "If-Match": before.headers["ETag"]},
    )
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert field in fields or any(f.startswith(field) for f in fields), fields
    after = await _rubric(client, nolit)
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json() == before.json()


async def test_every_save_is_a_new_version_and_a_stale_one_is_refused(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    before = await _rubric(client, nolit)
    assert before.json()["version_no"] == 2
    assert before.json()["config"]["max_rate_per_10k"] == "5.00"  # Decimal, never a float
    new = {
        "granularity": "quarter",
        "indicators": ["settled", "lawsuits"],
        "min_settled_percent": 90,
    }
    headers = {**nolit.auth(), "If-Match": before.headers["ETag"]}
    saved = await client.put(nolit.api("/rubric"), json={"config": new}, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version_no"] == 3
    assert saved.json()["config"]["indicators"] == ["lawsuits", "settled"]
    again = await client.put(nolit.api("/rubric"), json={"config": new}, headers=headers)
    assert again.status_code == 412
    missing = await client.put(nolit.api("/rubric"), json={"config": new}, headers=nolit.auth())
    assert missing.status_code == 428
    court = await client.put(
        nolit.api("/rubric"), json={"config": new},
        headers={**nolit.auth("court"), "If-Match": '"3"'},
    )  # fmt: skip
    assert court.status_code == 403


def test_a_rubric_without_indicators_cannot_be_activated() -> None:
    from programs.no_litigation.config import SPEC, Config

    assert SPEC.not_ready(Config()) is not None
    assert "评价标准" in (SPEC.not_ready(Config()) or "")
    assert SPEC.not_ready(Config(indicators=["lawsuits"])) is None


async def test_changing_the_rubric_never_rewrites_past_statuses(
    client: httpx.AsyncClient, nolit: Setting
) -> None:
    """Under version 2 (at most 0 lawsuits) 霍家店村's one lawsuit in 2022 fails. Version 3
    allows 2: 2022 stays evaluated under version 2 — also for a village entered for 2022
    after the change, and after a correction — while 2023 is evaluated under version 3."""
    assert (await post_count(client, nolit, "霍家店村", "2022", 1)).json()["status"] == "failed"
    assert (await post_count(client, nolit, "八里庙村", "2022", 0)).json()["status"] == "met"
    before = await client.get(nolit.api("/statuses?period=2022"), headers=nolit.auth())

    looser = {"indicators": ["lawsuits"], "max_lawsuits": 2}
    headers = {**nolit.auth(), "If-Match": '"2"'}
    saved = await client.put(nolit.api("/rubric"), json={"config": looser}, headers=headers)
    assert saved.json()["version_no"] == 3

    after = await client.get(nolit.api("/statuses?period=2022"), headers=nolit.auth())
    assert after.json() == before.json()
    late = await post_count(client, nolit, "郭家店村", "2022", 1)
    assert (late.json()["status"], late.json()["config_version"]) == ("failed", 2)
    newer = await post_count(client, nolit, "霍家店村", "2023", 1)
    assert (newer.json()["status"], newer.json()["config_version"]) == ("met", 3)

    # A correction of a 2022 count is evaluated again under version 2, not 3.
    counts = await client.get(nolit.api("/counts?period=2022"), headers=nolit.auth())
    huo = next(c for c in counts.json()["items"] if c["village_name"] == "霍家店村")
    fixed = await client.patch(
        nolit.api(f"/counts/{huo['id']}"),
        json={"lawsuits": 2, "note": "补录一件"},
        headers={**nolit.auth(), "If-Match": f'"{huo["version"]}"'},
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["status"], fixed.json()["config_version"]) == ("failed", 2)
    assert fixed.json()["failed"] == ["lawsuits", "rate"]
