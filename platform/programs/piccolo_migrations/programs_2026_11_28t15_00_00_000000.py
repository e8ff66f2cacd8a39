from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering tenant-first indexes for the indicator queries"


async def forwards():
    """The indicators read many rows of a tenant's date range (activities by kind, month, area or
    program; declarations by occasion and village; each complex's latest inspection on a day).
    With every column they read in the index, tenant first, they never visit the table. Each
    covering index starts with the columns of the narrower index it replaces, so every other
    query that used the narrower one can use it too."""
    manager = MigrationManager(migration_id=ID, app_name="programs", description=DESCRIPTION)

    async def covering_indexes():
        from wusong.core.db import get_engine

        engine = get_engine()
        for statement in (
            "CREATE INDEX IF NOT EXISTS program_activities_program_cover ON "
            '"program_activities" ("tenant", "program", "occurred_on", "kind", "area", "people")',
            "CREATE INDEX IF NOT EXISTS program_activities_tenant_cover ON "
            '"program_activities" ("tenant", "occurred_on", "program", "kind", "area", "people")',
            "DROP INDEX IF EXISTS program_activities_by_day",
            "DROP INDEX IF EXISTS program_activities_tenant_day",
            "CREATE INDEX IF NOT EXISTS village_banquets_program_cover ON "
            '"village_banquet_declarations" '
            '("tenant", "program", "banquet_on", "village", "occasion", "within_limits")',
            "DROP INDEX IF EXISTS village_banquets_by_day",
            "CREATE INDEX IF NOT EXISTS red_property_inspections_latest ON "
            '"red_property_inspections" '
            '("tenant", "property_complex", "inspected_on", "created_at", "valid_until", "stars")',
            "DROP INDEX IF EXISTS red_property_inspections_history",
        ):
            await engine.run_ddl(statement)

    manager.add_raw(covering_indexes)

    return manager
