from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "documents: full_ids from the requests that made them"


async def forwards():
    """Existing documents take the flag of the request that made them (Piccolo runs a
    migration's raw steps before its column changes: hence a migration of its own). On
    PostgreSQL both tables are under forced row-level security, which binds their owner too:
    the copy runs with it lifted, inside one transaction that puts it back."""
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def copy_flags():
        from wusong.core.db import get_engine, is_postgres

        engine = get_engine()
        copy = (
            'UPDATE "documents" SET "full_ids" = 1 WHERE "request" IN '
            '(SELECT "id" FROM "report_requests" WHERE "full_ids" = 1)'
        )
        if not is_postgres():
            await engine.run_ddl(copy)
            return
        tables = ('"documents"', '"report_requests"')
        async with engine.transaction():
            for table in tables:
                await engine.run_ddl(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            await engine.run_ddl(copy)
            for table in tables:
                await engine.run_ddl(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")

    manager.add_raw(copy_flags)
    return manager
