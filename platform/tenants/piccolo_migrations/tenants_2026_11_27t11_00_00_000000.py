from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-27T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "row-level security on memberships, api_tokens and user_sessions; the authentication "
    "functions (SECURITY DEFINER); API token expiry"
)

# The signed-in user and the tenant of the transaction (set by the functions below, or by
# wusong.core.db.set_user / set_tenant).
USER = "NULLIF(current_setting('wusong.user_id', true), '')::uuid"
TENANT = "NULLIF(current_setting('wusong.tenant_id', true), '')::uuid"

# user_sessions has no tenant column. A session is visible to its own user (sign-in, account
# pages, sign-out of other devices), and, to read or end it, to a tenant context in which its
# user is a member (an administrator deactivating a member or resetting a password).
SESSION_POLICIES = [
    'ALTER TABLE "user_sessions" ENABLE ROW LEVEL SECURITY',
    'ALTER TABLE "user_sessions" FORCE ROW LEVEL SECURITY',
    'DROP POLICY IF EXISTS own_sessions ON "user_sessions"',
    f'CREATE POLICY own_sessions ON "user_sessions" USING ("user" = {USER}) '
    f'WITH CHECK ("user" = {USER})',
    'DROP POLICY IF EXISTS member_sessions ON "user_sessions"',
    'CREATE POLICY member_sessions ON "user_sessions" FOR SELECT USING (EXISTS ('
    'SELECT 1 FROM memberships m WHERE m."user" = user_sessions."user" '
    f"AND m.tenant = {TENANT}))",
    'DROP POLICY IF EXISTS member_sessions_end ON "user_sessions"',
    'CREATE POLICY member_sessions_end ON "user_sessions" FOR DELETE USING (EXISTS ('
    'SELECT 1 FROM memberships m WHERE m."user" = user_sessions."user" '
    f"AND m.tenant = {TENANT}))",
    # A user sees their own memberships in every tenant (the county switcher); everything
    # else about memberships only in the tenant of the transaction.
    'DROP POLICY IF EXISTS own_memberships ON "memberships"',
    f'CREATE POLICY own_memberships ON "memberships" FOR SELECT USING ("user" = {USER})',
]

_PRINCIPAL = """
    credential_id uuid, touched_at timestamptz, user_id uuid, username text, display_name text,
    must_change_password boolean, user_active boolean, tenant_id uuid, slug text,
    tenant_name text, division_code text, tenant_active boolean, role text
"""
_PRINCIPAL_ASSIGN = """
  PERFORM set_config('wusong.tenant_id',
    CASE WHEN r.role IS NOT NULL AND r.tenant_active AND r.user_active
         THEN r.tenant_id::text ELSE '' END, true);
  PERFORM set_config('wusong.user_id',
    CASE WHEN r.user_active THEN r.user_id::text ELSE '' END, true);
  credential_id := r.credential_id; touched_at := r.touched_at; user_id := r.user_id;
  username := r.username; display_name := r.display_name;
  must_change_password := r.must_change_password; user_active := r.user_active;
  tenant_id := r.tenant_id; slug := r.slug; tenant_name := r.tenant_name;
  division_code := r.division_code; tenant_active := r.tenant_active; role := r.role;
  RETURN NEXT;
"""

