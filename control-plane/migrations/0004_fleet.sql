-- Fleet: the platform root CA and the tenants' intermediate CAs, policy signing keys, agent groups with
-- versioned policies, enrollment tokens, and the enrolled agents with their last heartbeat. Every tenant table
-- has Row Level Security with FORCE keyed on inosec.current_tenant_id(); private keys are stored sealed with the
-- data key (secret-box.ts, context bound), never in clear. Landed migrations are immutable.

-- The platform root CA (one row). Agents trust it; it signs the tenants' CAs and the server certificates of the
-- collectors and of the control plane's AgentControl service. Not tenant data; its key is sealed (context
-- 'platform-ca'), so reading the row alone does not give the key.
CREATE TABLE inosec.platform_ca (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  cert_pem text NOT NULL,
  key_sealed text NOT NULL,
  sha256 bytea NOT NULL CHECK (length(sha256) = 32),
  not_after timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON inosec.platform_ca TO inosec_app;
-- Not tenant data, but under RLS like every table of the schema: the policy says so explicitly.
ALTER TABLE inosec.platform_ca ENABLE ROW LEVEL SECURITY;
ALTER TABLE inosec.platform_ca FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_wide ON inosec.platform_ca TO inosec_app USING (id = 1) WITH CHECK (id = 1);

-- One intermediate CA per tenant, created on first use (key sealed with context 'tenant-ca:<tenant id>').
CREATE TABLE inosec.tenant_cas (
  tenant_id uuid PRIMARY KEY REFERENCES inosec.tenants (id),
  cert_pem text NOT NULL,
  key_sealed text NOT NULL,
  sha256 bytea NOT NULL CHECK (length(sha256) = 32),
  not_after timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Ed25519 keys that sign a tenant's policies (key sealed with context 'policy-key:<tenant id>'). Retired keys
-- stay listed until agents have moved on; only the newest unretired key signs.
CREATE TABLE inosec.policy_signing_keys (
  tenant_id uuid NOT NULL REFERENCES inosec.tenants (id),
  key_id text NOT NULL CHECK (key_id ~ '^[a-f0-9]{16,64}$'),
  public_key_pem text NOT NULL,
  key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  PRIMARY KEY (tenant_id, key_id)
);
CREATE UNIQUE INDEX policy_signing_keys_active ON inosec.policy_signing_keys (tenant_id) WHERE retired_at IS NULL;

CREATE TABLE inosec.agent_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES inosec.tenants (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE UNIQUE INDEX agent_groups_default ON inosec.agent_groups (tenant_id) WHERE is_default;

-- Agents see one policy version number, which must only grow (they refuse a rollback), also when they move to
-- another group. So versions come from one sequence for the whole platform; `revision` numbers a group's own
-- history 1, 2, 3 for people.
CREATE SEQUENCE inosec.policy_version_seq AS bigint;

CREATE TABLE inosec.agent_group_policies (
  tenant_id uuid NOT NULL,
  group_id uuid NOT NULL,
  revision integer NOT NULL CHECK (revision >= 1),
  version bigint NOT NULL UNIQUE DEFAULT nextval('inosec.policy_version_seq'),
  -- The policy in the API's JSON form (fleet-policy.ts validates it against inosec.v1.Policy's fields).
  policy jsonb NOT NULL CHECK (jsonb_typeof(policy) = 'object' AND length(policy::text) <= 65536),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  PRIMARY KEY (group_id, revision),
  FOREIGN KEY (tenant_id, group_id) REFERENCES inosec.agent_groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_group_policies_latest ON inosec.agent_group_policies (group_id, revision DESC);

-- Enrollment tokens: the string is `<tenant id>.<32 random bytes>`; only its SHA-256 is stored.
CREATE TABLE inosec.enrollment_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  group_id uuid NOT NULL,
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
  max_uses integer NOT NULL DEFAULT 1 CHECK (max_uses BETWEEN 1 AND 10000),
  uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  FOREIGN KEY (tenant_id, group_id) REFERENCES inosec.agent_groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX enrollment_tokens_tenant ON inosec.enrollment_tokens (tenant_id, created_at DESC, id DESC);

-- Enrolled agents. The id is assigned by the control plane at enrollment and is the subject CN of the agent's
-- certificate; the certificate's SHA-256 is what collectors and the AgentControl service pin it to.
CREATE TABLE inosec.agents (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
  tenant_id uuid NOT NULL,
  group_id uuid NOT NULL,
  host_name text NOT NULL DEFAULT '' CHECK (length(host_name) <= 255),
  host_id text NOT NULL DEFAULT '' CHECK (length(host_id) <= 255),
  os text NOT NULL DEFAULT '' CHECK (length(os) <= 200),
  architecture text NOT NULL DEFAULT '' CHECK (length(architecture) <= 50),
  ip_addresses text[] NOT NULL DEFAULT '{}' CHECK (cardinality(ip_addresses) <= 64),
  version text NOT NULL DEFAULT '' CHECK (length(version) <= 100),
  kind text NOT NULL DEFAULT 'endpoint' CHECK (kind IN ('endpoint', 'ot_gateway')),
  cert_serial text NOT NULL,
  cert_sha256 bytea NOT NULL CHECK (length(cert_sha256) = 32),
  cert_not_after timestamptz NOT NULL,
  -- Policy versions below this floor are re-issued at it: set when the agent changes group (no rollback).
  policy_floor bigint NOT NULL DEFAULT 0,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  enrollment_token_id uuid,
  last_seen_at timestamptz,
  heartbeat_interval_seconds integer NOT NULL DEFAULT 60 CHECK (heartbeat_interval_seconds BETWEEN 5 AND 86400),
  uptime_seconds bigint,
  clock_skew_ms bigint,
  spool_bytes bigint,
  spool_events bigint,
  dropped_events bigint,
  last_seq bigint,
  last_acked_seq bigint,
  cpu_percent double precision,
  memory_rss_bytes bigint,
  policy_version bigint,
  sensors jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sensors) = 'array' AND length(sensors::text) <= 16384),
  revoked_at timestamptz,
  revoked_reason text CHECK (length(revoked_reason) <= 500),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, group_id) REFERENCES inosec.agent_groups (tenant_id, id)
);
CREATE INDEX agents_tenant_host ON inosec.agents (tenant_id, host_name, id);
CREATE INDEX agents_group ON inosec.agents (tenant_id, group_id);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tenant_cas', 'policy_signing_keys', 'agent_groups', 'agent_group_policies',
                           'enrollment_tokens', 'agents'] LOOP
    EXECUTE format('ALTER TABLE inosec.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE inosec.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON inosec.%I TO inosec_app
      USING (tenant_id = inosec.current_tenant_id()) WITH CHECK (tenant_id = inosec.current_tenant_id())', t);
  END LOOP;
END
$$;

-- Least privilege: keys and certificates are written once; agents' identity columns never change.
GRANT SELECT, INSERT ON inosec.tenant_cas TO inosec_app;
GRANT SELECT, INSERT ON inosec.policy_signing_keys TO inosec_app;
GRANT UPDATE (retired_at) ON inosec.policy_signing_keys TO inosec_app;
GRANT SELECT, INSERT, DELETE ON inosec.agent_groups TO inosec_app;
GRANT UPDATE (name, description, updated_at) ON inosec.agent_groups TO inosec_app;
GRANT SELECT, INSERT ON inosec.agent_group_policies TO inosec_app;
GRANT USAGE ON SEQUENCE inosec.policy_version_seq TO inosec_app;
GRANT SELECT, INSERT ON inosec.enrollment_tokens TO inosec_app;
GRANT UPDATE (uses, last_used_at, revoked_at) ON inosec.enrollment_tokens TO inosec_app;
GRANT SELECT, INSERT ON inosec.agents TO inosec_app;
GRANT UPDATE (group_id, policy_floor, last_seen_at, heartbeat_interval_seconds, uptime_seconds, clock_skew_ms,
  spool_bytes, spool_events, dropped_events, last_seq, last_acked_seq, cpu_percent, memory_rss_bytes,
  policy_version, sensors, version, revoked_at, revoked_reason) ON inosec.agents TO inosec_app;
