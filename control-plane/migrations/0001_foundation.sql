-- Foundation: the roles every process connects through, the application schema, and the tenants table
-- under Row Level Security. Landed migrations are immutable: change the schema with a new file.

-- Group roles (no LOGIN). Login roles are created per deployment as members of these, so a process
-- holds exactly one role's privileges. Neither may bypass RLS.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inosec_app') THEN
    CREATE ROLE inosec_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'inosec_ingest') THEN
    CREATE ROLE inosec_ingest NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON public.schema_migrations TO inosec_app;

CREATE SCHEMA inosec;
REVOKE ALL ON SCHEMA inosec FROM PUBLIC;
GRANT USAGE ON SCHEMA inosec TO inosec_app, inosec_ingest;

-- The tenant of the current transaction, set with set_config('inosec.tenant_id', $1, true) inside each
-- transaction (never a session SET: pooled connections would leak it). NULL when unset, so every
-- policy comparing with it is false and an unscoped query sees no tenant rows.
CREATE FUNCTION inosec.current_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('inosec.tenant_id', true), '')::uuid $$;

CREATE TABLE inosec.tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE inosec.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE inosec.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inosec.tenants
  USING (id = inosec.current_tenant_id())
  WITH CHECK (id = inosec.current_tenant_id());

GRANT SELECT, UPDATE (name, updated_at) ON inosec.tenants TO inosec_app;
