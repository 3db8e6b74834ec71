import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 / 7677), computed here so the
 * password itself never travels in a statement that a server with `log_statement = ddl` would log.
 * Our generated passwords are ASCII, for which SASLprep is the identity.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

async function canLogIn(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    // 28P01 invalid_password; 28000 invalid_authorization_specification (role cannot log in).
    if (['28P01', '28000'].includes((error as { code?: string }).code ?? '')) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates or repairs a LOGIN role that is a member of exactly one group role, with a password kept in
 * a 0600 file of the secrets directory, and returns the URL the process connects with. The role has
 * no superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, so it holds exactly the group's grants;
 * any other membership is revoked. The password is set (as a SCRAM verifier) only when the role is new
 * or the stored password no longer logs in.
 */
export async function provisionLoginRole(
  admin: pg.Pool,
  adminUrl: string,
  options: { role: string; memberOf: string; secretsDir: string },
): Promise<string> {
  const { role, memberOf, secretsDir } = options;
  const file = path.join(secretsDir, `${role}.password`);
  let password = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (password.length === 0) {
    await mkdir(secretsDir, { recursive: true, mode: 0o700 });
    password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
  }
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  const roleUrl = url.toString();

  const client = await admin.connect();
  try {
    const ident = client.escapeIdentifier(role);
    const attrs = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION';
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (found.rowCount === 0) {
      await client.query(
        `CREATE ROLE ${ident} ${attrs} PASSWORD ${client.escapeLiteral(scramSha256Verifier(password))}`,
      );
    } else {
      await client.query(`ALTER ROLE ${ident} ${attrs}`);
    }
    const others = await client.query<{ rolname: string }>(
      `SELECT g.rolname FROM pg_auth_members m
         JOIN pg_roles g ON g.oid = m.roleid
         JOIN pg_roles u ON u.oid = m.member
        WHERE u.rolname = $1 AND g.rolname <> $2`,
      [role, memberOf],
    );
    for (const { rolname } of others.rows) {
      await client.query(`REVOKE ${client.escapeIdentifier(rolname)} FROM ${ident}`);
    }
    await client.query(`GRANT ${client.escapeIdentifier(memberOf)} TO ${ident}`);
    if (found.rowCount !== 0 && !(await canLogIn(roleUrl))) {
      await client.query(
        `ALTER ROLE ${ident} PASSWORD ${client.escapeLiteral(scramSha256Verifier(password))}`,
      );
    }
  } finally {
    client.release();
  }
  return roleUrl;
}
