from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T12:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "red property tables: same-tenant keys, row-level security, tenant-first indexes"


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

        await tenant_table(
            "red_property_complexes", references={"program": "programs", "area": "areas"}
        )
        await tenant_table(
            "red_property_inspections",
            references={"program": "programs", "property_complex": "red_property_complexes"},
        )
        await tenant_table(
            "red_property_complaints",
            references={"program": "programs", "property_complex": "red_property_complexes"},
        )
        engine = get_engine()
        for statement in (
            "CREATE INDEX IF NOT EXISTS red_property_complexes_rating "
            'ON "red_property_complexes" ("tenant", "program", "rated_stars", "rated_until")',
            "CREATE INDEX IF NOT EXISTS red_property_inspections_by_day "
            'ON "red_property_inspections" ("tenant", "program", "inspected_on")',
            "CREATE INDEX IF NOT EXISTS red_property_inspections_history "
            'ON "red_property_inspections" ("tenant", "property_complex", "inspected_on")',
            "CREATE INDEX IF NOT EXISTS red_property_complaints_by_day "
            'ON "red_property_complaints" ("tenant", "program", "received_on")',
            "CREATE INDEX IF NOT EXISTS red_property_complaints_tenant_day "
            'ON "red_property_complaints" ("tenant", "received_on")',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(tenant_guarantees)

    return manager
