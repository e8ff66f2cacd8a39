from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T10:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "mediation tables: same-tenant keys, row-level security, unique and tenant-first indexes"


async def forwards():
    """Every mediation table is a tenant table. The unique indexes make case numbers unique per
    tenant and year (the counter allocates them; the index is the proof), one agreement version
    number per case and one signature per signer. The list and search indexes start with the
    tenant; the party-name index serves prefix search (``varchar_pattern_ops`` on PostgreSQL,
    whose default collation would not serve ``LIKE 'x%'``)."""
    # tenant_table() commits on its own (SQLite rebuilds a table to add a constraint).
    manager = MigrationManager(
        migration_id=ID,
        app_name="mediation",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )

    async def tenant_guarantees():
        from wusong.core.db import get_engine, is_postgres
        from wusong.core.ddl import tenant_table

        await tenant_table("mediation_settings")
        await tenant_table("case_categories")
        await tenant_table("case_counters")
        await tenant_table(
            "cases",
            references={
                "area": "areas",
                "program": "programs",
                "mediator": "memberships",
            },
        )
        await tenant_table("case_parties", references={"case": "cases"})
        await tenant_table("case_sessions", references={"case": "cases"})
        await tenant_table(
            "case_agreements", references={"case": "cases", "supersedes": "case_agreements"}
        )
        await tenant_table(
            "agreement_terms",
            references={"agreement": "case_agreements", "obligor": "case_parties"},
        )
        await tenant_table(
            "agreement_signatures",
            references={"agreement": "case_agreements", "party": "case_parties"},
        )
        await tenant_table("case_followups", references={"case": "cases"})
        await tenant_table(
            "case_confirmations", references={"case": "cases", "agreement": "case_agreements"}
        )
        await tenant_table(
            "court_decisions",
            references={"case": "cases", "confirmation": "case_confirmations"},
        )
        name_ops = "varchar_pattern_ops" if is_postgres() else ""
        engine = get_engine()
        for statement in (
            "CREATE UNIQUE INDEX IF NOT EXISTS mediation_settings_once "
            'ON "mediation_settings" ("tenant")',
            "CREATE UNIQUE INDEX IF NOT EXISTS case_counters_year "
            'ON "case_counters" ("tenant", "year")',
            'CREATE UNIQUE INDEX IF NOT EXISTS cases_number ON "cases" ("tenant", "case_year", "case_seq")',
            'CREATE UNIQUE INDEX IF NOT EXISTS cases_case_no ON "cases" ("tenant", "case_no")',
            'CREATE INDEX IF NOT EXISTS cases_accepted ON "cases" ("tenant", "accepted_on", "case_seq")',
            'CREATE INDEX IF NOT EXISTS cases_status ON "cases" ("tenant", "status", "accepted_on")',
            'CREATE INDEX IF NOT EXISTS cases_area ON "cases" ("tenant", "area", "accepted_on")',
            'CREATE INDEX IF NOT EXISTS cases_program ON "cases" ("tenant", "program", "accepted_on")',
            'CREATE INDEX IF NOT EXISTS cases_mediator ON "cases" ("tenant", "mediator", "accepted_on")',
            'CREATE INDEX IF NOT EXISTS cases_category ON "cases" ("tenant", "category", "accepted_on")',
            'CREATE INDEX IF NOT EXISTS cases_source ON "cases" ("tenant", "source", "accepted_on")',
            'CREATE INDEX IF NOT EXISTS cases_due ON "cases" ("tenant", "due_on")',
            f'CREATE INDEX IF NOT EXISTS case_parties_name ON "case_parties" ("tenant", "name" {name_ops})',
            'CREATE INDEX IF NOT EXISTS case_parties_id_hash ON "case_parties" ("tenant", "id_hash")',
            'CREATE INDEX IF NOT EXISTS case_parties_case ON "case_parties" ("tenant", "case", "position")',
            'CREATE INDEX IF NOT EXISTS case_sessions_case ON "case_sessions" ("tenant", "case", "held_on")',
            "CREATE UNIQUE INDEX IF NOT EXISTS case_agreements_version "
            'ON "case_agreements" ("tenant", "case", "version_no")',
            "CREATE UNIQUE INDEX IF NOT EXISTS agreement_signatures_once "
            'ON "agreement_signatures" ("tenant", "agreement", "signer", "party")',
            'CREATE INDEX IF NOT EXISTS case_followups_case ON "case_followups" ("tenant", "case", "visited_on")',
            "CREATE INDEX IF NOT EXISTS case_confirmations_queue "
            'ON "case_confirmations" ("tenant", "status", "applied_on")',
            "CREATE INDEX IF NOT EXISTS cases_referral_queue "
            'ON "cases" ("tenant", "source", "returned_on", "referral_date")',
            # the case timeline reads the audit events of one case
            "CREATE INDEX IF NOT EXISTS audit_events_object "
            'ON "audit_events" ("tenant", "object_type", "object_id", "seq")',
        ):
            await engine.run_ddl(statement)

    manager.add_raw(tenant_guarantees)

    return manager
