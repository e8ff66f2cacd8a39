from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "mediation: the tenant-first indexes whose names Piccolo's foreign-key indexes took"


async def forwards():
    """``mediation_2026_11_29t10_00_01`` meant ``cases_area`` to be (tenant, area, accepted_on),
    and likewise ``cases_program``, ``cases_mediator``, ``case_parties_case``,
    ``case_sessions_case`` and ``case_followups_case``; but Piccolo had already created an
    index of each of those names for the foreign key alone (``ForeignKey(index=True)`` is named
    ``<table>_<column>``), so ``CREATE INDEX IF NOT EXISTS`` kept the single-column index. Here
    the tenant-first ones are created under their own names and the single-column ones dropped
    (the composite same-tenant foreign keys are served by the new ones)."""
    manager = MigrationManager(migration_id=ID, app_name="mediation", description=DESCRIPTION)

    async def tenant_first():
        from wusong.core.db import get_engine

        engine = get_engine()
        for table, column, then, old in (
            ("cases", "area", "accepted_on", "cases_area"),
            ("cases", "program", "accepted_on", "cases_program"),
            ("cases", "mediator", "accepted_on", "cases_mediator"),
            ("case_parties", "case", "position", "case_parties_case"),
            ("case_sessions", "case", "held_on", "case_sessions_case"),
            ("case_followups", "case", "visited_on", "case_followups_case"),
        ):
            await engine.run_ddl(
                f"CREATE INDEX IF NOT EXISTS {table}_tenant_{column} "
                f'ON "{table}" ("tenant", "{column}", "{then}")'
            )
            await engine.run_ddl(f"DROP INDEX IF EXISTS {old}")

    manager.add_raw(tenant_first)
    return manager
