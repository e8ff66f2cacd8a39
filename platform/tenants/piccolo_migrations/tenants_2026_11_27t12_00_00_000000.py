from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log: key id per event (existing rows: sha256) and append-only triggers"

# The triggers are written out here, not imported: a migration states what it did once.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
]
POSTGRES_TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    # Existing rows were chained with plain SHA-256: they get key_id 'sha256' until
    # `wusong audit rekey` re-signs them with the HMAC key (README, "Audit log").
    manager.add_column(
        table_class_name="AuditEvent",
        tablename="audit_events",
        column_name="key_id",
        db_column_name="key_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "sha256",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def append_only():
        # Piccolo runs raw steps before the column steps; the triggers do not need the column.
        # Deleting a tenant cascades to its audit events, so the trigger refuses that too: a
        # county is deactivated, never deleted, and its audit log outlives it.
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        statements = POSTGRES_TRIGGERS if engine.engine_type == "postgres" else SQLITE_TRIGGERS
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(append_only)
    return manager
