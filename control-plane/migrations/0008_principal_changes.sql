-- Every change to what the request guard caches about a session (auth/principal-cache.ts) announces the tenant
-- it touched on the `inosec_principal_changes` channel, in the transaction that makes it: every control-plane
-- replica drops that tenant's cached sessions when it commits (NOTIFY is delivered at commit, never for a
-- rollback), so a logout, a revocation, a role change, a disabled user or a suspended tenant takes effect at
-- once everywhere and the cache may keep an entry for a minute. NOTIFY folds identical payloads of one
-- transaction into one. The payload is a tenant id: no secret, no personal data.

CREATE FUNCTION inosec.notify_principal_change() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  -- Separate branches: PL/pgSQL resolves a record's fields when it plans an expression, and only tenants
  -- has no tenant_id (its id is the tenant).
  IF TG_TABLE_NAME = 'tenants' THEN
    PERFORM pg_notify('inosec_principal_changes', NEW.id::text);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('inosec_principal_changes', OLD.tenant_id::text);
  ELSE
    PERFORM pg_notify('inosec_principal_changes', NEW.tenant_id::text);
  END IF;
  RETURN NULL;
END
$$;

-- Sessions: ended, shortened, or stepped up by a second factor (a new session changes no cached entry).
CREATE TRIGGER sessions_principal_change
  AFTER UPDATE OF revoked_at, expires_at, mfa OR DELETE ON inosec.sessions
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_principal_change();

-- Users: status (disabled, active), e-mail, platform operator flag, or removal.
CREATE TRIGGER users_principal_change
  AFTER UPDATE OF status, email, is_super_admin, tenant_id OR DELETE ON inosec.users
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_principal_change();

-- Role grants: any change.
CREATE TRIGGER user_roles_principal_change
  AFTER INSERT OR UPDATE OR DELETE ON inosec.user_roles
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_principal_change();

-- Roles: their permissions, or removal.
CREATE TRIGGER roles_principal_change
  AFTER UPDATE OF permissions, tenant_id OR DELETE ON inosec.roles
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_principal_change();

-- Tenants: suspended, archived, reactivated.
CREATE TRIGGER tenants_principal_change
  AFTER UPDATE OF status ON inosec.tenants
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_principal_change();
