from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T20:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes and row-level security"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="tenants", description=DESCRIPTION
    )

    async def constraints_and_row_level_security():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        statements = [
            'CREATE UNIQUE INDEX areas_tenant_division_code ON "areas" ("tenant", "division_code")',
            'CREATE UNIQUE INDEX memberships_tenant_user ON "memberships" ("tenant", "user")',
            'CREATE UNIQUE INDEX audit_events_tenant_seq ON "audit_events" ("tenant", "seq")',
            'CREATE INDEX user_sessions_last_seen ON "user_sessions" ("last_seen_at")',
        ]
        if engine.engine_type == "postgres":
            current = "NULLIF(current_setting('wusong.tenant_id', true), '')::uuid"
            for table in ("areas", "audit_events"):
                statements += [
                    f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
                    f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
                    f'CREATE POLICY tenant_isolation ON "{table}" '
                    f'USING ("tenant" = {current}) WITH CHECK ("tenant" = {current})',
                ]
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(constraints_and_row_level_security)

    return manager
