import type pg from 'pg';

/** An enrollment token as listed (never the token itself: only its digest is stored). */
export interface EnrollmentTokenRow {
  id: string;
  groupId: string;
  groupName: string;
  description: string;
  maxUses: number;
  uses: number;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  createdBy: string | null;
  /** created_at with microseconds (UTC ISO-8601): the list's keyset position. */
  cursorAt: string;
}

interface TokenDbRow {
  id: string;
  group_id: string;
  group_name: string;
  description: string;
  max_uses: number;
  uses: number;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
  created_by: string | null;
  cursor_at: string;
}

function toToken(r: TokenDbRow): EnrollmentTokenRow {
  return {
    id: r.id,
    groupId: r.group_id,
    groupName: r.group_name,
    description: r.description,
    maxUses: r.max_uses,
    uses: r.uses,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
    cursorAt: r.cursor_at,
  };
}

const SELECT = `SELECT t.id::text, t.group_id::text, g.name AS group_name, t.description, t.max_uses, t.uses,
                       t.expires_at, t.revoked_at, t.last_used_at, t.created_at, t.created_by::text,
                       to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
                  FROM inosec.enrollment_tokens t JOIN inosec.agent_groups g ON g.id = t.group_id`;

export async function insertEnrollmentToken(
  client: pg.ClientBase,
  token: {
    tenantId: string;
    groupId: string;
    tokenHash: Buffer;
    description: string;
    maxUses: number;
    ttlSeconds: number;
    createdBy: string | null;
  },
): Promise<EnrollmentTokenRow> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO inosec.enrollment_tokens (tenant_id, group_id, token_hash, description, max_uses, expires_at, created_by)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7) RETURNING id::text`,
    [
      token.tenantId,
      token.groupId,
      token.tokenHash,
      token.description,
      token.maxUses,
      token.ttlSeconds,
      token.createdBy,
    ],
  );
  return (await findEnrollmentToken(client, (rows[0] as { id: string }).id)) as EnrollmentTokenRow;
}

export async function findEnrollmentToken(
  client: pg.ClientBase,
  id: string,
): Promise<EnrollmentTokenRow | undefined> {
  const { rows } = await client.query<TokenDbRow>(`${SELECT} WHERE t.id = $1`, [id]);
  return rows[0] && toToken(rows[0]);
}

/** Tokens newest first, after the cursor's (created_at, id). */
export async function listEnrollmentTokens(
  client: pg.ClientBase,
  options: { after?: { createdAt: string; id: string }; limit: number; active?: boolean },
): Promise<EnrollmentTokenRow[]> {
  const { rows } = await client.query<TokenDbRow>(
    `${SELECT}
      WHERE ($1::timestamptz IS NULL OR (t.created_at, t.id) < ($1::timestamptz, $2::uuid))
        AND ($3::boolean IS NULL OR $3 = (t.revoked_at IS NULL AND t.expires_at > now() AND t.uses < t.max_uses))
      ORDER BY t.created_at DESC, t.id DESC LIMIT $4`,
    [options.after?.createdAt ?? null, options.after?.id ?? null, options.active ?? null, options.limit],
  );
  return rows.map(toToken);
}

/** Revokes a token; false when there is none with that id in the tenant. */
export async function revokeEnrollmentToken(client: pg.ClientBase, id: string): Promise<boolean> {
  const { rowCount } = await client.query(
    'UPDATE inosec.enrollment_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1',
    [id],
  );
  return rowCount === 1;
}

/**
 * Uses a token once, atomically: counts the use when the token exists in the transaction's tenant, is not
 * revoked or expired and has uses left. Returns the token id and its group; undefined otherwise.
 */
export async function consumeEnrollmentToken(
  client: pg.ClientBase,
  tokenHash: Buffer,
): Promise<{ id: string; groupId: string } | undefined> {
  const { rows } = await client.query<{ id: string; group_id: string }>(
    `UPDATE inosec.enrollment_tokens SET uses = uses + 1, last_used_at = now()
      WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND uses < max_uses
      RETURNING id::text, group_id::text`,
    [tokenHash],
  );
  return rows[0] && { id: rows[0].id, groupId: rows[0].group_id };
}

/** Why a token that could not be used was refused (for the audit entry): it exists but is spent. */
export async function describeUnusableToken(
  client: pg.ClientBase,
  tokenHash: Buffer,
): Promise<{ id: string; why: 'revoked' | 'expired' | 'used_up' } | undefined> {
  const { rows } = await client.query<{ id: string; why: 'revoked' | 'expired' | 'used_up' }>(
    `SELECT id::text, CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= now() THEN 'expired'
                           ELSE 'used_up' END AS why
       FROM inosec.enrollment_tokens WHERE token_hash = $1`,
    [tokenHash],
  );
  return rows[0];
}
