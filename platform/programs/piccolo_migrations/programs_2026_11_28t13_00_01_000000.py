from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T13:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "village rules tables: same-tenant keys, row-level security, unique and tenant-first indexes"
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
        from wusong.core.db import get_engine
        from wusong.core.ddl import tenant_table

        await tenant_table(
            "village_rule_sets", references={"program": "programs", "village": "areas"}
        )
        await tenant_table(
            "village_rule_versions",
            references={
                "rule_set": "village_rule_sets",
                "program": "programs",
                "village": "areas",
            },
        )
        await tenant_table(
            "village_rule_steps", references={"rule_version": "village_rule_versions"}
        )
        await tenant_table(
            "village_banquet_declarations",
            references={
                "program": "programs",
                "village": "areas",
                "rule_version": "village_rule_versions",
            },
        )
        engine = get_engine()
        for statement in (
            "CREATE UNIQUE INDEX IF NOT EXISTS village_rule_sets_once "
            'ON "village_rule_sets" ("tenant", "program", "village")',
            "CREATE UNIQUE INDEX IF NOT EXISTS village_rule_versions_no "
            'ON "village_rule_versions" ("tenant", "rule_set", "version_no")',
            # the version in force on a day: published versions of a village by effective date
            "CREATE INDEX IF NOT EXISTS village_rule_versions_in_force "
            'ON "village_rule_versions" ("tenant", "program", "village", "status", '
            '"effective_from")',
            "CREATE INDEX IF NOT EXISTS village_banquets_by_day "
            'ON "village_banquet_declarations" ("tenant", "program", "banquet_on")',
            "CREATE INDEX IF NOT EXISTS village_banquets_tenant_day "
            'ON "village_banquet_declarations" ("tenant", "banquet_on")',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(tenant_guarantees)

    return manager
