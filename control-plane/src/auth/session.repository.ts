// SQL for sessions (one per sign-in) and their rotating refresh tokens. Runs inside the tenant's transaction.
import type pg from 'pg';

export type RevokeReason =
  'logout' | 'revoke_all' | 'refresh_reuse' | 'admin' | 'password_change' | 'user_disabled';

/** A session as its owner lists it. */
export interface SessionRow {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  mfa: boolean;
  /** The keyset position: created_at in microseconds since the epoch. */
  position: string;
}

/** Whether a session may still mint tokens, and its user's and tenant's standing. */
export interface SessionState {
  userId: string;
  live: boolean;
  userStatus: string;
  tenantStatus: string;
  mfa: boolean;
}

/** Creates a session lasting `ttlSeconds`; `id` lets a pending second-factor login fix it in advance. */
export async function insertSession(
  client: pg.ClientBase,
  session: {
    id: string;
    tenantId: string;
    userId: string;
    ttlSeconds: number;
    ip: string | null;
    userAgent: string | null;
    mfa: boolean;
    /** The platform operator's own session this one is delegated from (the tenant switcher). */
    delegatedFrom?: string | undefined;
  },
): Promise<{ id: string; expiresAt: Date } | undefined> {
  const { rows } = await client.query<{ id: string; expires_at: Date }>(
    `INSERT INTO inosec.sessions (id, tenant_id, user_id, expires_at, ip, user_agent, mfa, delegated_from)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::int), $5::inet, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING
     RETURNING id::text, expires_at`,
    [
      session.id,
      session.tenantId,
      session.userId,
      session.ttlSeconds,
      session.ip,
      session.userAgent,
      session.mfa,
      session.delegatedFrom ?? null,
    ],
  );
  const row = rows[0];
  return row === undefined ? undefined : { id: row.id, expiresAt: row.expires_at };
}

export async function insertRefreshToken(
  client: pg.ClientBase,
  token: { digest: Buffer; tenantId: string; sessionId: string; generation: number; expiresAt: Date },
): Promise<void> {
  await client.query(
    `INSERT INTO inosec.refresh_tokens (token_hash, tenant_id, session_id, generation, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [token.digest, token.tenantId, token.sessionId, token.generation, token.expiresAt],
  );
}

/**
 * Marks a refresh token used, atomically: only one caller gets its row back. Undefined when the token is
 * unknown or was already used.
 */
export async function useRefreshToken(
  client: pg.ClientBase,
  digest: Buffer,
): Promise<{ sessionId: string; generation: number; expired: boolean } | undefined> {
  const { rows } = await client.query<{ session_id: string; generation: number; expired: boolean }>(
    `UPDATE inosec.refresh_tokens SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL
      RETURNING session_id::text, generation, expires_at <= now() AS expired`,
    [digest],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : { sessionId: row.session_id, generation: row.generation, expired: row.expired };
}

/** Whether a session with this id exists (live or not). */
export async function sessionExists(client: pg.ClientBase, sessionId: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM inosec.sessions WHERE id = $1', [sessionId]);
  return (rowCount ?? 0) > 0;
}

/** A refresh token's session and whether it was used, by digest. */
export async function findRefreshToken(
  client: pg.ClientBase,
  digest: Buffer,
): Promise<{ sessionId: string; userId: string; used: boolean } | undefined> {
  const { rows } = await client.query<{ session_id: string; user_id: string; used: boolean }>(
    `SELECT rt.session_id::text, s.user_id::text, rt.used_at IS NOT NULL AS used
       FROM inosec.refresh_tokens rt JOIN inosec.sessions s ON s.id = rt.session_id
      WHERE rt.token_hash = $1`,
    [digest],
  );
  const row = rows[0];
  return row === undefined ? undefined : { sessionId: row.session_id, userId: row.user_id, used: row.used };
}

/** A session with its user's and tenant's status. */
export async function readSessionState(
  client: pg.ClientBase,
  sessionId: string,
): Promise<SessionState | undefined> {
  const { rows } = await client.query<{
    user_id: string;
    live: boolean;
    user_status: string;
    tenant_status: string;
    mfa: boolean;
  }>(
    `SELECT s.user_id::text, s.revoked_at IS NULL AND s.expires_at > now()
              AND (s.delegated_from IS NULL OR inosec.delegation_live(s.delegated_from)) AS live,
            u.status AS user_status,
            t.status AS tenant_status, s.mfa
       FROM inosec.sessions s
       JOIN inosec.users u ON u.id = s.user_id
       JOIN inosec.tenants t ON t.id = s.tenant_id
      WHERE s.id = $1
      FOR UPDATE OF s`,
    [sessionId],
  );
  const row = rows[0];
  return row === undefined
    ? undefined
    : {
        userId: row.user_id,
        live: row.live,
        userStatus: row.user_status,
        tenantStatus: row.tenant_status,
        mfa: row.mfa,
      };
}

/** Records a use and slides the session's end `ttlSeconds` ahead; returns the new end. */
export async function touchSession(
  client: pg.ClientBase,
  sessionId: string,
  ttlSeconds: number,
): Promise<Date> {
  const { rows } = await client.query<{ expires_at: Date }>(
    `UPDATE inosec.sessions SET last_used_at = now(), expires_at = now() + make_interval(secs => $2::int)
      WHERE id = $1 RETURNING expires_at`,
    [sessionId, ttlSeconds],
  );
  return rows[0]?.expires_at ?? new Date();
}

/** Ends a live session (of `userId` when given); false when there was none to end. */
export async function revokeSession(
  client: pg.ClientBase,
  sessionId: string,
  reason: RevokeReason,
  userId?: string,
): Promise<boolean> {
  const { rowCount } = await client.query(
    `UPDATE inosec.sessions SET revoked_at = now(), revoked_reason = $2
      WHERE id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($3::uuid IS NULL OR user_id = $3::uuid)`,
    [sessionId, reason, userId ?? null],
  );
  return (rowCount ?? 0) > 0;
}

/** Ends every live session of a user, except `keep`; returns the ended ids. */
export async function revokeUserSessions(
  client: pg.ClientBase,
  userId: string,
  reason: RevokeReason,
  keep?: string,
): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `UPDATE inosec.sessions SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)
      RETURNING id::text`,
    [userId, reason, keep ?? null],
  );
  return rows.map((r) => r.id);
}

/** Marks a session as having passed the second factor. */
export async function markSessionMfa(client: pg.ClientBase, sessionId: string): Promise<void> {
  await client.query('UPDATE inosec.sessions SET mfa = true WHERE id = $1', [sessionId]);
}

/** A user's live sessions, newest first, after the keyset `after` (created_at, id). */
export async function listLiveSessions(
  client: pg.ClientBase,
  userId: string,
  limit: number,
  after?: { position: string; id: string },
): Promise<SessionRow[]> {
  const { rows } = await client.query<{
    id: string;
    created_at: Date;
    last_used_at: Date;
    expires_at: Date;
    ip: string | null;
    user_agent: string | null;
    mfa: boolean;
    position: string;
  }>(
    `SELECT id::text, created_at, last_used_at, expires_at, host(ip) AS ip, user_agent, mfa,
            (extract(epoch FROM created_at) * 1000000)::bigint::text AS position
       FROM inosec.sessions
      WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
        AND ($3::bigint IS NULL
             OR ((extract(epoch FROM created_at) * 1000000)::bigint, id) < ($3::bigint, $4::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $2`,
    [userId, limit, after?.position ?? null, after?.id ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    ip: r.ip,
    userAgent: r.user_agent,
    mfa: r.mfa,
    position: r.position,
  }));
}
