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
    assert f"错误：{field}：" in result.stderr
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
    assert "已新建用户 liu，加入区县 lishu，角色 mediator" in new.stdout
    existing = await wusong(
        "user", "create", "liu", "--tenant", "tiexi", "--role", "viewer",
        stdin="another-password-1\n",
    )  # fmt: skip
    assert existing.exit_code == 0, existing.stderr
    assert "用户 liu 已存在：已把其加入区县 tiexi，角色 viewer" in existing.stdout
    assert "未读取也未使用任何密码，其原有密码不变" in existing.stdout
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
    assert "已停用" in (await wusong("tenant", "list")).stdout
    assert (await wusong("tenant", "activate", "lishu")).exit_code == 0
    assert "已停用" not in (await wusong("tenant", "list")).stdout


async def test_every_command_has_help() -> None:
    for command in (
        (),
        ("tenant",),
        ("tenant", "create"),
        ("tenant", "list"),
        ("tenant", "deactivate"),
        ("user", "create"),
        ("user", "reset-password"),
        ("token", "create"),
        ("audit", "verify"),
        ("migrate",),
        ("serve",),
        ("worker",),
        ("demo",),
    ):
        result = await wusong(*command, "--help")
        assert result.exit_code == 0, (command, result.stderr)
        assert result.stdout.startswith("用法："), result.stdout
        assert "Usage" not in result.stdout
        assert "Options" not in result.stdout
        assert "选项：" in result.stdout
        assert "显示本帮助并退出" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "错误：没有命令 nope"),
        (("tenant", "craete"), "错误：没有命令 craete（您是不是想用：create）"),
        (("tenant", "create"), "错误：缺少参数 'SLUG'"),
        (("tenant", "create", "x", "--division-code", "220322000000"), "错误：缺少选项 '--name'"),
        (
            ("tenant", "create", "x", "--nmae", "梨树县"),
            "错误：没有选项 --nmae（您是不是想用：--name）",
        ),
        (("tenant", "create", "x", "--name"), "错误：选项 --name 需要一个值"),
        (("tenant", "list", "extra"), "错误：多余的参数：extra"),
        (("serve", "--port", "abc"), "错误：'--port' 的值无效：“abc”不是数字"),
    ],
)
async def test_clicks_own_errors_are_chinese_and_exit_2(
    args: tuple[str, ...], message: str
) -> None:
    result = await wusong(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Error" not in result.stderr
    assert "Usage" not in result.stderr
    assert "Try " not in result.stderr


async def test_the_parent_city_must_be_the_countys_prefecture() -> None:
    """公主岭市 (220184) is under 长春市 (220100), not 四平市 (220300)."""
    wrong = await wusong(
        "tenant", "create", "gongzhuling", "--name", "公主岭市", "--division-code", "220184000000",
        "--parent-city", "四平市", "--parent-city-code", "220300",
    )  # fmt: skip
    assert wrong.exit_code == 2
    assert "parent_city_code" in wrong.stderr
    assert "四平市（220300）不是公主岭市（220184）的上级市" in wrong.stderr
    assert "220100" in wrong.stderr
    unchecked = await wusong(
        "tenant", "create", "gongzhuling", "--name", "公主岭市", "--division-code", "220184000000",
        "--parent-city", "四平市",
    )  # fmt: skip
    assert unchecked.exit_code == 2
    assert "须同时给出其区划代码（按区县代码应为 220100000000）" in unchecked.stderr
    assert "gongzhuling" not in (await wusong("tenant", "list")).stdout
    right = await wusong(
        "tenant", "create", "gongzhuling", "--name", "公主岭市", "--division-code", "220184000000",
        "--parent-city", "长春市", "--parent-city-code", "220100000000",
    )  # fmt: skip
    assert right.exit_code == 0, right.stderr
    derived = await wusong(
        "tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000"
    )
    assert derived.exit_code == 0, derived.stderr
    assert "上级市代码 220300000000" in derived.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("tenant", "activate", "nowhere"), "nowhere"),
        (("tenant", "deactivate", "nowhere"), "nowhere"),
        (("audit", "verify", "--tenant", "nowhere"), "nowhere"),
        (("token", "create", "liu", "--tenant", "nowhere"), "nowhere"),
        (("token", "create", "nobody", "--tenant", "lishu"), "nobody"),
        (("user", "create", "wang", "--tenant", "nowhere", "--role", "viewer"), "nowhere"),
        (("user", "reset-password", "nobody"), "nobody"),
    ],
)
async def test_an_unknown_tenant_or_user_exits_2_naming_it(
    args: tuple[str, ...], named: str
) -> None:
    await wusong("tenant", "create", "lishu", "--name", "梨树县", "--division-code", "220322000000")
    before = (await wusong("tenant", "list")).stdout
    result = await wusong(*args, stdin="long-password-1\n")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("错误：")
    assert named in result.stderr
    assert (await wusong("tenant", "list")).stdout == before
