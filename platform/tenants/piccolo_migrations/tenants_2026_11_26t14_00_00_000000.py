from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tenant tables: UNIQUE (tenant, id) and same-tenant composite foreign keys"


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

        await tenant_table("areas", references={"parent": "areas"})
        await tenant_table("audit_events")
        # Identity tables read by authentication before a tenant is known: no row-level
        # security yet (the hardening issue moves them behind it).
        await tenant_table("memberships", row_level_security=False)
        await tenant_table("api_tokens", row_level_security=False)

    manager.add_raw(tenant_guarantees)
    return manager
