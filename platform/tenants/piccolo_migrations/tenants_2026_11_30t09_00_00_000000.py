from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log: the chain lock and head in one round trip (PostgreSQL)"

# Written out here, not imported: a migration states what it did once. The lock is the one every
# audited write has always taken (pg_advisory_xact_lock(hashtext(tenant))); VOLATILE, so the
# SELECT runs with a snapshot taken after the lock was granted and sees every event committed
# while it waited. SECURITY INVOKER (the default): row-level security applies as to any query.
AUDIT_HEAD = """
CREATE OR REPLACE FUNCTION wusong_audit_head(t uuid)
RETURNS TABLE (head_seq integer, head_hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext(t::text));
    RETURN QUERY SELECT e.seq, e.hash FROM audit_events e WHERE e.tenant = t
        ORDER BY e.seq DESC LIMIT 1;
END
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def audit_head():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl(AUDIT_HEAD)

    manager.add_raw(audit_head)
    return manager
