"""The ``wusong`` command: platform operations, migrations, server, worker and demo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from wusong.core.errors import DomainError, Invalid, NotFound
from wusong.core.settings import SettingsError, get_settings

T = TypeVar("T")
EXIT_INVALID = 2


# ---- Chinese for click's own words ------------------------------------------------------------
# The operator reads Chinese: our messages are written so, and click's usage lines, help
# headings and errors are rendered so by these classes (every command and group below uses them,
# through ``ZhGroup.command_class``/``group_class``).

_HELP_WORDS = {
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
}
_HELP_MARKS = (("[default: ", "[默认："), ("[required]", "[必填]"), ("[env var: ", "[环境变量："))


class ZhHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HELP_WORDS.get(heading, heading)}：\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        translated = []
        for term, text in rows:
            text = _HELP_WORDS.get(text, text)
            for english, chinese in _HELP_MARKS:
                text = text.replace(english, chinese)
            translated.append((term, text))
        super().write_dl(translated, col_max, col_spacing)


class ZhContext(click.Context):
    formatter_class = ZhHelpFormatter


def _usage_error_text(error: click.UsageError) -> str:
    """Click's usage error in Chinese, naming the option, argument or command."""
    from click import exceptions as ce

    if isinstance(error, ce.MissingParameter):
        hint = error.param.get_error_hint(error.ctx) if error.param else ""
        kind = {"argument": "参数", "option": "选项"}.get(
            error.param_type or (error.param.param_type_name if error.param else ""), "参数"
        )
        return f"缺少{kind} {hint}".rstrip()
    if isinstance(error, ce.NoSuchOption):
        text = f"没有选项 {error.option_name}"
        return text + (
            f"（您是不是想用：{'、'.join(error.possibilities)}）" if error.possibilities else ""
        )
    no_such_command = getattr(ce, "NoSuchCommand", None)
    if no_such_command is not None and isinstance(error, no_such_command):
        text = f"没有命令 {error.command_name}"
        return text + (
            f"（您是不是想用：{'、'.join(error.possibilities)}）" if error.possibilities else ""
        )
    if isinstance(error, ce.BadOptionUsage):
        if "requires an argument" in error.message:
            return f"选项 {error.option_name} 需要一个值"
        if "does not take a value" in error.message:
            return f"选项 {error.option_name} 不接受值"
        return f"选项 {error.option_name} 用法有误"
    if isinstance(error, ce.BadParameter):
        given = error.param_hint
        hint = (
            error.param.get_error_hint(error.ctx)
            if error.param
            else given
            if isinstance(given, str)
            else " / ".join(given or ())
        )
        number = re.match(r"'(.*)' is not a valid (integer|float)", error.message)
        if number:
            return f"{hint} 的值无效：“{number.group(1)}”不是数字"
        return f"{hint} 的值无效（{error.message}）"
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", error.message)
    if extra:
        return f"多余的参数：{extra.group(1)}"
    match = re.match(r"No such command '(.*)'", error.message)
    if match:
        return f"没有命令 {match.group(1)}"
    return error.message


def _show_usage_error(error: click.UsageError) -> None:
    ctx = error.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"运行“{ctx.command_path} --help”查看帮助。\n", err=True)
    click.echo(f"错误：{_usage_error_text(error)}", err=True)


class ZhCommand(click.Command):
    context_class = ZhContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class ZhGroup(click.Group):
    """A group whose commands, subgroups, usage lines, help and errors speak Chinese."""

    context_class = ZhContext
    command_class = ZhCommand
    group_class = type  # subgroups are ZhGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            outcome = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            if error.ctx is not None:
                click.echo(error.ctx.get_help(), err=True)
            sys.exit(error.exit_code)
        except click.UsageError as error:
            _show_usage_error(error)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"错误：{error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("已取消", err=True)
            sys.exit(1)
        sys.exit(outcome if isinstance(outcome, int) else 0)


