"""Look-alike input (issue 6 item 8): codes are NFKC-normalised and then ASCII only; names refuse
the characters that make two names look alike or reorder what is shown."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import Browser, Member, in_tenant, make_token, wusong

FULL_WIDTH = "２２０３２２１０１０００"  # 220322101000 typed on a Chinese keyboard
FORBIDDEN = {
    "bidi override": "\u202e",
    "bidi isolate": "\u2066",
    "bidi mark": "\u200f",
    "zero width space": "\u200b",
    "zero width joiner": "\u200d",
    "BOM": "\ufeff",
    "non-character": "\ufdd0",
    "plane non-character": "\U0001fffe",
    "C0 control": "\x07",
    "C1 control": "\x85",
}


async def _api(member: Member, client: httpx.AsyncClient) -> dict[str, str]:
    _, token = await make_token(member)
    return {"Authorization": f"Bearer {token}"}


async def test_full_width_code_is_stored_as_ascii_and_its_duplicate_is_found(
    client: httpx.AsyncClient, admin_a: Member
) -> None:
    auth = await _api(admin_a, client)
    body = {"kind": "township", "name": "郭家店镇", "division_code": FULL_WIDTH}
    created = await client.post("/api/v1/t/lishu/areas", json=body, headers=auth)
    assert created.status_code == 201, created.text
    assert created.json()["division_code"] == "220322101000"
    mixed = {"kind": "township", "name": "另一个镇", "division_code": "220322１０１000"}
    for duplicate in (mixed, {**mixed, "division_code": "220322101000"}):
        again = await client.post("/api/v1/t/lishu/areas", json=duplicate, headers=auth)
        assert again.status_code == 422
        assert again.json()["errors"][0]["field"] == "division_code"
        assert "已存在" in again.json()["errors"][0]["message"]


OTHER_DIGITS = [
    "٢٢٠٣٢٢١٠١٠٠٠",  # Arabic-Indic
    "۲۲۰۳۲۲۱۰۱۰۰۰",  # Extended Arabic-Indic (Persian)
    "२२०३२२१०१०००",  # Devanagari
    "220322101٠٠٠",  # mixed
]


@pytest.mark.parametrize("code", OTHER_DIGITS)
async def test_other_scripts_digits_are_refused(
    client: httpx.AsyncClient, admin_a: Member, code: str
) -> None:
    auth = await _api(admin_a, client)
    body = {"kind": "township", "name": "郭家店镇", "division_code": code}
    refused = await client.post("/api/v1/t/lishu/areas", json=body, headers=auth)
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {
        "field": "division_code",
        "message": "区划代码须为 12 位数字",
    }


@pytest.mark.parametrize("code", OTHER_DIGITS)
async def test_the_cli_refuses_other_scripts_digits(code: str) -> None:
    tenant = await wusong("tenant", "create", "yitong", "--name", "伊通县", "--division-code", code)
    assert tenant.exit_code == 2
    assert "division_code" in tenant.stderr
    assert "yitong" not in (await wusong("tenant", "list")).stdout


async def test_full_width_tenant_code_is_stored_as_ascii() -> None:
    created = await wusong(
        "tenant", "create", "yitong", "--name", "伊通县", "--division-code", "２２０３２３000000"
    )
    assert created.exit_code == 0, created.stderr
    assert "220323000000" in (await wusong("tenant", "list")).stdout
    again = await wusong(
        "tenant", "create", "other", "--name", "另一个", "--division-code", "220323000000"
    )
    assert again.exit_code == 2
    assert "已被使用" in again.stderr


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
async def test_every_name_field_refuses_invisible_and_reordering_characters(
    client: httpx.AsyncClient, browser: Browser, admin_a: Member, char: str
) -> None:
    from tenants import services
    from tenants.schemas import MemberCreate
    from wusong.core.errors import Invalid

    name = f"郭家{char}店镇"
    auth = await _api(admin_a, client)
    body = {"kind": "township", "name": name, "division_code": "220322101000"}
    area = await client.post("/api/v1/t/lishu/areas", json=body, headers=auth)
    assert area.status_code == 422
    error = area.json()["errors"][0]
    assert error["field"] == "name"
    assert error["message"].startswith("名称不能包含")
    token = await client.post("/api/v1/t/lishu/tokens", json={"name": name}, headers=auth)
    assert token.status_code == 422
    assert token.json()["errors"][0]["field"] == "name"
    await browser.login("admin-a")
    page = await browser.post("/t/lishu/areas/new", body)
    assert page.status_code == 422
    assert "名称不能包含" in page.text
    with pytest.raises(Invalid) as refused:
        async with in_tenant(admin_a.tenant) as ctx:
            await services.create_member(ctx, MemberCreate("wang", name, "viewer", "long-pass-12"))
    assert list(refused.value.errors) == ["display_name"]
    assert refused.value.errors["display_name"].startswith("姓名不能包含")


@pytest.mark.parametrize("char", FORBIDDEN.values(), ids=FORBIDDEN.keys())
async def test_the_cli_refuses_them_in_tenant_and_display_names(char: str) -> None:
    name = f"伊通{char}县"
    tenant = await wusong(
        "tenant", "create", "yitong", "--name", name, "--division-code", "220323000000"
    )
    assert tenant.exit_code == 2
    assert "名称不能包含" in tenant.stderr
    city = await wusong(
        "tenant", "create", "yitong", "--name", "伊通县", "--division-code", "220323000000",
        "--parent-city", f"四平{char}市", "--parent-city-code", "220300",
    )  # fmt: skip
    assert city.exit_code == 2
    assert "上级市名称不能包含" in city.stderr
    await wusong(
        "tenant", "create", "yitong", "--name", "伊通县", "--division-code", "220323000000"
    )
    user = await wusong(
        "user", "create", "wang", "--tenant", "yitong", "--role", "viewer",
        "--display-name", f"王{char}五", stdin="long-password-1\n",
    )  # fmt: skip
    assert user.exit_code == 2
    assert "姓名不能包含" in user.stderr
