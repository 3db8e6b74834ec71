// SQL for TOTP recovery codes (migration 0010). Runs inside the user's tenant transaction.
import type pg from 'pg';

/** Replaces the user's codes with `macs` (all unused). */
export async function replaceRecoveryCodes(
  client: pg.ClientBase,
  tenantId: string,
  userId: string,
  macs: Buffer[],
): Promise<void> {
  await deleteRecoveryCodes(client, userId);
  await client.query(
    `INSERT INTO inosec.totp_recovery_codes (tenant_id, user_id, code_mac)
     SELECT $1, $2, mac FROM unnest($3::bytea[]) AS mac`,
    [tenantId, userId, macs],
  );
}

export async function deleteRecoveryCodes(client: pg.ClientBase, userId: string): Promise<void> {
  await client.query('DELETE FROM inosec.totp_recovery_codes WHERE user_id = $1', [userId]);
}

/** Uses a code once: true when it was the user's and unused (now used), false otherwise. */
export async function useRecoveryCode(client: pg.ClientBase, userId: string, mac: Buffer): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE inosec.totp_recovery_codes SET used_at = now()
      WHERE user_id = $1 AND code_mac = $2 AND used_at IS NULL`,
    [userId, mac],
  );
  return rowCount === 1;
}

/** How many unused codes the user has left. */
export async function countRecoveryCodes(client: pg.ClientBase, userId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM inosec.totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL',
    [userId],
  );
  return rows[0]?.n ?? 0;
}
