"""One typed settings object, read from the environment once and validated at start-up."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the wusong package
SOURCE_ROOT = PACKAGE_DIR.parent.parent  # the repository root in a checkout
# Where the wheel installs templates/ (pyproject's data-files): <prefix>/share/wusong/templates
INSTALLED_TEMPLATES = Path(sys.prefix) / "share" / "wusong" / "templates"


class SettingsError(ValueError):
    """A setting is invalid; the message names the environment variable."""


def _default_templates_dir() -> Path:
    for candidate in (SOURCE_ROOT / "templates", INSTALLED_TEMPLATES):
        if (candidate / "base.html").is_file():
            return candidate
    return SOURCE_ROOT / "templates"


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    redis_url: str
    secret_key: str
    data_dir: Path
    templates_dir: Path
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    # Sign-in throttling (README "Sign-in throttling"): failures counted in a sliding window.
    login_window_minutes: int = 15
    login_max_failures_per_account_client: int = 5  # then 429 for that account from that client
    login_max_failures_per_client: int = 100  # then 429 for that client, whatever the account
    login_account_delay_after: int = 10  # account-wide: then a growing delay, never a lock
    login_delay_base_seconds: int = 2
    login_delay_max_seconds: int = 900
    # HMAC-SHA-256 key of the audit chain; it never enters the database (tenants/audit.py).
    audit_key: str = ""
    # Key of parties' ID numbers (AES-GCM and the keyed search hash, mediation/identity.py);
    # never in the database. Losing it makes stored ID numbers unreadable.
    data_key: str = ""
    # Serving requests: waiting for a pooled connection (or the SQLite writer) and one statement
    # (or SQLite's busy wait) end after this many seconds with a 503, never an endless wait.
    database_acquire_timeout: int = 5
    database_statement_timeout: int = 5
    # PostgreSQL: the role that owns the tables and runs `wusong migrate` (DDL, grants). The
    # runtime role of database_url owns nothing. SQLite has no roles: both are the same file.
    database_owner_url: str | None = None
    # Where people reach the product: printed into documents' verification QR codes and links.
    public_url: str = "http://127.0.0.1:8000"
    # PDF rendering (reports.documents.render): processes of the render pool, one render each.
    render_processes: int = 1

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def owner_url(self) -> str:
        """The URL `wusong migrate` connects with; SettingsError when PostgreSQL has none."""
        if self.database_owner_url:
            return self.database_owner_url
        if self.is_postgres:
            raise SettingsError(
                "PostgreSQL 需要设置 WUSONG_DATABASE_OWNER_URL：迁移以拥有数据表的角色运行，"
                "应用以 WUSONG_DATABASE_URL 的运行角色运行"
            )
        return self.database_url

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} 应为整数，实际为 {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} 不能小于 {minimum}，实际为 {value}")
    return value


def _key(variable: str, file_name: str, env: str, data_dir: Path) -> str:
    """A secret from ``variable``: at least 32 characters, required in production; in
    development generated once and kept in ``data_dir / file_name`` (mode 0600), so sessions
    and the audit chain survive restarts."""
    key = os.environ.get(variable, "")
    if key:
        if len(key) < 32:
            raise SettingsError(f"{variable} 至少需要 32 个字符")
        return key
    if env == "production":
        raise SettingsError(f"WUSONG_ENV=production 时必须设置 {variable}")
    key_file = data_dir / file_name
    if key_file.is_file():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _owner_url(database_url: str) -> str | None:
    """WUSONG_DATABASE_OWNER_URL: PostgreSQL only, same server and database, another role."""
    raw = os.environ.get("WUSONG_DATABASE_OWNER_URL", "")
    if not raw:
        return None
    runtime, owner = urlsplit(database_url), urlsplit(raw)
    if runtime.scheme == "sqlite":
        if raw != database_url:
            raise SettingsError(
                "WUSONG_DATABASE_OWNER_URL 仅用于 PostgreSQL；使用 SQLite 时请不要设置"
            )
        return None
    if owner.scheme not in {"postgres", "postgresql"}:
        raise SettingsError(
            f"WUSONG_DATABASE_OWNER_URL 应以 postgresql:// 开头，实际协议为 {owner.scheme!r}"
        )
    if (owner.hostname, owner.port, owner.path) != (runtime.hostname, runtime.port, runtime.path):
        raise SettingsError(
            "WUSONG_DATABASE_OWNER_URL 应与 WUSONG_DATABASE_URL 指向同一服务器和同一数据库"
            "（只有角色不同）"
        )
    if not runtime.username:
        raise SettingsError(
            "设置了 WUSONG_DATABASE_OWNER_URL 时，WUSONG_DATABASE_URL 须写明运行角色"
            "（postgresql://角色@主机/数据库）：迁移会为该角色授予所需权限"
        )
    if not owner.username or owner.username == runtime.username:
        raise SettingsError(
            "WUSONG_DATABASE_OWNER_URL 须写明所有者角色，且不同于 WUSONG_DATABASE_URL 的"
            "运行角色（运行角色不拥有任何对象）"
        )
    return raw


def load_settings() -> Settings:
    """Read and validate the environment; raise SettingsError naming the bad variable."""
    env = os.environ.get("WUSONG_ENV", "development")
    if env not in {"development", "production", "test"}:
        raise SettingsError(f"WUSONG_ENV 应为 development、production 或 test，实际为 {env!r}")
    data_dir = Path(os.environ.get("WUSONG_DATA_DIR") or SOURCE_ROOT / "var").resolve()
    database_url = (
        os.environ.get("WUSONG_DATABASE_URL") or f"sqlite:///{data_dir / 'wusong.sqlite3'}"
    )
    scheme = urlsplit(database_url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql"}:
        raise SettingsError(
            f"WUSONG_DATABASE_URL 应以 sqlite:/// 或 postgresql:// 开头，实际协议为 {scheme!r}"
        )
    if scheme == "sqlite" and not database_url.startswith("sqlite:///"):
        raise SettingsError("SQLite 的 WUSONG_DATABASE_URL 应形如 sqlite:///路径/文件名")
    owner_url = _owner_url(database_url)
    redis_url = os.environ.get("WUSONG_REDIS_URL") or "redis://127.0.0.1:6379/0"
    if urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError(f"WUSONG_REDIS_URL 应为 redis:// 地址，实际为 {redis_url!r}")
    templates_dir = Path(os.environ.get("WUSONG_TEMPLATES_DIR") or _default_templates_dir())
    if not (templates_dir / "base.html").is_file():
        raise SettingsError(f"WUSONG_TEMPLATES_DIR 中没有 base.html：{templates_dir}")
    proxies = os.environ.get("WUSONG_TRUSTED_PROXIES", "")
    public_url = (os.environ.get("WUSONG_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
    if urlsplit(public_url).scheme not in {"http", "https"} or not urlsplit(public_url).netloc:
        raise SettingsError(f"WUSONG_PUBLIC_URL 应为 http(s):// 地址，实际为 {public_url!r}")
    return Settings(
        env=env,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=_key("WUSONG_SECRET_KEY", "secret_key", env, data_dir),
        data_dir=data_dir,
        templates_dir=templates_dir,
        trusted_proxies=frozenset(p.strip() for p in proxies.split(",") if p.strip()),
        session_idle_minutes=_int("WUSONG_SESSION_IDLE_MINUTES", 120),
        session_absolute_hours=_int("WUSONG_SESSION_ABSOLUTE_HOURS", 12),
        login_window_minutes=_int("WUSONG_LOGIN_WINDOW_MINUTES", 15),
        login_max_failures_per_account_client=_int(
            "WUSONG_LOGIN_MAX_FAILURES_PER_ACCOUNT_CLIENT", 5
        ),
        login_max_failures_per_client=_int("WUSONG_LOGIN_MAX_FAILURES_PER_CLIENT", 100),
        login_account_delay_after=_int("WUSONG_LOGIN_ACCOUNT_DELAY_AFTER", 10),
        login_delay_base_seconds=_int("WUSONG_LOGIN_DELAY_BASE_SECONDS", 2),
        login_delay_max_seconds=_int("WUSONG_LOGIN_DELAY_MAX_SECONDS", 900),
        # The audit chain's HMAC key (tenants/audit.py): never in the database.
        audit_key=_key("WUSONG_AUDIT_KEY", "audit_key", env, data_dir),
        data_key=_key("WUSONG_DATA_KEY", "data_key", env, data_dir),
        database_acquire_timeout=_int("WUSONG_DATABASE_ACQUIRE_TIMEOUT", 5),
        database_statement_timeout=_int("WUSONG_DATABASE_STATEMENT_TIMEOUT", 5),
        database_owner_url=owner_url,
        public_url=public_url,
        render_processes=_int("WUSONG_RENDER_PROCESSES", 1),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
