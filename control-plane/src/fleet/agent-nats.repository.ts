import type pg from 'pg';

/** Stores the public key and expiry of the NATS user issued to an agent (never its seed or creds). */
export async function recordAgentNatsUser(
  client: pg.ClientBase,
  agentId: string,
  userPublicKey: string,
  expiresAt: Date,
): Promise<void> {
  await client.query('UPDATE inosec.agents SET nats_user_key = $2, nats_expires_at = $3 WHERE id = $1', [
    agentId,
    userPublicKey,
    expiresAt,
  ]);
}

/**
 * Adds the NATS user of a revoked agent of the transaction's tenant to the platform revocation list
 * (inosec.revoke_agent_nats_user); the user key, or undefined when the agent had no NATS user.
 */
export async function recordAgentNatsRevocation(
  client: pg.ClientBase,
  agentId: string,
): Promise<string | undefined> {
  const { rows } = await client.query<{ key: string | null }>(
    'SELECT inosec.revoke_agent_nats_user($1) AS key',
    [agentId],
  );
  return rows[0]?.key ?? undefined;
}

/** Revoked NATS users revoked at or after `since`: user public key → revocation time. */
export async function listNatsRevocations(
  client: pg.ClientBase,
  since: Date,
): Promise<Array<{ userKey: string; revokedAt: Date }>> {
  const { rows } = await client.query<{ user_key: string; revoked_at: Date }>(
    'SELECT user_key, revoked_at FROM inosec.nats_revocations WHERE revoked_at >= $1 ORDER BY user_key',
    [since],
  );
  return rows.map((r) => ({ userKey: r.user_key, revokedAt: r.revoked_at }));
}
