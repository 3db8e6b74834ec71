-- NATS users of agents (decentralized auth, see control-plane/src/nats-auth): the public key of the NATS user
-- issued to an agent at enrollment and when its credentials expire (the .creds file with the user seed is
-- handed to the agent once and never stored), and the platform-wide list of revoked NATS users that goes into
-- the telemetry account JWT every nats-server loads. Landed migrations are immutable.

ALTER TABLE inosec.agents
  ADD COLUMN nats_user_key text CHECK (nats_user_key ~ '^U[A-Z2-7]{55}$'),
  ADD COLUMN nats_expires_at timestamptz,
  ADD CONSTRAINT agents_nats_user_complete CHECK ((nats_user_key IS NULL) = (nats_expires_at IS NULL));
CREATE UNIQUE INDEX agents_nats_user_key ON inosec.agents (nats_user_key) WHERE nats_user_key IS NOT NULL;
-- Set once at enrollment, in the tenant's transaction (RLS as for every other column of the row).
GRANT UPDATE (nats_user_key, nats_expires_at) ON inosec.agents TO inosec_app;

-- Revoked NATS users of the telemetry account (one account shared by every tenant, so the list is platform
-- data). A user key is public; what the list reveals is what every nats-server is given anyway. The app role
-- reads it (to render the account JWT) and writes it only through inosec.revoke_agent_nats_user(), which takes
-- the key from a revoked agent of the transaction's tenant: a tenant cannot revoke another tenant's agent.
CREATE TABLE inosec.nats_revocations (
  user_key text PRIMARY KEY CHECK (user_key ~ '^U[A-Z2-7]{55}$'),
  -- JWTs of the user issued at or before this time are refused.
  revoked_at timestamptz NOT NULL DEFAULT now(),
  tenant_id uuid NOT NULL REFERENCES inosec.tenants (id),
  agent_id text NOT NULL
);
ALTER TABLE inosec.nats_revocations ENABLE ROW LEVEL SECURITY;
ALTER TABLE inosec.nats_revocations FORCE ROW LEVEL SECURITY;
-- Only the key and time: which tenant and agent a key belonged to stays with the platform.
GRANT SELECT (user_key, revoked_at) ON inosec.nats_revocations TO inosec_app;
CREATE POLICY platform_read ON inosec.nats_revocations FOR SELECT TO inosec_app USING (true);
CREATE POLICY definer ON inosec.nats_revocations TO CURRENT_USER USING (true) WITH CHECK (true);
-- The function reads the agent row as the schema owner: FORCE applies RLS to the owner too.
CREATE POLICY nats_definer ON inosec.agents FOR SELECT TO CURRENT_USER USING (true);

-- Records the revocation of the NATS user of a revoked agent of the transaction's tenant; returns the user key
-- (NULL when the agent is not the tenant's, is not revoked, or never had a NATS user). Idempotent.
CREATE FUNCTION inosec.revoke_agent_nats_user(p_agent text)
  RETURNS text
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  tenant uuid := inosec.current_tenant_id();
  v_key text;
  v_revoked timestamptz;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'revoke_agent_nats_user: no tenant in this transaction' USING ERRCODE = '42501';
  END IF;
  SELECT a.nats_user_key, a.revoked_at INTO v_key, v_revoked
    FROM inosec.agents a WHERE a.id = p_agent AND a.tenant_id = tenant;
  IF v_key IS NULL OR v_revoked IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO inosec.nats_revocations (user_key, revoked_at, tenant_id, agent_id)
    VALUES (v_key, v_revoked, tenant, p_agent)
    ON CONFLICT ON CONSTRAINT nats_revocations_pkey DO NOTHING;
  RETURN v_key;
END
$$;
REVOKE ALL ON FUNCTION inosec.revoke_agent_nats_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inosec.revoke_agent_nats_user(text) TO inosec_app;
