from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "programs tables: same-tenant keys, row-level security, unique and tenant-first indexes"


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

        await tenant_table("programs")
        await tenant_table("program_configs", references={"program": "programs"})
        await tenant_table(
            "program_areas", references={"program": "programs", "area": "areas"}
        )
        await tenant_table(
            "program_members",
            references={"program": "programs", "membership": "memberships"},
        )
        await tenant_table(
            "program_activities", references={"program": "programs", "area": "areas"}
        )
        engine = get_engine()
        for statement in (
            "CREATE UNIQUE INDEX IF NOT EXISTS program_configs_version "
            'ON "program_configs" ("tenant", "program", "version_no")',
            "CREATE UNIQUE INDEX IF NOT EXISTS program_areas_once "
            'ON "program_areas" ("tenant", "program", "area")',
            "CREATE UNIQUE INDEX IF NOT EXISTS program_members_once "
            'ON "program_members" ("tenant", "program", "membership")',
            "CREATE INDEX IF NOT EXISTS program_activities_by_day "
            'ON "program_activities" ("tenant", "program", "occurred_on", "kind")',
            "CREATE INDEX IF NOT EXISTS program_activities_tenant_day "
            'ON "program_activities" ("tenant", "occurred_on")',
            "CREATE INDEX IF NOT EXISTS programs_tenant_kind "
            'ON "programs" ("tenant", "kind", "status")',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(tenant_guarantees)

    return manager
