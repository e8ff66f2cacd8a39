"""The case core through its use cases and pages: intake and numbering, validation with
nothing written, parties, lists and searches, access, optimistic locking, the timeline."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import TENANT_A, Browser, make_member, make_tenant
from tests.mediation.factories import make_case


async def _mediator(client: httpx.AsyncClient) -> tuple[Any, Browser]:
    from tests.programs.factories import work_in

    tenant = await make_tenant(TENANT_A)
    member = await make_member(tenant, "med", "mediator")
    await work_in(tenant, member)
    browser = Browser(client)
    assert (await browser.login("med")).status_code == 200
    return tenant, browser


async def test_list_shows_the_cases(client: httpx.AsyncClient) -> None:
    tenant, browser = await _mediator(client)
    case = await make_case(tenant)
    page = await browser.get("/t/lishu/cases")
    assert page.status_code == 200, page.text[-3000:]
    assert case.case_no in page.text


async def test_api_search(client: httpx.AsyncClient) -> None:
    from tests.factories import make_token

    tenant = await make_tenant(TENANT_A)
    member = await make_member(tenant, "adm", "admin")
    _, token = await make_token(member)
    await make_case(tenant)
    response = await client.post(
        "/api/v1/t/lishu/cases/search", json={"party_name": "张"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 1
