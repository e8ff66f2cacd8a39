"""Apply Piccolo migrations of every domain app, forwards, on SQLite or PostgreSQL.

On PostgreSQL this runs as the owner role (``WUSONG_DATABASE_OWNER_URL``, see
``wusong.core.db.as_owner``) and then (re)applies, idempotently, what the runtime role of
``WUSONG_DATABASE_URL`` may do: DML on the tables it needs, never ownership or DDL.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from piccolo.apps.migrations.commands.forwards import run_forwards

from wusong.core.db import get_engine
from wusong.core.errors import DomainError
from wusong.core.settings import Settings

# What the runtime role may do per table; every other table (but Piccolo's own) gets
# SELECT, INSERT, UPDATE, DELETE. Row-level security then narrows the rows.
RUNTIME_DML = "SELECT, INSERT, UPDATE, DELETE"
RUNTIME_TABLE_GRANTS = {
    # Append-only: no UPDATE, DELETE or TRUNCATE (a trigger refuses them as well).
    "audit_events": "SELECT, INSERT",
    # Tenants are never deleted, only deactivated.
    "tenants": "SELECT, INSERT, UPDATE",
}
# users: every column but password_hash is readable; the hash is read one account at a time
# through wusong_login_user(username). So no runtime connection can list password hashes.
USERS_HIDDEN_COLUMNS = {"password_hash"}
MIGRATIONS_TABLE = "migration"  # Piccolo's bookkeeping: the owner's business only


async def migrate_all(settings: Settings | None = None) -> None:
    """Apply every migration, then (PostgreSQL) the runtime role's grants.

    The caller connects as the owner (``db.as_owner``); ``settings`` names the runtime role.
    """
    engine = get_engine()
    if engine.engine_type == "sqlite":
        # WAL lets readers run while one writer commits; it is a property of the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards("all")
    if not result.success:
        raise DomainError(f"数据库迁移失败：{result.message}")
    if engine.engine_type == "postgres" and settings is not None:
        await grant_runtime_role(runtime_role(settings))


def runtime_role(settings: Settings) -> str:
    name = unquote(urlsplit(settings.database_url).username or "")
    if not name:
        raise DomainError("WUSONG_DATABASE_URL 没有写明要授权的运行角色")
    return name


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def grant_runtime_role(role: str) -> None:
    """Converge the runtime role's privileges (revoke all, grant what it needs), the owner's
    row-level-security access, and EXECUTE on the authentication functions."""
    engine = get_engine()
    info = (
        await engine.run_ddl(
            "SELECT current_schema() AS schema, current_user AS owner, "
            f"(SELECT count(*) FROM pg_roles WHERE rolname = '{_literal(role)}') AS role_exists"
        )
    )[0]
    schema, owner = info["schema"], info["owner"]
    if not info["role_exists"]:
        raise DomainError(f"WUSONG_DATABASE_URL 的运行角色 {role!r} 不存在")
    if role == owner:
        raise DomainError(
            "WUSONG_DATABASE_URL 与 WUSONG_DATABASE_OWNER_URL 是同一个角色："
            "运行角色必须是另一个不拥有任何对象的角色"
        )
    tables = await engine.run_ddl(
        "SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS rls "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = '{_literal(schema)}' AND c.relkind IN ('r', 'p') ORDER BY 1"
    )
    owned = [t["name"] for t in tables if t["owner"] == role]
    if owned:
        raise DomainError(
            f"运行角色 {role} 拥有数据表（{'、'.join(owned[:5])}）：请以超级用户执行 "
            f"REASSIGN OWNED BY {role} TO {owner}; 然后重新迁移"
        )
    functions = await engine.run_ddl(
        "SELECT p.oid::regprocedure::text AS signature FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        f"WHERE n.nspname = '{_literal(schema)}' AND p.proname LIKE 'wusong\\_%' "
        "AND p.prokind = 'f'"
    )
    users_columns = await engine.run_ddl(
        "SELECT column_name AS name FROM information_schema.columns "
        f"WHERE table_schema = '{_literal(schema)}' AND table_name = 'users' ORDER BY 1"
    )
    r, s = _ident(role), _ident(schema)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]
    for table in tables:
        name = table["name"]
        target = f"{s}.{_ident(name)}"
        if name == MIGRATIONS_TABLE:
            continue
        if name == "users":
            visible = ", ".join(
                _ident(c["name"]) for c in users_columns if c["name"] not in USERS_HIDDEN_COLUMNS
            )
            statements += [
                f"GRANT SELECT ({visible}) ON {target} TO {r}",
                f"GRANT INSERT, UPDATE ON {target} TO {r}",
            ]
            continue
        statements.append(f"GRANT {RUNTIME_TABLE_GRANTS.get(name, RUNTIME_DML)} ON {target} TO {r}")
        if table["rls"]:
            # The owner (and so the SECURITY DEFINER functions it owns) passes row-level
            # security; FORCE keeps every other role, the runtime one included, under it.
            statements += [
                f"DROP POLICY IF EXISTS owner_access ON {target}",
                f"CREATE POLICY owner_access ON {target} TO CURRENT_USER "
                "USING (true) WITH CHECK (true)",
            ]
    for function in functions:
        signature = function["signature"]
        statements += [
            f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {signature} TO {r}",
        ]
    async with engine.transaction():
        for statement in statements:
            await engine.run_ddl(statement)


def _literal(value: str) -> str:
    return value.replace("'", "''")
