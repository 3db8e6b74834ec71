-- A suspended or archived tenant stores nothing more, even over a stream that was opened while it was active:
-- the writer reads whether each agent's tenant may ingest in the transaction that locks the agent's row
-- (telemetry-writer.ts), not only when the stream opens. With the control plane's schema absent (a collector
-- on its own database) every tenant may ingest, as telemetry.agent_identity() answers. Landed migrations are
-- immutable.

CREATE FUNCTION telemetry.tenant_ingest_active(p_tenant uuid) RETURNS boolean
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  active boolean;
BEGIN
  IF to_regclass('inosec.tenants') IS NULL THEN
    RETURN true;
  END IF;
  EXECUTE 'SELECT t.status = ''active'' FROM inosec.tenants t WHERE t.id = $1' INTO active USING p_tenant;
  RETURN coalesce(active, false);
END
$$;

REVOKE ALL ON FUNCTION telemetry.tenant_ingest_active(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry.tenant_ingest_active(uuid) TO inosec_ingest;
