from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T09:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "report requests and documents: tenant guarantees, indexes, public verification"

# Written out here, not imported: a migration states what it did once. The verification page is
# public and knows no tenant: this function is its one way in (SECURITY DEFINER, owned by the
# owner, pinned search_path), keyed on the SHA-256 of a token or on a short code, and returns
# only what the page shows — the document's public fields, its county's name, the newer version
# if one replaced it, and its issue event (to check the event's HMAC in the application).
VERIFY = """
CREATE OR REPLACE FUNCTION wusong_verify_document(p_token_hash text, p_short_code text)
RETURNS TABLE (
    id uuid, tenant uuid, tenant_name varchar, kind varchar, number varchar, title varchar,
    doc_version integer, sha256 varchar, size integer, pages integer, parties text,
    issued_at timestamptz, storage_key varchar, chain_seq integer, chain_hash varchar,
    newer_version integer, newer_issued_at timestamptz,
    event_seq integer, event_at timestamptz, event_actor_id uuid, event_actor_name varchar,
    event_action varchar, event_object_type varchar, event_object_id varchar, event_diff text,
    event_prev_hash varchar, event_hash varchar, event_key_id varchar
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT d.id, d.tenant, t.name, d.kind, d.number, d.title, d.doc_version, d.sha256, d.size,
           d.pages, d.parties::text, d.issued_at, d.storage_key, d.chain_seq, d.chain_hash,
           n.doc_version, n.issued_at,
           e.seq, e.at, e.actor_id, e.actor_name, e.action, e.object_type, e.object_id,
           e.diff::text, e.prev_hash, e.hash, e.key_id
    FROM documents d
    JOIN tenants t ON t.id = d.tenant
    LEFT JOIN documents n ON n.tenant = d.tenant AND n.id = d.superseded_by
    LEFT JOIN audit_events e ON e.tenant = d.tenant AND e.object_type = 'document'
        AND e.object_id = d.id::text AND e.action = 'document.issue'
    WHERE (p_token_hash <> '' AND d.token_hash = p_token_hash)
       OR (p_short_code <> '' AND d.short_code = p_short_code)
    LIMIT 1
$$
"""


async def forwards():
    # tenant_table() commits on its own (SQLite rebuilds a table to add a constraint).
    manager = MigrationManager(
        migration_id=ID, app_name="reports", description=DESCRIPTION, wrap_in_transaction=False
    )

    async def guarantees():
        from wusong.core.db import get_engine, is_postgres
        from wusong.core.ddl import tenant_table

        await tenant_table("report_requests")
        await tenant_table(
            "documents",
            references={"request": "report_requests", "supersedes": "documents"},
        )
        engine = get_engine()
        for statement in (
            "CREATE INDEX IF NOT EXISTS report_requests_tenant_status "
            'ON report_requests ("tenant", "status", "updated_at")',
            "CREATE INDEX IF NOT EXISTS report_requests_tenant_subject "
            'ON report_requests ("tenant", "subject", "created_at")',
            "CREATE INDEX IF NOT EXISTS documents_tenant_issued "
            'ON documents ("tenant", "issued_at")',
            "CREATE INDEX IF NOT EXISTS documents_tenant_subject "
            'ON documents ("tenant", "kind", "subject", "doc_version")',
            "CREATE UNIQUE INDEX IF NOT EXISTS documents_token_hash ON documents (token_hash)",
            "CREATE UNIQUE INDEX IF NOT EXISTS documents_short_code ON documents (short_code)",
            "CREATE UNIQUE INDEX IF NOT EXISTS documents_request ON documents (request)",
        ):
            await engine.run_ddl(statement)
        if is_postgres():
            schema = (await engine.run_ddl("SELECT current_schema() AS s"))[0]["s"]
            await engine.run_ddl(VERIFY.replace("{schema}", schema))

    manager.add_raw(guarantees)
    return manager
