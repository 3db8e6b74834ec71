import type { SecretBox } from '../security/secret-box.js';
import type { NatsAuthority } from './nats-authority.js';
import { loadNatsAuthority, natsAuthorityFile } from './nats-authority-store.js';

const loaded = new Map<string, Promise<NatsAuthority>>();

/**
 * The deployment's NATS authority, read (or, with `create`, generated) once per process and data directory
 * and shared by every caller; a failed load is forgotten so the next call tries again (e.g. after the
 * operator mounted the file).
 */
export function sharedNatsAuthority(options: {
  dataDir: string;
  secretBox: SecretBox;
  create: boolean;
}): Promise<NatsAuthority> {
  const file = natsAuthorityFile(options.dataDir);
  let authority = loaded.get(file);
  if (!authority) {
    authority = loadNatsAuthority(options);
    loaded.set(file, authority);
    authority.catch(() => loaded.delete(file));
  }
  return authority;
}
