import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { SecretBox } from './secret-box.js';

/** The control plane's own secrets, resolved once at start. */
export interface ServerSecrets {
  jwtSecret: string;
  secretBox: SecretBox;
}

/** Reads `file`, or creates it (0600) with `make()` the first time. */
async function persistent(file: string, make: () => string): Promise<string> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing !== '') return existing;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = make();
  // wx: two processes starting together never overwrite each other's key.
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}

/**
 * The JWT signing key and the data key: from the environment when set (every replica of a scale-out control
 * plane needs the same values), else generated once into the secrets directory (the appliance).
 */
export async function resolveServerSecrets(
  config: Pick<ControlPlaneConfig, 'INOSEC_JWT_SECRET' | 'INOSEC_DATA_KEY'>,
  secretsDir: string,
): Promise<ServerSecrets> {
  const jwtSecret =
    config.INOSEC_JWT_SECRET ??
    (await persistent(path.join(secretsDir, 'jwt.key'), () => randomBytes(48).toString('base64url')));
  const dataKey =
    config.INOSEC_DATA_KEY ??
    (await persistent(path.join(secretsDir, 'data.key'), () => randomBytes(32).toString('base64')));
  return { jwtSecret, secretBox: SecretBox.fromBase64(dataKey) };
}
