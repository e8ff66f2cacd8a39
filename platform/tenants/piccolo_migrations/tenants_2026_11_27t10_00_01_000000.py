from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "users.username_key filled (NFKC + casefold) and unique"


def clash_key(key: str, user_id: str) -> str:
    """The key of a later account whose key collides: can never be typed (``~`` is not allowed
    in a username), unique through the id, and still at most 40 characters."""
    return f"{key[:31]}~{user_id.replace('-', '')[:8]}"


async def forwards():
    # Piccolo runs a migration's raw steps before its columns: the columns came one before.
    manager = MigrationManager(
        migration_id=ID, app_name="tenants", description=DESCRIPTION, wrap_in_transaction=True
    )

    async def fill_username_keys():
        """Every existing user gets the key of its username.

        What happens to a clash (two existing users whose usernames differ only in case or in
        full-width forms, e.g. ``lishu-viewer`` and ``LISHU-VIEWER``): nobody is lost and nothing
        fails. The OLDEST account (created_at, then id) keeps the plain key, so signing in with
        any spelling of the name reaches it. Each later account gets a key that cannot be typed
        (``<key>~<first 8 hex digits of its id>``): it still signs in with its username typed
        exactly as stored (sign-in prefers an exact match), its failed attempts are counted apart
        from the older account's, and each clash is printed here (and logged) so the operator
        can rename or deactivate the later account. New clashes cannot be created: the key is
        UNIQUE and every new username is checked against it.
        """
        import logging
        import unicodedata

        from piccolo.engine.finder import engine_finder
        from piccolo.querystring import QueryString

        engine = engine_finder()
        rows = await engine.run_querystring(
            QueryString('SELECT id, username FROM "users" ORDER BY created_at, id')
        )
        taken: dict[str, str] = {}
        for row in rows:
            user_id, username = str(row["id"]), row["username"]
            key = unicodedata.normalize("NFKC", username).strip().casefold()[:40]
            if key in taken:
                message = (
                    f"用户名冲突：{username!r}（{user_id}）规范化后与 {taken[key]!r} 相同，"
                    f"后者保留该用户名；{username!r} 今后只能按原样输入用户名登录；"
                    "请为其中一个账号改名或停用"
                )
                print(message)
                logging.getLogger("wusong.migrate").warning(message)
                key = clash_key(key, user_id)
            else:
                taken[key] = username
            await engine.run_querystring(
                QueryString(
                    'UPDATE "users" SET username_key = {} WHERE id = {}', key, row["id"]
                )
            )
        await engine.run_ddl(
            'CREATE UNIQUE INDEX users_username_key_unique ON "users" ("username_key")'
        )

    manager.add_raw(fill_username_keys)
    return manager
