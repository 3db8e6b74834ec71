-- TOTP recovery codes: ten single-use codes given when two-factor sign-in is turned on (and on request), each
-- standing in for one authenticator code when the device is lost. Stored as HMAC-SHA-256 under a key derived
-- from the data key (security/secret-box.ts): a copy of this table alone does not reveal or test a code.
CREATE TABLE inosec.totp_recovery_codes (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  code_mac bytea NOT NULL CHECK (length(code_mac) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  PRIMARY KEY (user_id, code_mac),
  FOREIGN KEY (tenant_id, user_id) REFERENCES inosec.users (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE inosec.totp_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE inosec.totp_recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inosec.totp_recovery_codes TO inosec_app
  USING (tenant_id = inosec.current_tenant_id()) WITH CHECK (tenant_id = inosec.current_tenant_id());

GRANT SELECT, INSERT, DELETE ON inosec.totp_recovery_codes TO inosec_app;
GRANT UPDATE (used_at) ON inosec.totp_recovery_codes TO inosec_app;
