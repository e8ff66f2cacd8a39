from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-28T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "member_areas: same-tenant keys and row-level security"


async def forwards():
    # tenant_table() commits on its own (SQLite rebuilds a table to add a constraint).
    manager = MigrationManager(
        migration_id=ID,
        app_name="tenants",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )

    async def tenant_guarantees():
        from wusong.core.ddl import tenant_table

        await tenant_table(
            "member_areas", references={"membership": "memberships", "area": "areas"}
        )

    manager.add_raw(tenant_guarantees)

    return manager
