-- Admin: what the tenant and platform administration needs beyond 0002/0003.

-- Suspension and archival block agent ingest as well as logins. The collector's ingest role cannot read
-- inosec.tenants (Row Level Security, no grant); this tells it whether a tenant may still send telemetry,
-- and nothing else. Unknown tenants may not.
CREATE FUNCTION inosec.tenant_ingest_allowed(p_tenant uuid)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$ SELECT coalesce((SELECT t.status = 'active' FROM inosec.tenants t WHERE t.id = p_tenant), false) $$;
REVOKE ALL ON FUNCTION inosec.tenant_ingest_allowed(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inosec.tenant_ingest_allowed(uuid) TO inosec_ingest;

-- The platform chain a page at a time (keyset on id, newest first), for super admins only. platform_audit
-- (0003) reads only the newest page.
CREATE FUNCTION inosec.platform_audit_page(p_actor uuid, p_before bigint, p_limit integer)
  RETURNS SETOF inosec.audit_log
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NOT inosec.is_super_admin(p_actor) THEN
    RAISE EXCEPTION 'platform operation refused: not a super admin' USING ERRCODE = '42501';
  END IF;
  RETURN QUERY SELECT * FROM inosec.audit_log
                WHERE tenant_id IS NULL AND (p_before IS NULL OR id < p_before)
                ORDER BY id DESC LIMIT least(greatest(p_limit, 1), 1000);
END
$$;
REVOKE ALL ON FUNCTION inosec.platform_audit_page(uuid, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inosec.platform_audit_page(uuid, bigint, integer) TO inosec_app;
