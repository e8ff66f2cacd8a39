"""Settings come from the environment; an invalid one stops start-up naming the variable."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("WUSONG_DATABASE_URL", "mysql://x/y", "WUSONG_DATABASE_URL"),
        ("WUSONG_DATABASE_URL", "sqlite://relative", "WUSONG_DATABASE_URL"),
        ("WUSONG_REDIS_URL", "http://localhost", "WUSONG_REDIS_URL"),
        ("WUSONG_SECRET_KEY", "short", "WUSONG_SECRET_KEY"),
        ("WUSONG_ENV", "staging", "WUSONG_ENV"),
        ("WUSONG_SESSION_IDLE_MINUTES", "soon", "WUSONG_SESSION_IDLE_MINUTES"),
        ("WUSONG_LOGIN_ACCOUNT_DELAY_AFTER", "0", "WUSONG_LOGIN_ACCOUNT_DELAY_AFTER"),
    ],
)
def test_invalid_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    from wusong.core.settings import SettingsError, load_settings

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=message):
        load_settings()


def test_production_requires_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from wusong.core.settings import SettingsError, load_settings

    monkeypatch.setenv("WUSONG_ENV", "production")
    monkeypatch.delenv("WUSONG_SECRET_KEY")
    with pytest.raises(SettingsError, match="必须设置 WUSONG_SECRET_KEY"):
        load_settings()


def test_development_generates_and_keeps_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    from wusong.core.settings import load_settings

    data = Path(str(tmp_path))
    monkeypatch.setenv("WUSONG_ENV", "development")
    monkeypatch.setenv("WUSONG_DATA_DIR", str(data))
    monkeypatch.delenv("WUSONG_SECRET_KEY")
    first = load_settings().secret_key
    assert len(first) >= 32
    assert load_settings().secret_key == first
    assert (data / "secret_key").stat().st_mode & 0o077 == 0


def test_cli_refuses_to_start_with_a_bad_setting() -> None:
    import os

    old = os.environ["WUSONG_DATABASE_URL"]
    os.environ["WUSONG_DATABASE_URL"] = "oracle://nope"
    try:
        result = run_cli("tenant", "list")  # a real process: settings are read at start-up
    finally:
        os.environ["WUSONG_DATABASE_URL"] = old
    assert result.returncode == 2
    assert "WUSONG_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("runtime", "owner", "message"),
    [
        ("sqlite:///var/x.sqlite3", "postgresql://o@h/db", "仅用于 PostgreSQL"),
        ("postgresql://app@h/db", "sqlite:///x", "应以 postgresql:// 开头"),
        ("postgresql://app@h/db", "postgresql://app@h/db", "不同于"),
        ("postgresql://app@h/db", "postgresql://owner@h/other", "同一服务器和同一数据库"),
        ("postgresql://h/db", "postgresql://owner@h/db", "须写明运行角色"),
    ],
)
def test_owner_url_is_checked_against_the_runtime_url(
    monkeypatch: pytest.MonkeyPatch, runtime: str, owner: str, message: str
) -> None:
    from wusong.core.settings import SettingsError, load_settings

    monkeypatch.setenv("WUSONG_DATABASE_URL", runtime)
    monkeypatch.setenv("WUSONG_DATABASE_OWNER_URL", owner)
    with pytest.raises(SettingsError, match=message):
        load_settings()


def test_postgres_migrate_needs_the_owner_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from wusong.core.settings import SettingsError, load_settings

    monkeypatch.setenv("WUSONG_DATABASE_URL", "postgresql://app@127.0.0.1/db")
    monkeypatch.delenv("WUSONG_DATABASE_OWNER_URL", raising=False)
    settings = load_settings()  # serve and worker need the runtime URL only
    with pytest.raises(SettingsError, match="需要设置 WUSONG_DATABASE_OWNER_URL"):
        _ = settings.owner_url
    monkeypatch.setenv("WUSONG_DATABASE_OWNER_URL", "postgresql://owner@127.0.0.1/db")
    assert load_settings().owner_url == "postgresql://owner@127.0.0.1/db"
    monkeypatch.setenv("WUSONG_DATABASE_URL", "sqlite:///var/x.sqlite3")
    monkeypatch.delenv("WUSONG_DATABASE_OWNER_URL")
    assert load_settings().owner_url == "sqlite:///var/x.sqlite3"  # SQLite: no roles
