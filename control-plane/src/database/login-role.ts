import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';

/**
 * Creates (or re-keys) a LOGIN role that is a member of one group role only, with a password kept in a
 * 0600 file of the secrets directory, and returns the URL the process connects with. The role has no
 * superuser, CREATEROLE, CREATEDB or BYPASSRLS, so it holds exactly the group's grants.
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
  const client = await admin.connect();
  try {
    const ident = client.escapeIdentifier(role);
    const secret = client.escapeLiteral(password);
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const attrs = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION';
    if (found.rowCount === 0) {
      await client.query(`CREATE ROLE ${ident} ${attrs} PASSWORD ${secret}`);
    } else {
      await client.query(`ALTER ROLE ${ident} ${attrs} PASSWORD ${secret}`);
    }
    await client.query(`GRANT ${client.escapeIdentifier(memberOf)} TO ${ident}`);
    // Connecting to the database is granted to PUBLIC by default; nothing else is.
  } finally {
    client.release();
  }
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}
