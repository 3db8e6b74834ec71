-- The tenant switcher: a platform operator (super admin) works inside a customer tenant, as managed security
-- providers do, without a password or an account of its own there.
--
-- Entering a tenant gives the operator a *delegate* user in that tenant (created on the first entry with the
-- tenant's builtin admin role, then managed by the tenant's administrators like any user: they see it, may
-- lower its roles or disable it, which closes the tenant to that operator) and a *delegated* session there
-- that lives only while the operator's own session does. Everything the operator does inside the tenant runs
-- under the tenant's Row Level Security as the delegate user, and lands in the tenant's audit chain under it.
-- A delegate cannot sign in by itself: it has no password, no second factor and no e-mail identity (the
-- address is the operator's, shown to the tenant, but not unique there and never used to sign in or mail).

ALTER TABLE inosec.users
  ADD COLUMN delegate_of uuid REFERENCES inosec.users (id) ON DELETE CASCADE,
  ADD CONSTRAINT users_delegate_has_no_credentials
    CHECK (delegate_of IS NULL OR (password_hash IS NULL AND totp_secret IS NULL AND NOT is_super_admin));

-- E-mail addresses are unique among a tenant's own users only; an operator has one delegate per tenant.
ALTER TABLE inosec.users DROP CONSTRAINT users_tenant_id_email_key;
CREATE UNIQUE INDEX users_tenant_email ON inosec.users (tenant_id, email) WHERE delegate_of IS NULL;
CREATE UNIQUE INDEX users_tenant_delegate ON inosec.users (tenant_id, delegate_of) WHERE delegate_of IS NOT NULL;
CREATE INDEX users_delegate_of ON inosec.users (delegate_of) WHERE delegate_of IS NOT NULL;

-- The operator's own session a delegated session hangs on: ending that one ends this one.
ALTER TABLE inosec.sessions ADD COLUMN delegated_from uuid REFERENCES inosec.sessions (id) ON DELETE CASCADE;
CREATE INDEX sessions_delegated_from ON inosec.sessions (delegated_from) WHERE delegated_from IS NOT NULL;

-- Whether a session may still carry a delegation: live, its user an active super admin, its tenant active.
-- Reads across tenants (the operator's home tenant), so it is a definer function returning one boolean.
CREATE FUNCTION inosec.delegation_live(p_session uuid)
  RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT coalesce((
      SELECT s.revoked_at IS NULL AND s.expires_at > now() AND u.status = 'active' AND u.is_super_admin
             AND t.status = 'active'
        FROM inosec.sessions s
        JOIN inosec.users u ON u.id = s.user_id
        JOIN inosec.tenants t ON t.id = s.tenant_id
       WHERE s.id = p_session), false)
  $$;

-- Enters p_tenant for the operator p_actor, signed in with p_session: checks (again, in the database) that
-- the session is the actor's and carries a delegation, and that the tenant is another, active one; returns
-- the delegate user's id, creating it with the builtin admin role on the first entry. Refusals:
-- 42501 not a super admin, or the tenant's administrators disabled the delegate; P0002 no such tenant;
-- 22023 the operator's own tenant; 55000 the tenant is suspended or archived.
CREATE FUNCTION inosec.platform_enter_tenant(p_actor uuid, p_session uuid, p_tenant uuid)
  RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  operator inosec.users;
  target inosec.tenants;
  delegate_id uuid;
  delegate_status text;
BEGIN
  IF NOT inosec.delegation_live(p_session)
     OR NOT EXISTS (SELECT 1 FROM inosec.sessions s WHERE s.id = p_session AND s.user_id = p_actor) THEN
    RAISE EXCEPTION 'platform operation refused: not a super admin' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO operator FROM inosec.users WHERE id = p_actor;
  SELECT * INTO target FROM inosec.tenants WHERE id = p_tenant;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such tenant' USING ERRCODE = 'P0002';
  END IF;
  IF target.id = operator.tenant_id THEN
    RAISE EXCEPTION 'this is the operator''s own tenant' USING ERRCODE = '22023';
  END IF;
  IF target.status <> 'active' THEN
    RAISE EXCEPTION 'the tenant is %', target.status USING ERRCODE = '55000';
  END IF;
  SELECT u.id, u.status INTO delegate_id, delegate_status
    FROM inosec.users u WHERE u.tenant_id = p_tenant AND u.delegate_of = p_actor FOR UPDATE;
  IF delegate_id IS NULL THEN
    INSERT INTO inosec.users (tenant_id, email, display_name, status, email_verified_at, delegate_of)
    VALUES (p_tenant, operator.email, operator.display_name, 'active', now(), p_actor)
    RETURNING id INTO delegate_id;
    INSERT INTO inosec.user_roles (tenant_id, user_id, role_id, granted_by)
      SELECT p_tenant, delegate_id, r.id, p_actor
        FROM inosec.roles r WHERE r.tenant_id = p_tenant AND r.name = 'admin' AND r.builtin;
  ELSIF delegate_status <> 'active' THEN
    RAISE EXCEPTION 'the tenant''s administrators disabled platform access for this operator'
      USING ERRCODE = '42501';
  END IF;
  RETURN delegate_id;
END
$$;

REVOKE ALL ON FUNCTION inosec.delegation_live(uuid), inosec.platform_enter_tenant(uuid, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION inosec.delegation_live(uuid), inosec.platform_enter_tenant(uuid, uuid, uuid)
  TO inosec_app;

-- The principal cache (0008) is dropped per tenant on a change there. A delegated session's standing depends
-- on the operator's session, user and tenant, which live in another tenant: a change to those announces every
-- tenant holding a live session delegated from them. Definer: it reads those other tenants' sessions.
CREATE FUNCTION inosec.notify_delegation_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  tenant uuid;
BEGIN
  IF TG_TABLE_NAME = 'sessions' THEN
    FOR tenant IN SELECT DISTINCT d.tenant_id FROM inosec.sessions d
                   WHERE d.delegated_from = OLD.id AND d.revoked_at IS NULL LOOP
      PERFORM pg_notify('inosec_principal_changes', tenant::text);
    END LOOP;
  ELSIF TG_TABLE_NAME = 'users' THEN
    FOR tenant IN SELECT DISTINCT d.tenant_id FROM inosec.sessions d
                    JOIN inosec.sessions h ON h.id = d.delegated_from
                   WHERE h.user_id = OLD.id AND d.revoked_at IS NULL LOOP
      PERFORM pg_notify('inosec_principal_changes', tenant::text);
    END LOOP;
  ELSE
    FOR tenant IN SELECT DISTINCT d.tenant_id FROM inosec.sessions d
                    JOIN inosec.sessions h ON h.id = d.delegated_from
                   WHERE h.tenant_id = OLD.id AND d.revoked_at IS NULL LOOP
      PERFORM pg_notify('inosec_principal_changes', tenant::text);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION inosec.notify_delegation_change() FROM PUBLIC;

CREATE TRIGGER sessions_delegation_change
  AFTER UPDATE OF revoked_at, expires_at OR DELETE ON inosec.sessions
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_delegation_change();
CREATE TRIGGER users_delegation_change
  AFTER UPDATE OF status, is_super_admin OR DELETE ON inosec.users
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_delegation_change();
CREATE TRIGGER tenants_delegation_change
  AFTER UPDATE OF status ON inosec.tenants
  FOR EACH ROW EXECUTE FUNCTION inosec.notify_delegation_change();
