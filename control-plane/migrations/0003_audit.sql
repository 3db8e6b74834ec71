-- The audit log: who did what, when, from where, to which resource, with what outcome. Append-only (triggers
-- refuse UPDATE, DELETE and TRUNCATE for every role, the owner included) and hash-chained: each row's hash
-- covers its content and the previous row's hash of the same chain (one chain per tenant, one for platform
-- operations), so a row changed or removed behind the triggers' back (a superuser disabling them) breaks the
-- chain at that row. `inosec-audit verify` (audit-verify.ts) reports the first broken link.

CREATE TABLE inosec.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- NULL: a platform operation (tenant creation, suspension) outside any tenant.
  tenant_id uuid,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'agent', 'system', 'anonymous')),
  actor_id text CHECK (length(actor_id) <= 200),
  actor_ip inet,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  resource_type text NOT NULL CHECK (resource_type ~ '^[a-z][a-z0-9_]*$'),
  resource_id text CHECK (length(resource_id) <= 300),
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  request_id text CHECK (length(request_id) <= 128),
  details jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object' AND length(details::text) <= 16384),
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
CREATE INDEX audit_log_chain ON inosec.audit_log (tenant_id, id);
CREATE INDEX audit_log_tenant_at ON inosec.audit_log (tenant_id, at DESC);

-- The digest of a row given the previous hash. Times enter as integer microseconds, so the digest does not
-- depend on the session's TimeZone or DateStyle; jsonb's text form is canonical (sorted keys).
CREATE FUNCTION inosec.audit_digest(p_prev bytea, r inosec.audit_log)
  RETURNS bytea
  LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT sha256(p_prev || convert_to(jsonb_build_array(
      r.id, r.tenant_id, (extract(epoch FROM r.at) * 1000000)::bigint, r.actor_type, r.actor_id,
      host(r.actor_ip), r.action, r.resource_type, r.resource_id, r.outcome, r.request_id, r.details)::text, 'UTF8'))
  $$;

-- Links a new row into its chain. One chain is appended to by one transaction at a time (advisory lock on the
-- chain), so the previous row is the chain's last committed one.
CREATE FUNCTION inosec.audit_link()
  RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  previous bytea;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('inosec.audit:' || coalesce(NEW.tenant_id::text, 'platform'), 0));
  SELECT a.hash INTO previous FROM inosec.audit_log a
   WHERE a.tenant_id IS NOT DISTINCT FROM NEW.tenant_id ORDER BY a.id DESC LIMIT 1;
  NEW.at := clock_timestamp();
  NEW.prev_hash := coalesce(previous, '\x'::bytea);
  NEW.hash := inosec.audit_digest(NEW.prev_hash, NEW);
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_link BEFORE INSERT ON inosec.audit_log
  FOR EACH ROW EXECUTE FUNCTION inosec.audit_link();

CREATE FUNCTION inosec.audit_refuse()
  RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON inosec.audit_log
  FOR EACH ROW EXECUTE FUNCTION inosec.audit_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON inosec.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION inosec.audit_refuse();

ALTER TABLE inosec.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE inosec.audit_log FORCE ROW LEVEL SECURITY;
-- A tenant reads and appends its own chain. Platform rows (tenant_id NULL) are appended only inside a
-- transaction with no tenant set, and read by no tenant.
CREATE POLICY audit_tenant_read ON inosec.audit_log FOR SELECT TO inosec_app
  USING (tenant_id = inosec.current_tenant_id());
CREATE POLICY audit_tenant_insert ON inosec.audit_log FOR INSERT TO inosec_app
  WITH CHECK (tenant_id IS NOT DISTINCT FROM inosec.current_tenant_id());
CREATE POLICY audit_definer ON inosec.audit_log TO CURRENT_USER USING (true) WITH CHECK (true);
GRANT SELECT ON inosec.audit_log TO inosec_app;
GRANT INSERT (tenant_id, actor_type, actor_id, actor_ip, action, resource_type, resource_id, outcome,
  request_id, details) ON inosec.audit_log TO inosec_app;
-- The trigger fills prev_hash/hash/at; the app role may not supply them (no column grant) but the row gets them.
REVOKE ALL ON FUNCTION inosec.audit_link(), inosec.audit_refuse() FROM PUBLIC;

-- Platform operations audit the actor's super-admin check too: this reads a platform chain for super admins.
CREATE FUNCTION inosec.platform_audit(p_actor uuid, p_limit integer)
  RETURNS SETOF inosec.audit_log
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NOT inosec.is_super_admin(p_actor) THEN
    RAISE EXCEPTION 'platform operation refused: not a super admin' USING ERRCODE = '42501';
  END IF;
  RETURN QUERY SELECT * FROM inosec.audit_log WHERE tenant_id IS NULL ORDER BY id DESC LIMIT least(p_limit, 1000);
END
$$;
REVOKE ALL ON FUNCTION inosec.platform_audit(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inosec.platform_audit(uuid, integer) TO inosec_app;