def fail(message: str, code: int = 1) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def run(factory: Callable[[], Awaitable[T]], *, owner: bool = False) -> T:
    """Run one async operation with the database open; domain errors become one-line exits.

    The operation opens its own unit of work; input is asked for before, never inside one.
    Invalid input and unknown names (a tenant, a user) exit 2, other refusals 1.
    ``owner``: connect as the owner role (PostgreSQL: migrations, cross-tenant operator views).
    """

    async def main() -> T:
        from wusong.core import db

        settings = get_settings()
        async with db.as_owner(settings) if owner else contextlib.nullcontext():
            await db.start(settings)
            try:
                return await factory()
            finally:
                await db.stop()

    try:
        return asyncio.run(main())
    except SettingsError as error:
        fail(str(error), EXIT_INVALID)
    except Invalid as error:
        for field, message in error.errors.items():
            click.echo(f"错误：{field}：{message}", err=True)
        sys.exit(EXIT_INVALID)
    except NotFound as error:
        fail(error.message, EXIT_INVALID)
    except DomainError as error:
        fail(error.message)
    raise AssertionError("unreachable")  # pragma: no cover


def run_unit(action: Callable[[], Awaitable[T]], *, writes: bool, owner: bool = False) -> T:
    """Run ``action`` in one unit of work of its own (the command is its caller)."""
    from wusong.core.db import unit_of_work

    async def work() -> T:
        async with unit_of_work(writes=writes):
            return await action()

    return run(work, owner=owner)


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """无讼（Wusong）：县域矛盾纠纷多元化解与无讼村建设平台的运维命令。"""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    try:
        get_settings()
    except SettingsError as error:
        fail(str(error), EXIT_INVALID)


# ---- database --------------------------------------------------------------------------------


@main.command()
def migrate() -> None:
    """执行所有待执行的数据库迁移（SQLite 或 PostgreSQL）。"""
    from wusong.migrate import migrate_all

    # PostgreSQL: as WUSONG_DATABASE_OWNER_URL's owner role; then grants the runtime role of
    # WUSONG_DATABASE_URL what it needs (again on every run).
    run(lambda: migrate_all(get_settings()), owner=True)
    click.echo("数据库迁移已完成")


# ---- tenants ---------------------------------------------------------------------------------


@main.group()
def tenant() -> None:
    """新建、列出、停用与启用租户（区县）。"""


@tenant.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="区县名称，如 梨树县")
@click.option("--division-code", required=True, help="12 位区划代码，如 220322000000")
@click.option("--parent-city", default="", help="上级市名称，如 四平市（须同时给出其代码）")
@click.option(
    "--parent-city-code",
    default="",
    help="上级市区划代码（6 或 12 位），须为区县代码前 4 位加 00，如 220300；省略时自动推得",
)
def tenant_create(
    slug: str, name: str, division_code: str, parent_city: str, parent_city_code: str
) -> None:
    """新建租户（区县）。SLUG 为其英文标识，如 lishu。"""
    from tenants import services
    from tenants.schemas import TenantCreate

    data = TenantCreate(slug, name, division_code, parent_city, parent_city_code)
    created = run_unit(lambda: services.create_tenant(data), writes=True)
    click.echo(
        f"已新建区县 {created.slug}（{created.name}，区划代码 {created.division_code}，"
        f"上级市代码 {created.parent_city_code}）"
    )


@tenant.command("list")
def tenant_list() -> None:
    """列出所有区县及其状态与成员数。"""
    from tenants import repo

    # Member counts across tenants: cross-tenant by nature, so it runs as the owner role,
    # which row-level security lets through (the runtime role sees one tenant at a time).
    rows = run_unit(repo.list_tenants, writes=False, owner=True)
    if not rows:
        click.echo("尚无区县")
    for row in rows:
        state = "启用" if row.active else "已停用"
        click.echo(
            f"{row.slug:<14} {row.division_code}  {state:<4} {row.members:>4} 名成员  "
            f"{row.parent_city}{row.name}"
        )


@tenant.command("deactivate")
@click.argument("slug")
def tenant_deactivate(slug: str) -> None:
    """停用区县：其用户不能再登录；不删除任何数据。"""
    _set_tenant_active(slug, False)
    click.echo(f"已停用区县 {slug}")


@tenant.command("activate")
@click.argument("slug")
def tenant_activate(slug: str) -> None:
    """重新启用已停用的区县。"""
    _set_tenant_active(slug, True)
    click.echo(f"已启用区县 {slug}")


def _set_tenant_active(slug: str, active: bool) -> None:
    from tenants import services

    run_unit(lambda: services.set_tenant_active(slug, active), writes=True)


