from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering tenant-first indexes for the case indicators"


async def forwards():
    """The case indicators (reports) count a tenant's cases accepted, or closed, in a date range,
    grouped by program, village, category, source and status, with the days taken and the amount
    agreed, and the open cases past their deadline. With every column they read in the index,
    tenant and date (or status and deadline) first, they read only the entries they count and
    never visit the table. The narrower list indexes stay: the case
    list orders by (accepted_on, case_seq)."""
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def covering_indexes():
        from wusong.core.db import get_engine

        engine = get_engine()
        for statement in (
            "CREATE INDEX IF NOT EXISTS cases_accepted_cover ON "
            '"cases" ("tenant", "accepted_on", "program", "area", "category", "source")',
            "CREATE INDEX IF NOT EXISTS cases_closed_cover ON "
            '"cases" ("tenant", "closed_on", "program", "area", "status", "category", "source", '
            '"accepted_on", "amount_agreed")',
            "CREATE INDEX IF NOT EXISTS cases_open_due ON "
            '"cases" ("tenant", "status", "due_on", "program", "area", "category", "source")',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(covering_indexes)

    return manager
