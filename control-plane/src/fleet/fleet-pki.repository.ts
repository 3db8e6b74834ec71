import type pg from 'pg';

/** A stored CA: certificate PEM, sealed private key, SHA-256 of the certificate. */
export interface StoredCa {
  certPem: string;
  keySealed: string;
  sha256: Buffer;
  notAfter: Date;
}

/** A stored policy signing key. */
export interface StoredPolicyKey {
  keyId: string;
  publicKeyPem: string;
  keySealed: string;
  retiredAt: Date | null;
}

interface CaRow {
  cert_pem: string;
  key_sealed: string;
  sha256: Buffer;
  not_after: Date;
}

function toCa(row: CaRow | undefined): StoredCa | undefined {
  return (
    row && { certPem: row.cert_pem, keySealed: row.key_sealed, sha256: row.sha256, notAfter: row.not_after }
  );
}

export async function findPlatformCa(client: pg.ClientBase): Promise<StoredCa | undefined> {
  const { rows } = await client.query<CaRow>(
    'SELECT cert_pem, key_sealed, sha256, not_after FROM inosec.platform_ca WHERE id = 1',
  );
  return toCa(rows[0]);
}

/** Stores the root unless another process stored one first (then the caller reads that one). */
export async function insertPlatformCa(client: pg.ClientBase, ca: StoredCa): Promise<void> {
  await client.query(
    `INSERT INTO inosec.platform_ca (id, cert_pem, key_sealed, sha256, not_after) VALUES (1, $1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING`,
    [ca.certPem, ca.keySealed, ca.sha256, ca.notAfter],
  );
}

export async function findTenantCa(client: pg.ClientBase, tenantId: string): Promise<StoredCa | undefined> {
  const { rows } = await client.query<CaRow>(
    'SELECT cert_pem, key_sealed, sha256, not_after FROM inosec.tenant_cas WHERE tenant_id = $1',
    [tenantId],
  );
  return toCa(rows[0]);
}

export async function insertTenantCa(client: pg.ClientBase, tenantId: string, ca: StoredCa): Promise<void> {
  await client.query(
    `INSERT INTO inosec.tenant_cas (tenant_id, cert_pem, key_sealed, sha256, not_after) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tenant_id) DO NOTHING`,
    [tenantId, ca.certPem, ca.keySealed, ca.sha256, ca.notAfter],
  );
}

/** The tenant's policy signing keys, the active one first. */
export async function listPolicyKeys(client: pg.ClientBase): Promise<StoredPolicyKey[]> {
  const { rows } = await client.query<{
    key_id: string;
    public_key_pem: string;
    key_sealed: string;
    retired_at: Date | null;
  }>(
    `SELECT key_id, public_key_pem, key_sealed, retired_at FROM inosec.policy_signing_keys
      ORDER BY retired_at IS NOT NULL, created_at DESC`,
  );
  return rows.map((r) => ({
    keyId: r.key_id,
    publicKeyPem: r.public_key_pem,
    keySealed: r.key_sealed,
    retiredAt: r.retired_at,
  }));
}

export async function insertPolicyKey(
  client: pg.ClientBase,
  tenantId: string,
  key: Omit<StoredPolicyKey, 'retiredAt'>,
): Promise<void> {
  await client.query(
    `INSERT INTO inosec.policy_signing_keys (tenant_id, key_id, public_key_pem, key_sealed) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [tenantId, key.keyId, key.publicKeyPem, key.keySealed],
  );
}

/** Whether the tenant may enroll and run agents (active, not suspended or archived). */
export async function tenantIsActive(client: pg.ClientBase, tenantId: string): Promise<boolean> {
  const { rows } = await client.query<{ active: boolean }>(
    `SELECT status = 'active' AS active FROM inosec.tenants WHERE id = $1`,
    [tenantId],
  );
  return rows[0]?.active ?? false;
}