# Each function is SECURITY DEFINER (runs as the owner, which row-level security lets through:
# see wusong.migrate), pins its search_path, and does one narrow thing keyed on a credential.
FUNCTIONS = [
    # The one authentication statement of an API request: token hash + tenant slug in, the
    # principal out, and wusong.tenant_id / wusong.user_id set for the rest of the transaction.
    # A token that exists but belongs to another tenant returns a row without a tenant (404).
    f"""
CREATE OR REPLACE FUNCTION wusong_authenticate_token(p_slug text, p_token_hash text)
RETURNS TABLE ({_PRINCIPAL})
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {{schema}}, pg_temp AS $$
#variable_conflict use_column
DECLARE r record;
BEGIN
  SELECT k.id AS credential_id, k.last_used_at AS touched_at, u.id AS user_id, u.username,
         u.display_name, u.must_change_password, u.active AS user_active, t.id AS tenant_id,
         t.slug, t.name AS tenant_name, t.division_code, t.active AS tenant_active, m.role
    INTO r
    FROM api_tokens k
    JOIN users u ON u.id = k."user"
    LEFT JOIN tenants t ON t.id = k.tenant AND t.slug = p_slug
    LEFT JOIN memberships m ON m."user" = u.id AND m.tenant = t.id AND m.active
   WHERE k.token_hash = p_token_hash AND k.revoked_at IS NULL
     AND (k.expires_at IS NULL OR k.expires_at > now());
  IF NOT FOUND THEN RETURN; END IF;
  {_PRINCIPAL_ASSIGN}
END $$""",
    # The same for a browser session (session cookie hash + tenant slug).
    f"""
CREATE OR REPLACE FUNCTION wusong_authenticate_session(
  p_slug text, p_token_hash text, p_idle timestamptz, p_absolute timestamptz)
RETURNS TABLE ({_PRINCIPAL})
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {{schema}}, pg_temp AS $$
#variable_conflict use_column
DECLARE r record;
BEGIN
  SELECT s.id AS credential_id, s.last_seen_at AS touched_at, u.id AS user_id, u.username,
         u.display_name, u.must_change_password, u.active AS user_active, t.id AS tenant_id,
         t.slug, t.name AS tenant_name, t.division_code, t.active AS tenant_active, m.role
    INTO r
    FROM user_sessions s
    JOIN users u ON u.id = s."user" AND u.active
    LEFT JOIN tenants t ON t.slug = p_slug
    LEFT JOIN memberships m ON m."user" = u.id AND m.tenant = t.id AND m.active
   WHERE s.token_hash = p_token_hash AND s.last_seen_at > p_idle AND s.created_at > p_absolute;
  IF NOT FOUND THEN RETURN; END IF;
  {_PRINCIPAL_ASSIGN}
END $$""",
    # Account pages (no tenant): the user of a session cookie; sets wusong.user_id.
    """
CREATE OR REPLACE FUNCTION wusong_session_user(
  p_token_hash text, p_idle timestamptz, p_absolute timestamptz)
RETURNS TABLE (id uuid, last_seen_at timestamptz, user_id uuid, username text,
               display_name text, must_change_password boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
#variable_conflict use_column
DECLARE r record;
BEGIN
  SELECT s.id, s.last_seen_at, u.id AS user_id, u.username, u.display_name,
         u.must_change_password
    INTO r
    FROM user_sessions s JOIN users u ON u.id = s."user" AND u.active
   WHERE s.token_hash = p_token_hash AND s.last_seen_at > p_idle AND s.created_at > p_absolute;
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM set_config('wusong.user_id', r.user_id::text, true);
  id := r.id; last_seen_at := r.last_seen_at; user_id := r.user_id; username := r.username;
  display_name := r.display_name; must_change_password := r.must_change_password;
  RETURN NEXT;
END $$""",
    # Sign-out: whoever holds the cookie may end that one session.
    """
CREATE OR REPLACE FUNCTION wusong_end_session(p_token_hash text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  DELETE FROM user_sessions WHERE token_hash = p_token_hash
$$""",
    # The hourly purge (worker): expired sessions of every user; returns how many.
    """
CREATE OR REPLACE FUNCTION wusong_purge_sessions(p_idle timestamptz, p_absolute timestamptz)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  WITH gone AS (
    DELETE FROM user_sessions WHERE last_seen_at < p_idle OR created_at < p_absolute
    RETURNING 1)
  SELECT count(*)::integer FROM gone
$$""",
    # Sign-in: one account by its exact username, with the password hash the runtime role
    # cannot SELECT from users; sets wusong.user_id so its memberships become visible.
    """
CREATE OR REPLACE FUNCTION wusong_login_user(p_username text, p_key text)
RETURNS TABLE (id uuid, username text, username_key text, password_hash text, active boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
#variable_conflict use_column
DECLARE r record;
BEGIN
  -- The username typed exactly, else the account with its normalised key (NFKC + casefold).
  SELECT u.id, u.username::text AS username, u.username_key::text AS username_key,
         u.password_hash, u.active INTO r
  FROM users u WHERE u.username = p_username OR u.username_key = p_key
  ORDER BY (u.username = p_username) DESC LIMIT 1;
  IF NOT FOUND THEN RETURN; END IF;
  PERFORM set_config('wusong.user_id', r.id::text, true);
  id := r.id; username := r.username; username_key := r.username_key;
  password_hash := r.password_hash; active := r.active;
  RETURN NEXT;
END $$""",
    # The guard on actions on a global identity: how many memberships (all, active) the user
    # has in tenants other than the transaction's. Counts only; needs a tenant.
    """
CREATE OR REPLACE FUNCTION wusong_memberships_elsewhere(p_user uuid)
RETURNS TABLE (total integer, active integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
#variable_conflict use_column
DECLARE current_tenant uuid := NULLIF(current_setting('wusong.tenant_id', true), '')::uuid;
BEGIN
  IF current_tenant IS NULL THEN
    RAISE EXCEPTION 'wusong_memberships_elsewhere needs wusong.tenant_id';
  END IF;
  RETURN QUERY
    SELECT count(*)::integer, (count(*) FILTER (WHERE m.active))::integer
    FROM memberships m WHERE m."user" = p_user AND m.tenant <> current_tenant;
END $$""",
]


async def forwards():
    manager = MigrationManager(
        migration_id=ID,
        app_name="tenants",
        description=DESCRIPTION,
        wrap_in_transaction=False,
    )
    manager.add_column(
        table_class_name="ApiToken",
        tablename="api_tokens",
        column_name="expires_at",
        db_column_name="expires_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    async def row_level_security():
        from piccolo.engine.finder import engine_finder

        from wusong.core.ddl import row_level_security

        engine = engine_finder()
        if engine.engine_type != "postgres":
            return  # SQLite has no roles and no row-level security
        await row_level_security("memberships")
        await row_level_security("api_tokens")
        schema = (await engine.run_ddl("SELECT current_schema() AS s"))[0]["s"]
        async with engine.transaction():
            for statement in SESSION_POLICIES:
                await engine.run_ddl(statement)
            for function in FUNCTIONS:
                await engine.run_ddl(function.replace("{schema}", f'"{schema}"'))

    manager.add_raw(row_level_security)
    return manager
