-- Identity: tenant lifecycle, users, roles and permissions, sessions with rotating refresh tokens, one-time
-- user tokens (email verification, password reset, invitation) and the login throttle. Every tenant table has
-- Row Level Security with FORCE, keyed on inosec.current_tenant_id(); the application role owns nothing.
-- Platform (super admin) operations and the look-ups that must run before a tenant is known (a login names
-- its tenant by slug) are SECURITY DEFINER functions that do one narrow thing each.

-- Tenants: archived joins suspended; neither deletes data, both refuse logins and agent ingest.
ALTER TABLE inosec.tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE inosec.tenants ADD CONSTRAINT tenants_status_check
  CHECK (status IN ('active', 'suspended', 'archived'));
ALTER TABLE inosec.tenants
  ADD COLUMN status_reason text CHECK (length(status_reason) <= 500),
  ADD COLUMN status_changed_at timestamptz,
  -- Self-service registration: off by default; when on, only addresses of these domains may register.
  ADD COLUMN self_registration boolean NOT NULL DEFAULT false,
  ADD COLUMN allowed_email_domains text[] NOT NULL DEFAULT '{}';
GRANT UPDATE (self_registration, allowed_email_domains) ON inosec.tenants TO inosec_app;

-- The functions below run as this migration's role (the schema owner). FORCE applies RLS to the owner too
-- (unless it is a superuser), so the owner gets its own policies on the tables they touch.
CREATE POLICY tenants_definer ON inosec.tenants TO CURRENT_USER USING (true) WITH CHECK (true);

CREATE TABLE inosec.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES inosec.tenants (id),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
  display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  -- argon2id PHC string; NULL until an invited user sets a password.
  password_hash text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'disabled')),
  email_verified_at timestamptz,
  -- TOTP secret sealed with the data key (AES-256-GCM, see secret-box.ts); enabled once a code verified it.
  totp_secret text,
  totp_enabled_at timestamptz,
  -- The last 30-second step a code was accepted for: a code works once.
  totp_last_step bigint,
  -- Platform operator: may run platform operations (tenants). Set only by the setup command (no grant).
  is_super_admin boolean NOT NULL DEFAULT false,
  password_changed_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, email)
);

-- Permissions are resource:action strings (see permissions.ts); roles group them per tenant.
CREATE TABLE inosec.roles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES inosec.tenants (id),
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  permissions text[] NOT NULL DEFAULT '{}'
    CHECK (array_position(permissions, NULL) IS NULL AND cardinality(permissions) <= 200),
  builtin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name)
);

