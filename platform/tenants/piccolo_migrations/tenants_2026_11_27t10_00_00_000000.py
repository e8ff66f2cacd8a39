from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "users.username_key, login_attempts.cleared (filled by the next migration)"

_PARAMS = {
    "null": False,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tenants", description=DESCRIPTION, wrap_in_transaction=True
    )
    manager.add_column(
        table_class_name="User",
        tablename="users",
        column_name="username_key",
        db_column_name="username_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={"length": 40, "default": "", **_PARAMS},
        schema=None,
    )
    manager.add_column(
        table_class_name="LoginAttempt",
        tablename="login_attempts",
        column_name="cleared",
        db_column_name="cleared",
        column_class_name="Boolean",
        column_class=Boolean,
        params={"default": False, **_PARAMS},
        schema=None,
    )

    return manager
