from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "cases: the list's status + category index with its tie-break; no tenant-only index"


async def forwards():
    """The case list filtered by status and category (``已调解成功的邻里纠纷``) sought
    ``cases_category`` (tenant, category, accepted_on) and filtered the status row by row: the
    newest cases are mostly open, so a page of settled ones read thousands of rows first. Here
    it gets (tenant, status, category, accepted_on, case_seq): a range in the list's own order,
    its tie-break included (no sort). ``cases_tenant`` (the tenant alone, Piccolo's foreign-key
    index) is dropped: every tenant-first index serves what it served, and each case insert
    maintained it for nothing."""
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def list_index():
        from wusong.core.db import get_engine

        engine = get_engine()
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS cases_status_category ON cases "
            '("tenant", "status", "category", "accepted_on", "case_seq")'
        )
        await engine.run_ddl("DROP INDEX IF EXISTS cases_tenant")

    manager.add_raw(list_index)
    return manager