CREATE TABLE inosec.user_roles (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  role_id uuid NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  granted_by uuid,
  PRIMARY KEY (user_id, role_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES inosec.users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, role_id) REFERENCES inosec.roles (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_roles_role ON inosec.user_roles (role_id);

-- A session is one login: the family of its refresh tokens. Revoking it ends every token of the family.
CREATE TABLE inosec.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip inet,
  user_agent text CHECK (length(user_agent) <= 500),
  mfa boolean NOT NULL DEFAULT false,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'revoke_all', 'refresh_reuse', 'admin', 'password_change', 'user_disabled')),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES inosec.users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON inosec.sessions (tenant_id, user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are stored as SHA-256 digests. A token is used once: using it again (a stolen copy, or the
-- thief's copy after the owner refreshed) revokes its session.
CREATE TABLE inosec.refresh_tokens (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  tenant_id uuid NOT NULL,
  session_id uuid NOT NULL,
  generation integer NOT NULL CHECK (generation >= 0),
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  FOREIGN KEY (tenant_id, session_id) REFERENCES inosec.sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_session ON inosec.refresh_tokens (session_id);

-- Single-use, time-limited tokens mailed to a user, stored as SHA-256 digests.
CREATE TABLE inosec.user_tokens (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'invite')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  FOREIGN KEY (tenant_id, user_id) REFERENCES inosec.users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_tokens_user ON inosec.user_tokens (tenant_id, user_id, purpose);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'roles', 'user_roles', 'sessions', 'refresh_tokens', 'user_tokens'] LOOP
    EXECUTE format('ALTER TABLE inosec.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE inosec.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON inosec.%I TO inosec_app
      USING (tenant_id = inosec.current_tenant_id()) WITH CHECK (tenant_id = inosec.current_tenant_id())', t);
    EXECUTE format('CREATE POLICY definer ON inosec.%I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
  END LOOP;
END
$$;

-- Column grants: the application never writes is_super_admin, ids or tenant ids of existing rows.
GRANT SELECT, DELETE ON inosec.users TO inosec_app;
GRANT INSERT (tenant_id, email, display_name, password_hash, status, email_verified_at) ON inosec.users TO inosec_app;
GRANT UPDATE (email, display_name, password_hash, status, email_verified_at, totp_secret, totp_enabled_at,
  totp_last_step, password_changed_at, last_login_at, updated_at) ON inosec.users TO inosec_app;
GRANT SELECT, INSERT, DELETE ON inosec.roles TO inosec_app;
GRANT UPDATE (name, description, permissions, updated_at) ON inosec.roles TO inosec_app;
GRANT SELECT, INSERT, DELETE ON inosec.user_roles TO inosec_app;
GRANT SELECT, INSERT ON inosec.sessions TO inosec_app;
GRANT UPDATE (last_used_at, expires_at, revoked_at, revoked_reason, mfa) ON inosec.sessions TO inosec_app;
GRANT SELECT, INSERT ON inosec.refresh_tokens TO inosec_app;
GRANT UPDATE (used_at) ON inosec.refresh_tokens TO inosec_app;
GRANT SELECT, INSERT ON inosec.user_tokens TO inosec_app;
GRANT UPDATE (used_at) ON inosec.user_tokens TO inosec_app;

-- Failed logins per (tenant slug, email) key — an HMAC, so unknown users are throttled exactly like known
-- ones and the table names nobody. Not tenant data: a login has no tenant yet.
CREATE TABLE inosec.login_throttle (
  key bytea PRIMARY KEY CHECK (length(key) = 32),
  failures integer NOT NULL DEFAULT 0,
  window_started_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON inosec.login_throttle TO inosec_app;

-- A tenant's id and status by slug: what a login, a registration or a password reset needs before a tenant
-- is set. Reveals only whether a slug exists, which the product shows anyway (sign-in pages per tenant).
CREATE FUNCTION inosec.tenant_by_slug(p_slug text)
  RETURNS TABLE (id uuid, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT t.id, t.status FROM inosec.tenants t WHERE t.slug = lower(p_slug) $$;

-- Whether a user is an active platform operator (super admin).
CREATE FUNCTION inosec.is_super_admin(p_user uuid)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT coalesce((SELECT u.is_super_admin AND u.status = 'active' FROM inosec.users u WHERE u.id = p_user), false) $$;

-- Platform operations: refused unless p_actor is an active super admin. The control plane checks the same
-- in code; the database checks it again so a bug in a route cannot reach another tenant.
CREATE FUNCTION inosec.platform_list_tenants(p_actor uuid)
  RETURNS SETOF inosec.tenants
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NOT inosec.is_super_admin(p_actor) THEN
    RAISE EXCEPTION 'platform operation refused: not a super admin' USING ERRCODE = '42501';
  END IF;
  RETURN QUERY SELECT * FROM inosec.tenants ORDER BY created_at, id;
END
$$;

CREATE FUNCTION inosec.platform_create_tenant(p_actor uuid, p_slug text, p_name text)
  RETURNS inosec.tenants
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  created inosec.tenants;
BEGIN
  IF NOT inosec.is_super_admin(p_actor) THEN
    RAISE EXCEPTION 'platform operation refused: not a super admin' USING ERRCODE = '42501';
  END IF;
  INSERT INTO inosec.tenants (slug, name) VALUES (p_slug, p_name) RETURNING * INTO created;
  RETURN created;
END
$$;

CREATE FUNCTION inosec.platform_set_tenant_status(p_actor uuid, p_tenant uuid, p_status text, p_reason text)
  RETURNS inosec.tenants
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  changed inosec.tenants;
BEGIN
  IF NOT inosec.is_super_admin(p_actor) THEN
    RAISE EXCEPTION 'platform operation refused: not a super admin' USING ERRCODE = '42501';
  END IF;
  IF p_tenant = (SELECT u.tenant_id FROM inosec.users u WHERE u.id = p_actor) AND p_status <> 'active' THEN
    RAISE EXCEPTION 'a super admin cannot suspend or archive its own tenant' USING ERRCODE = '42501';
  END IF;
  UPDATE inosec.tenants
     SET status = p_status, status_reason = p_reason, status_changed_at = now(), updated_at = now()
   WHERE id = p_tenant
  RETURNING * INTO changed;
  RETURN changed;
END
$$;

REVOKE ALL ON FUNCTION inosec.tenant_by_slug(text), inosec.is_super_admin(uuid),
  inosec.platform_list_tenants(uuid), inosec.platform_create_tenant(uuid, text, text),
  inosec.platform_set_tenant_status(uuid, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inosec.tenant_by_slug(text), inosec.is_super_admin(uuid),
  inosec.platform_list_tenants(uuid), inosec.platform_create_tenant(uuid, text, text),
  inosec.platform_set_tenant_status(uuid, uuid, text, text) TO inosec_app;
