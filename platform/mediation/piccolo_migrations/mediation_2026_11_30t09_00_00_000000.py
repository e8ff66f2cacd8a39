from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "case intake: the audit chain and the case number in one round trip (PostgreSQL)"

# Written out here, not imported: a migration states what it did once. First the tenant's audit
# chain (wusong_audit_head: its lock, then its head), then the year's counter: every intake takes
# them in this order, so two intakes never wait on each other crosswise, and the counter row is
# only ever contended by a writer that already holds the chain. Both stay taken until the
# transaction ends: numbers stay gap-free (a rollback gives the number back) and the chain whole.
TAKE_CASE_NUMBER = """
CREATE OR REPLACE FUNCTION wusong_take_case_number(t uuid, y integer, new_id uuid)
RETURNS TABLE (case_seq integer, head_seq integer, head_hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT h.head_seq, h.head_hash INTO head_seq, head_hash FROM wusong_audit_head(t) h;
    INSERT INTO case_counters AS c (id, tenant, "year", last_seq) VALUES (new_id, t, y, 1)
        ON CONFLICT (tenant, "year") DO UPDATE SET last_seq = c.last_seq + 1
        WHERE c.tenant = t
        RETURNING c.last_seq INTO case_seq;
    RETURN NEXT;
END
$$
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def take_case_number():
        from piccolo.engine.finder import engine_finder

        engine = engine_finder()
        if engine.engine_type == "postgres":
            await engine.run_ddl(TAKE_CASE_NUMBER)

    manager.add_raw(take_case_number)
    return manager
