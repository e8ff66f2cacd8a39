"""The platform operator's commands, run as a real process against the test database."""

from __future__ import annotations

import httpx
import pytest

from tests.tenants.test_audit import wusong_cli


async def test_operator_creates_tenant_user_and_token_then_uses_the_api(
    client: httpx.AsyncClient,
) -> None:
    created = wusong_cli(
        "tenant",
        "create",
        "lishu",
        "--name",
        "梨树县",
        "--division-code",
        "220322000000",
        "--parent-city",
        "四平市",
    )
    assert created.returncode == 0, created.stderr
    user = wusong_cli(
        "user",
        "create",
        "zhang",
        "--tenant",
        "lishu",
        "--role",
        "admin",
        stdin="a-long-password-1\n",
    )
    assert user.returncode == 0, user.stderr
    assert "a-long-password-1" not in user.stdout + user.stderr
    token = wusong_cli("token", "create", "zhang", "--tenant", "lishu")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert secret.startswith("wst_")
    me = await client.get("/api/v1/t/lishu/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["role"] == "admin"
    listing = wusong_cli("tenant", "list")
    assert "lishu" in listing.stdout
    assert "四平市梨树县" in listing.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "field"),
    [
        (
            ("tenant", "create", "Bad Slug", "--name", "x", "--division-code", "220322000000"),
            "",
            "slug",
        ),
        (("tenant", "create", "ok", "--name", "", "--division-code", "220322000000"), "", "name"),
        (
            ("tenant", "create", "ok", "--name", "长" * 61, "--division-code", "220322000000"),
            "",
            "name",
        ),
        (("tenant", "create", "ok", "--name", "x", "--division-code", "2203"), "", "division_code"),
        (
            ("user", "create", "li", "--tenant", "lishu", "--role", "boss"),
            "long-password-1\n",
            "role",
        ),
        (("user", "create", "li", "--tenant", "lishu", "--role", "admin"), "short\n", "password"),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    args: tuple[str, ...], stdin: str, field: str
) -> None:
    seed = wusong_cli(
        "tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000"
    )
    assert seed.returncode == 0, seed.stderr
    result = wusong_cli(*args, stdin=stdin)
    assert result.returncode == 2
    assert f"error: {field}:" in result.stderr
    assert "Traceback" not in result.stderr
    listing = wusong_cli("tenant", "list").stdout
    assert listing.count("\n") == 1  # only the seed tenant


def test_duplicate_slug_and_deactivate_activate() -> None:
    wusong_cli("tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000")
    duplicate = wusong_cli(
        "tenant", "create", "lishu", "--name", "另一个", "--division-code", "220323000000"
    )
    assert duplicate.returncode == 2
    assert "已被使用" in duplicate.stderr
    assert wusong_cli("tenant", "deactivate", "lishu").returncode == 0
    assert "inactive" in wusong_cli("tenant", "list").stdout
    assert wusong_cli("tenant", "activate", "lishu").returncode == 0
    unknown = wusong_cli("tenant", "deactivate", "nowhere")
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("error:")


def test_every_command_has_help() -> None:
    for command in (
        (),
        ("tenant",),
        ("tenant", "create"),
        ("tenant", "list"),
        ("tenant", "deactivate"),
        ("user", "create"),
        ("token", "create"),
        ("audit", "verify"),
        ("migrate",),
        ("serve",),
        ("worker",),
        ("demo",),
    ):
        result = wusong_cli(*command, "--help")
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage:" in result.stdout
