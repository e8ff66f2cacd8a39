"""The platform operator's commands: in-process (click's runner) for the rules, and once as a
real process from end to end."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import run_cli
from tests.factories import wusong


async def test_operator_creates_tenant_user_and_token_then_uses_the_api(
    client: httpx.AsyncClient,
) -> None:
    """End to end, as an operator types it: real processes, the password on standard input."""
    created = run_cli(
        "tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000",
        "--parent-city", "四平市", "--parent-city-code", "220300",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    user = run_cli(
        "user", "create", "zhang", "--tenant", "lishu", "--role", "admin",
        stdin="a-long-password-1\n",
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    assert "a-long-password-1" not in user.stdout + user.stderr
    token = run_cli("token", "create", "zhang", "--tenant", "lishu")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert secret.startswith("wst_")
    me = await client.get("/api/v1/t/lishu/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["role"] == "admin"
    listing = run_cli("tenant", "list")
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
            ("user", "create", "liu", "--tenant", "lishu", "--role", "boss"),
            "long-password-1\n",
            "role",
        ),
        (("user", "create", "liu", "--tenant", "lishu", "--role", "admin"), "short\n", "password"),
    ],
)
async def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    args: tuple[str, ...], stdin: str, field: str
) -> None:
    seed = await wusong(
        "tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000"
    )
    assert seed.exit_code == 0, seed.stderr
    before = (await wusong("tenant", "list")).stdout
    result = await wusong(*args, stdin=stdin)
    assert result.exit_code == 2
    assert f"error: {field}:" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (await wusong("tenant", "list")).stdout == before  # only the seed tenant, unchanged


async def test_user_create_asks_for_the_password_only_for_a_new_user() -> None:
    await wusong("tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000")
    await wusong("tenant", "create", "tiexi", "--name", "铁西区", "--division-code", "220302000000")
    new = await wusong(
        "user",
        "create",
        "liu",
        "--tenant",
        "lishu",
        "--role",
        "mediator",
        stdin="long-password-1\n",
    )
    assert new.exit_code == 0, new.stderr
    assert "created user liu in lishu as mediator" in new.stdout
    existing = await wusong("user", "create", "liu", "--tenant", "tiexi", "--role", "viewer")
    assert existing.exit_code == 0, existing.stderr
    assert "added existing user liu in tiexi as viewer" in existing.stdout
    again = await wusong("user", "create", "liu", "--tenant", "tiexi", "--role", "viewer")
    assert again.exit_code == 2
    assert "已是本区县成员" in again.stderr


async def test_duplicate_slug_and_deactivate_activate() -> None:
    await wusong("tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000")
    duplicate = await wusong(
        "tenant", "create", "lishu", "--name", "另一个", "--division-code", "220323000000"
    )
    assert duplicate.exit_code == 2
    assert "已被使用" in duplicate.stderr
    assert (await wusong("tenant", "deactivate", "lishu")).exit_code == 0
    assert "inactive" in (await wusong("tenant", "list")).stdout
    assert (await wusong("tenant", "activate", "lishu")).exit_code == 0
    unknown = await wusong("tenant", "deactivate", "nowhere")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("error:")


async def test_every_command_has_help() -> None:
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
        result = await wusong(*command, "--help")
        assert result.exit_code == 0, (command, result.stderr)
        assert "Usage:" in result.stdout
