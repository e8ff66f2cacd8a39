"""The mediation agreement: drafted, edited, signed by every party, the mediator and the seal,
then effective and immutable; corrections are new versions; incomplete or bad contents are
refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.factories import TENANT_B, make_tenant
from tests.mediation.factories import make_case
from tests.mediation.proceedings.conftest import (
    Setting,
    case_row,
    complete_agreement,
    counts,
    sign_all,
)
from wusong.core.clock import local_today

IMMUTABLE = "已生效的调解协议不能修改，请制作更正版本"


async def _draft(client: httpx.AsyncClient, proc: Setting, **body: Any) -> dict[str, Any]:
    response = await client.post(
        proc.api("/agreements"), json=body or complete_agreement(proc), headers=proc.auth()
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_the_agreement_takes_effect_with_the_last_signature(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    draft = await _draft(client, proc)
    assert draft["status"] == "draft"
    assert draft["version_no"] == 1
    assert draft["missing"] == []
    assert draft["amount_total"] == "3200.50"
    assert draft["unsigned"] == ["申请人张三", "被申请人李四", "调解员", "调解委员会印章"]
    url = proc.api(f"/agreements/{draft['id']}/signatures")
    yesterday = str(local_today() - timedelta(days=1))
    today = str(local_today())
    # The agreement date is today: a signature cannot precede it.
    early = await client.post(url, json={"signer": "mediator", "signed_on": yesterday},
                              headers=proc.auth())  # fmt: skip
    assert early.status_code == 422
    partial = await client.post(
        url, json={"signer": "party", "party_id": str(proc.parties[0]), "method": "seal"},
        headers=proc.auth(),
    )  # fmt: skip
    assert partial.status_code == 201
    assert partial.json()["status"] == "draft"
    assert partial.json()["unsigned"] == ["被申请人李四", "调解员", "调解委员会印章"]
    assert (await case_row(proc)).amount_agreed is None
    last = await sign_all(client, proc, draft["id"], signed_on=today)
    effective = last.json()
    assert effective["status"] == "effective"
    assert effective["effective_on"] == today
    assert effective["unsigned"] == []
    case = await case_row(proc)
    assert case.amount_agreed == Decimal("3200.50")
    assert case.status == "open"  # the outcome is recorded on its own


async def test_an_effective_agreement_cannot_change(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    draft = await _draft(client, proc)
    effective = (await sign_all(client, proc, draft["id"])).json()
    before = await counts(proc)
    edit = await client.put(
        proc.api(f"/agreements/{draft['id']}"), json=complete_agreement(proc, issues="改"),
        headers=proc.auth(version=effective["version"]),
    )  # fmt: skip
    assert edit.status_code == 409
    assert edit.json()["detail"] == IMMUTABLE
    resign = await client.post(
        proc.api(f"/agreements/{draft['id']}/signatures"), json={"signer": "mediator"},
        headers=proc.auth(),
    )  # fmt: skip
    assert resign.status_code == 409
    assert resign.json()["detail"] == IMMUTABLE
    second = await client.post(
        proc.api("/agreements"), json=complete_agreement(proc), headers=proc.auth()
    )
    assert second.status_code == 409
    assert await counts(proc) == before


async def test_a_correction_supersedes_the_old_version_only_once_it_takes_effect(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    first = await _draft(client, proc)
    await sign_all(client, proc, first["id"])
    corrected = await client.post(
        proc.api(f"/agreements/{first['id']}/correction"), headers=proc.auth()
    )
    assert corrected.status_code == 201, corrected.text
    v2 = corrected.json()
    assert (v2["version_no"], v2["supersedes_id"], v2["status"]) == (2, first["id"], "draft")
    assert v2["signatures"] == []
    assert len(v2["terms"]) == 2
    twice = await client.post(
        proc.api(f"/agreements/{first['id']}/correction"), headers=proc.auth()
    )
    assert twice.status_code == 409
    changed = complete_agreement(proc)
    changed["terms"][0]["amount"] = "4000"
    saved = await client.put(
        proc.api(f"/agreements/{v2['id']}"), json=changed, headers=proc.auth(version=v2["version"])
    )
    assert saved.status_code == 200, saved.text
    listed = (await client.get(proc.api("/agreements"), headers=proc.auth("admin"))).json()
    assert [(a["version_no"], a["status"]) for a in listed] == [(2, "draft"), (1, "effective")]
    assert (await case_row(proc)).amount_agreed == Decimal("3200.50")
    await sign_all(client, proc, v2["id"])
    listed = (await client.get(proc.api("/agreements"), headers=proc.auth("court"))).json()
    assert [(a["version_no"], a["status"]) for a in listed] == [(2, "effective"), (1, "superseded")]
    assert (await case_row(proc)).amount_agreed == Decimal("4000.00")
    old = await client.post(proc.api(f"/agreements/{first['id']}/signatures"),
                            json={"signer": "seal"}, headers=proc.auth())  # fmt: skip
    assert old.status_code == 409


async def test_editing_a_draft_clears_its_signatures_and_needs_the_current_version(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    draft = await _draft(client, proc)
    signed = await client.post(
        proc.api(f"/agreements/{draft['id']}/signatures"), json={"signer": "mediator"},
        headers=proc.auth(),
    )  # fmt: skip
    version = signed.json()["version"]
    assert version == draft["version"] + 1
    url = proc.api(f"/agreements/{draft['id']}")
    stale = await client.put(url, json=complete_agreement(proc), headers=proc.auth(version=1))
    assert stale.status_code == 412
    missing = await client.put(url, json=complete_agreement(proc), headers=proc.auth())
    assert missing.status_code == 428
    saved = await client.put(url, json=complete_agreement(proc), headers=proc.auth(version=version))
    assert saved.status_code == 200
    assert saved.json()["signatures"] == []


async def test_an_empty_or_incomplete_agreement_cannot_be_signed(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    empty = await _draft(client, proc, facts="")
    assert empty["facts"]  # the case's facts to start from
    assert "争议事项" in empty["missing"]
    assert "至少一项协议条款" in empty["missing"]
    before = await counts(proc)
    url = proc.api(f"/agreements/{empty['id']}/signatures")
    refused = await client.post(url, json={"signer": "mediator"}, headers=proc.auth())
    assert refused.status_code == 409
    assert "至少一项协议条款" in refused.json()["detail"]
    assert await counts(proc) == before
    vague = complete_agreement(proc)
    vague["terms"][0].update(way="", deadline=None)
    saved = await client.put(
        proc.api(f"/agreements/{empty['id']}"), json=vague, headers=proc.auth(version=1)
    )
    assert saved.status_code == 200
    assert saved.json()["missing"] == ["第1项条款的履行方式、履行期限（或写明“当场履行”）"]
    refused = await client.post(url, json={"signer": "seal"}, headers=proc.auth())
    assert refused.status_code == 409
    assert "第1项条款的履行方式、履行期限" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("term", "field"),
    [
        ({"deadline": "1900-01-01"}, "terms[0].deadline"),
        ({"deadline": str(local_today() - timedelta(days=1))}, "terms[0].deadline"),
        ({"amount": -1}, "terms[0].amount"),
        ({"amount": 1e20}, "terms[0].amount"),
        ({"amount": "0.001"}, "terms[0].amount"),
        ({"amount": "NaN"}, "terms[0].amount"),
        ({"obligation": ""}, "terms[0].obligation"),
        ({"obligation": "付款\u200b"}, "terms[0].obligation"),
        ({"way": "x" * 101}, "terms[0].way"),
        ({"obligor_id": "00000000-0000-0000-0000-000000000000"}, "terms[0].obligor_id"),
    ],
)
async def test_bad_terms_are_422_naming_the_term_and_write_nothing(
    client: httpx.AsyncClient, proc: Setting, term: dict[str, Any], field: str
) -> None:
    body = complete_agreement(proc)
    body["terms"][0].update(term)
    before = await counts(proc)
    response = await client.post(proc.api("/agreements"), json=body, headers=proc.auth())
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await counts(proc) == before


async def test_obligors_and_signers_of_another_case_or_tenant_are_refused(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    from mediation import repo
    from tests.factories import in_tenant

    other_case = await proc.new_case()
    other_tenant = await make_tenant(TENANT_B)
    foreign_case = await make_case(other_tenant)
    strangers = []
    for tenant, case_id in ((proc.tenant, other_case), (other_tenant, foreign_case.id)):
        async with in_tenant(tenant, writes=False) as ctx:
            strangers.append((await repo.list_parties(ctx, case_id))[0].id)
    before = await counts(proc)
    for stranger in strangers:
        body = complete_agreement(proc)
        body["terms"][0]["obligor_id"] = str(stranger)
        response = await client.post(proc.api("/agreements"), json=body, headers=proc.auth())
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["terms[0].obligor_id"]
    assert await counts(proc) == before
    draft = await _draft(client, proc)
    before = await counts(proc)
    for stranger in strangers:
        response = await client.post(
            proc.api(f"/agreements/{draft['id']}/signatures"),
            json={"signer": "party", "party_id": str(stranger)}, headers=proc.auth(),
        )  # fmt: skip
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["party_id"]
    for body, field in (
        ({"signer": "witness"}, "signer"),
        ({"signer": "party"}, "party_id"),
        ({"signer": "mediator", "party_id": str(proc.parties[0])}, "party_id"),
        ({"signer": "party", "party_id": str(proc.parties[0]), "method": "ink"}, "method"),
        ({"signer": "seal", "signed_on": str(local_today() + timedelta(days=1))}, "signed_on"),
    ):
        response = await client.post(
            proc.api(f"/agreements/{draft['id']}/signatures"), json=body, headers=proc.auth()
        )
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.json()["errors"]}
    assert await counts(proc) == before


@pytest.mark.parametrize(("outcome", "reason"), [("withdrawn", ""), ("failed", "unreachable")])
async def test_no_agreement_on_a_withdrawn_or_failed_case(
    client: httpx.AsyncClient, proc: Setting, outcome: str, reason: str
) -> None:
    draft = await _draft(client, proc)
    body = {"outcome": outcome, "reason": reason}
    closed = await client.put(proc.api("/outcome"), json=body, headers=proc.auth(version=1))
    assert closed.status_code == 200
    case_id = await proc.new_case()
    closed = await client.put(
        proc.api("/outcome", case_id), json=body, headers=proc.auth(version=1)
    )
    assert closed.status_code == 200
    before = await counts(proc)
    edit = await client.put(
        proc.api(f"/agreements/{draft['id']}"), json=complete_agreement(proc),
        headers=proc.auth(version=draft["version"]),
    )  # fmt: skip
    assert edit.status_code == 409
    assert "不能制作或修改调解协议" in edit.json()["detail"]
    sign = await client.post(proc.api(f"/agreements/{draft['id']}/signatures"),
                             json={"signer": "seal"}, headers=proc.auth())  # fmt: skip
    assert sign.status_code == 409
    new = await client.post(
        proc.api("/agreements", case_id), json=complete_agreement(proc), headers=proc.auth()
    )
    assert new.status_code == 409
    assert await counts(proc) == before


async def test_an_effective_agreement_allows_only_an_agreed_outcome(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    draft = await _draft(client, proc)
    await sign_all(client, proc, draft["id"])
    version = (await case_row(proc)).version
    withdrawn = await client.put(
        proc.api("/outcome"), json={"outcome": "withdrawn"}, headers=proc.auth(version=version)
    )
    assert withdrawn.status_code == 409
    partly = await client.put(
        proc.api("/outcome"), json={"outcome": "partly_settled"},
        headers=proc.auth(version=version),
    )  # fmt: skip
    assert partly.status_code == 200
    assert partly.json()["amount_agreed"] == "3200.50"


@pytest.mark.parametrize("who", ["admin", "court", "outsider"])
async def test_only_the_cases_mediators_draft_and_sign(
    client: httpx.AsyncClient, proc: Setting, who: str
) -> None:
    draft = await _draft(client, proc)
    before = await counts(proc)
    assert (await client.post(proc.api("/agreements"), json=complete_agreement(proc),
                              headers=proc.auth(who))).status_code == 403  # fmt: skip
    sign = await client.post(proc.api(f"/agreements/{draft['id']}/signatures"),
                             json={"signer": "seal"}, headers=proc.auth(who))  # fmt: skip
    assert sign.status_code == 403
    read = await client.get(proc.api(f"/agreements/{draft['id']}"), headers=proc.auth(who))
    assert read.status_code == (403 if who == "outsider" else 200)
    assert await counts(proc) == before


async def test_parties_named_in_an_agreement_are_known(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    """The core refuses to remove them from the case (the agreement's text names them)."""
    from mediation.proceedings import repo
    from tests.factories import in_tenant

    draft = await _draft(client, proc)  # the respondent owes the first term

    async def named() -> list[bool]:
        async with in_tenant(proc.tenant, writes=False) as ctx:
            return [await repo.party_in_agreements(ctx, p) for p in proc.parties]

    assert await named() == [False, True]
    await client.post(
        proc.api(f"/agreements/{draft['id']}/signatures"),
        json={"signer": "party", "party_id": str(proc.parties[0])},
        headers=proc.auth(),
    )
    assert await named() == [True, True]


async def test_a_party_named_in_an_agreement_cannot_be_removed(
    client: httpx.AsyncClient, proc: Setting
) -> None:
    """The obligor of a draft's term stays a party of the case (409); another party may go."""
    draft = await _draft(client, proc)
    assert draft["status"] == "draft"
    before = (await case_row(proc)).version
    third = await client.post(proc.api("/parties"), json={"role": "third_party", "name": "王五"},
                              headers=proc.auth(version=before))  # fmt: skip
    assert third.status_code == 201, third.text
    version = (await case_row(proc)).version
    obligor = await client.delete(proc.api(f"/parties/{proc.parties[1]}"),
                                  headers=proc.auth(version=version))  # fmt: skip
    assert obligor.status_code == 409
    assert "调解协议" in obligor.json()["detail"]
    gone = await client.delete(proc.api(f"/parties/{third.json()['id']}"),
                               headers=proc.auth(version=version))  # fmt: skip
    assert gone.status_code == 204
