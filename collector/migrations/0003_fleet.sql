-- Fleet: the control plane registers and revokes agents here at enrollment (through two narrow SECURITY DEFINER
-- functions, so the application role keeps no privilege on telemetry tables), and the collector authenticates a
-- connection with one look-up: the agent's tenant, the SHA-256 of the certificate enrollment issued, whether it
-- was revoked and whether its tenant may send (not suspended or archived).

-- NULL for agents registered before fleet enrollment (legacy: authenticated by certificate chain and CN only,
-- unless the collector requires enrolled certificates, INOSEC_GRPC_REQUIRE_ENROLLED_CERT).
ALTER TABLE telemetry.agents ADD COLUMN cert_sha256 bytea CHECK (length(cert_sha256) = 32);

-- Registers an enrolled agent in the transaction's tenant (the control plane's tenant transaction).
CREATE FUNCTION telemetry.register_agent(p_agent text, p_tenant uuid, p_cert_sha256 bytea)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM nullif(current_setting('inosec.tenant_id', true), '')::uuid THEN
    RAISE EXCEPTION 'register_agent: the tenant is not the transaction''s tenant' USING ERRCODE = '42501';
  END IF;
  IF p_cert_sha256 IS NULL OR length(p_cert_sha256) <> 32 THEN
    RAISE EXCEPTION 'register_agent: a certificate SHA-256 is required' USING ERRCODE = '22023';
  END IF;
  INSERT INTO telemetry.agents (agent_id, tenant_id, cert_sha256) VALUES (p_agent, p_tenant, p_cert_sha256);
END
$$;

-- Revokes an agent of the transaction's tenant; false when no such agent (another tenant's is not touched).
CREATE FUNCTION telemetry.revoke_agent(p_agent text)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  tenant uuid := nullif(current_setting('inosec.tenant_id', true), '')::uuid;
BEGIN
  IF tenant IS NULL THEN
    RAISE EXCEPTION 'revoke_agent: no tenant in this transaction' USING ERRCODE = '42501';
  END IF;
  UPDATE telemetry.agents SET revoked_at = coalesce(revoked_at, now())
   WHERE agent_id = p_agent AND tenant_id = tenant;
  RETURN FOUND;
END
$$;

-- What the collector needs to accept a connection of an agent. `tenant_active` reads the control plane's tenant
-- status when that schema is present (the appliance and scale-out); a collector database without it (the
-- collector's own tests) treats every tenant as active.
CREATE FUNCTION telemetry.agent_identity(p_agent text)
  RETURNS TABLE (tenant_id uuid, cert_sha256 bytea, revoked boolean, tenant_active boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF to_regclass('inosec.tenants') IS NULL THEN
    RETURN QUERY SELECT a.tenant_id, a.cert_sha256, a.revoked_at IS NOT NULL, true
      FROM telemetry.agents a WHERE a.agent_id = p_agent;
  ELSE
    RETURN QUERY EXECUTE
      'SELECT a.tenant_id, a.cert_sha256, a.revoked_at IS NOT NULL, coalesce(t.status = ''active'', false)
         FROM telemetry.agents a LEFT JOIN inosec.tenants t ON t.id = a.tenant_id
        WHERE a.agent_id = $1'
      USING p_agent;
  END IF;
END
$$;

REVOKE ALL ON FUNCTION telemetry.register_agent(text, uuid, bytea), telemetry.revoke_agent(text),
  telemetry.agent_identity(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry.register_agent(text, uuid, bytea), telemetry.revoke_agent(text) TO inosec_app;
GRANT EXECUTE ON FUNCTION telemetry.agent_identity(text) TO inosec_ingest;
