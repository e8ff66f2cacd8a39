from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T11:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "no-litigation tables: same-tenant keys, row-level security, unique and tenant-first indexes"
)


async def forwards():
    # tenant_table() commits on its own (SQLite rebuilds a table to add a constraint).
    manager = MigrationManager(
        migration_id=ID,
        app_name="programs",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )

    async def tenant_guarantees():
        from wusong.core.ddl import tenant_table
        from wusong.core.db import get_engine

        await tenant_table("nolit_villages", references={"program": "programs", "area": "areas"})
        await tenant_table(
            "nolit_counts",
            references={"program": "programs", "pilot": "nolit_villages", "area": "areas"},
        )
        engine = get_engine()
        for statement in (
            "CREATE UNIQUE INDEX IF NOT EXISTS nolit_villages_once "
            'ON "nolit_villages" ("tenant", "program", "area")',
            "CREATE UNIQUE INDEX IF NOT EXISTS nolit_counts_once "
            'ON "nolit_counts" ("tenant", "pilot", "period_key")',
            "CREATE INDEX IF NOT EXISTS nolit_counts_by_period "
            'ON "nolit_counts" ("tenant", "program", "period_start", "period_end")',
            "CREATE INDEX IF NOT EXISTS nolit_counts_tenant_period "
            'ON "nolit_counts" ("tenant", "period_start", "period_end")',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(tenant_guarantees)

    return manager