# ---- users and tokens ------------------------------------------------------------------------


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(
            click.prompt(
                "密码",
                hide_input=True,
                confirmation_prompt="再次输入密码",
            )
        )
    return sys.stdin.readline().rstrip("\n")


async def _in_tenant(slug: str, work: Callable[[Any], Awaitable[T]], *, writes: bool) -> T:
    """Run ``work(ctx)`` as the platform in one unit of work bound to the tenant ``slug``."""
    from tenants import repo
    from wusong.core.db import set_tenant, unit_of_work
    from wusong.core.tenancy import system_context

    async with unit_of_work(writes=writes):
        tenant = await repo.tenant_by_slug(slug)
        if tenant is None:
            raise Invalid({"tenant": f"没有标识为 {slug} 的区县"})
        await set_tenant(tenant.id)
        return await work(system_context(tenant, "platform"))


def _user_exists(username: str) -> bool:
    from tenants import repo

    return run_unit(lambda: repo.user_by_username(username), writes=False) is not None


@main.group()
def user() -> None:
    """新建用户、授予其在区县的角色、由平台重置密码。"""


@user.command("create")
@click.argument("username")
@click.option("--tenant", "slug", required=True, help="区县标识，如 lishu")
@click.option(
    "--role",
    required=True,
    help="角色：admin、mediator、court_reviewer、inspector、village_officer 或 viewer",
)
@click.option("--display-name", default="", help="在系统中显示的姓名（默认为用户名）")
def user_create(username: str, slug: str, role: str, display_name: str) -> None:
    """在区县中新建用户 USERNAME，或把已有用户加入该区县。

    新用户的密码从提示输入，或从标准输入的第一行读取，绝不经命令行参数。已有用户不读取、
    也不修改其密码（重置密码请用 wusong user reset-password）。
    """
    from tenants import services
    from tenants.schemas import MemberCreate

    name = username.strip()
    existing = _user_exists(name)
    password = "" if existing else _read_password()

    async def work(ctx: Any) -> str:
        if existing:
            await services.add_existing_user(ctx, name, role)
            ignored = "，--display-name 也未使用" if display_name else ""
            return (
                f"用户 {name} 已存在：已把其加入区县 {slug}，角色 {role}。"
                f"未读取也未使用任何密码，其原有密码不变{ignored}；"
                f"如需重置密码，请执行 wusong user reset-password {name}"
            )
        data = MemberCreate(name, display_name or name, role, password)
        await services.create_member(ctx, data, must_change_password=False)
        return f"已新建用户 {name}，加入区县 {slug}，角色 {role}"

    click.echo(run(lambda: _in_tenant(slug, work, writes=True)))


@user.command("reset-password")
@click.argument("username")
def user_reset_password(username: str) -> None:
    """为 USERNAME 设置临时密码（下次登录时须修改），适用于其所在的所有区县。

    属于多个区县的用户只能这样重置密码，区县管理员不能重置。该用户的登录会话全部退出，各区县的
    API 令牌全部吊销，其所在的每个区县都在审计日志中记录这次重置。密码从提示输入，或从标准输入的
    第一行读取，绝不经命令行参数。
    """
    from tenants import services
    from tenants.schemas import PasswordReset

    name = username.strip()
    if not _user_exists(name):
        fail(f"没有用户 {name}", EXIT_INVALID)
    data = PasswordReset(_read_password())
    tenants = run_unit(lambda: services.reset_password_everywhere(name, data), writes=True)
    where = "、".join(f"{t.name}（{t.slug}）" for t in tenants) or "无"
    click.echo(f"已重置用户 {name} 的密码：下次登录时须修改密码；已记入审计日志的区县：{where}")


@main.group()
def token() -> None:
    """API 令牌。"""


@token.command("create")
@click.argument("username")
@click.option("--tenant", "slug", required=True, help="区县标识，如 lishu")
@click.option("--name", "token_name", default="cli", help="令牌名称")
def token_create(username: str, slug: str, token_name: str) -> None:
    """为区县中的用户 USERNAME 新建 API 令牌：只显示这一次，数据库只存其哈希。"""
    from tenants import repo, services
    from tenants.schemas import TokenCreate

    async def work(ctx: Any) -> str:
        user = await repo.user_by_username(username)
        member = await repo.member_by_user(ctx, user.id) if user else None
        if user is None or member is None:
            raise Invalid({"username": f"{username} 不是区县 {slug} 的成员"})
        created = await services.create_token(ctx, user.id, TokenCreate(token_name))
        return created.token

    click.echo(run(lambda: _in_tenant(slug, work, writes=True)))


