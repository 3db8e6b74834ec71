// SQL for the login throttle: failed sign-ins per HMAC key (tenant slug and email), not tenant data.
import type pg from 'pg';

/** Seconds the key stays locked, or undefined when it is not locked. */
export async function lockRemaining(client: pg.ClientBase, key: Buffer): Promise<number | undefined> {
  const { rows } = await client.query<{ remaining: number }>(
    `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS remaining
       FROM inosec.login_throttle WHERE key = $1 AND locked_until > now()`,
    [key],
  );
  return rows[0]?.remaining;
}

/**
 * Counts one failure in the key's window (`windowSeconds`, restarted when it has passed) and locks the key for
 * `windowSeconds` when the count reaches `maxFailures`. Atomic: concurrent failures all count.
 */
export async function countFailure(
  client: pg.ClientBase,
  key: Buffer,
  maxFailures: number,
  windowSeconds: number,
): Promise<{ failures: number; locked: boolean }> {
  const { rows } = await client.query<{ failures: number; locked: boolean }>(
    `WITH settings AS (SELECT make_interval(secs => $3::int) AS span)
     INSERT INTO inosec.login_throttle AS t (key, failures, window_started_at, locked_until)
     SELECT $1, 1, now(), CASE WHEN $2::int <= 1 THEN now() + span END FROM settings
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN t.window_started_at > now() - make_interval(secs => $3::int)
                       THEN t.failures + 1 ELSE 1 END,
       window_started_at = CASE WHEN t.window_started_at > now() - make_interval(secs => $3::int)
                                THEN t.window_started_at ELSE now() END,
       locked_until = CASE WHEN (CASE WHEN t.window_started_at > now() - make_interval(secs => $3::int)
                                      THEN t.failures + 1 ELSE 1 END) >= $2::int
                           THEN now() + make_interval(secs => $3::int) ELSE t.locked_until END
     RETURNING failures, coalesce(locked_until > now(), false) AS locked`,
    [key, maxFailures, windowSeconds],
  );
  const row = rows[0];
  return { failures: row?.failures ?? 1, locked: row?.locked ?? false };
}

/** Forgets a key's failures (after a successful sign-in). */
export async function clearFailures(client: pg.ClientBase, key: Buffer): Promise<void> {
  await client.query('DELETE FROM inosec.login_throttle WHERE key = $1', [key]);
}

/** Drops keys whose window and lock ended more than `olderThanSeconds` ago. */
export async function purgeStale(client: pg.ClientBase, olderThanSeconds: number): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM inosec.login_throttle
      WHERE window_started_at < now() - make_interval(secs => $1::int)
        AND (locked_until IS NULL OR locked_until < now())`,
    [olderThanSeconds],
  );
  return rowCount ?? 0;
}