# ---- audit -------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """区县审计日志。"""


@audit.command("verify")
@click.option("--tenant", "slug", default=None, help="区县标识，如 lishu（默认：全部区县）")
def audit_verify(slug: str | None) -> None:
    """核对各区县审计日志的哈希链（HMAC）及锚点；有损坏时指出第一条损坏的记录并以 1 退出。"""
    from tenants import audit as audit_log
    from tenants.anchors import default_store

    anchors = default_store().read()
    results = run_unit(
        lambda: audit_log.for_each_tenant(slug, lambda ctx: audit_log.verify_chain(ctx, anchors)),
        writes=False,
    )
    broken = False
    for ctx, (count, problems) in results:
        name = f"{ctx.tenant_slug}（{ctx.tenant_name}）"
        if problems:
            broken = True
            problem = problems[0]
            row = f"（id {problem.event_id}）" if problem.event_id else ""
            click.echo(f"{name}：第 {problem.seq} 条{row}：{problem.reason}", err=True)
            continue
        checked = sum(1 for a in anchors if a.tenant == str(ctx.tenant_id))
        click.echo(f"{name}：共 {count} 条，链完整，已核对 {checked} 个锚点")
    if broken:
        sys.exit(1)


@audit.command("anchor")
@click.option("--tenant", "slug", default=None, help="区县标识，如 lishu（默认：全部区县）")
def audit_anchor(slug: str | None) -> None:
    """立即把各区县审计链的链头记入锚点日志（后台任务每小时也会执行）。"""
    from tenants import audit as audit_log

    for anchor in run(lambda: audit_log.anchor_heads(slug)):
        click.echo(f"{anchor.slug}：锚定第 {anchor.seq} 条 {anchor.hash[:16]}…")


@audit.command("rekey")
@click.option("--tenant", "slug", default=None, help="区县标识，如 lishu（默认：全部区县）")
@click.option(
    "--previous-key-file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="更换密钥时：保存原 WUSONG_AUDIT_KEY 的文件",
)
def audit_rekey(slug: str | None, previous_key_file: str | None) -> None:
    """用 WUSONG_AUDIT_KEY 重新签名审计链（一次性；以数据库所有者身份运行）。

    先核对旧的 SHA-256 链（或 --previous-key-file 的链），再在一个事务内全部重新签名；
    任何一条链核对不通过则拒绝，且不做任何修改。
    """
    from pathlib import Path

    from tenants import audit as audit_log
    from tenants.anchors import default_store

    previous = []
    if previous_key_file:
        previous.append(audit_log.ChainKey.from_secret(Path(previous_key_file).read_text().strip()))
    # As the owner: only the owner may lift the append-only triggers (inside this transaction).
    heads = run_unit(lambda: audit_log.rekey(slug, previous), writes=True, owner=True)
    default_store().append(heads)  # the new heads, so the anchors follow the new signatures
    for anchor in heads:
        click.echo(f"{anchor.slug}：已重新签名 {anchor.seq} 条，密钥标识 {anchor.key_id}")


# ---- processes ---------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@click.option("--workers", default=1, show_default=True, type=int, help="进程数")
def serve(host: str, port: int, workers: int) -> None:
    """运行 Web 服务（uvicorn）。"""
    import uvicorn

    uvicorn.run(
        "wusong.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


@main.command()
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
def worker(burst: bool) -> None:
    """运行 arq 后台任务进程。"""
    from arq.worker import run_worker

    from wusong.worker import WorkerSettings

    run_worker(WorkerSettings, burst=burst)  # type: ignore[arg-type]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
def demo(host: str, port: int) -> None:
    """在前台运行演示：迁移、载入演示数据，再运行 Web 服务与后台任务（Ctrl+C 停止）。

    演示数据只载入一次，数据库在 var/ 中；重复运行是安全的。
    """
    from wusong.demo import run_demo

    run_demo(host, port)


if __name__ == "__main__":  # pragma: no cover
    main()
