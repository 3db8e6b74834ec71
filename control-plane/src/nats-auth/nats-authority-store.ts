import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretBox } from '../security/secret-box.js';
import {
  NatsAuthError,
  createNatsAuthority,
  parseNatsAuthority,
  type NatsAuthority,
} from './nats-authority.js';

/** The SecretBox context the authority is sealed under (AAD): a value sealed for another purpose never opens. */
export const NATS_AUTHORITY_CONTEXT = 'nats-authority:v1';

/** Where the sealed authority lives: `<dataDir>/nats/authority.sealed`. */
export function natsAuthorityFile(dataDir: string): string {
  return path.join(dataDir, 'nats', 'authority.sealed');
}

/**
 * Reads the deployment's NATS authority (operator, accounts and signing key seeds) sealed with the data key
 * from `<dataDir>/nats/authority.sealed`; with `create`, generates it the first time (0600 in a 0700
 * directory, `wx` so two replicas starting together keep one and both read it back). Throws NatsAuthError
 * when the file is missing (without `create`), cannot be opened with this data key, or is malformed.
 *
 * Every control plane replica must read the same file (a mounted secret in scale-out): the operator in it is
 * the one every nats-server trusts.
 */
export async function loadNatsAuthority(options: {
  dataDir: string;
  secretBox: SecretBox;
  create?: boolean;
  operatorName?: string;
}): Promise<NatsAuthority> {
  const file = natsAuthorityFile(options.dataDir);
  let sealed = await readSealed(file);
  if (sealed === undefined) {
    if (!options.create) throw new NatsAuthError(`no NATS authority at ${file}: generate it first`);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const fresh = await createNatsAuthority(options.operatorName);
    const text = options.secretBox.seal(JSON.stringify(fresh), NATS_AUTHORITY_CONTEXT);
    await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    sealed = await readSealed(file);
    if (sealed === undefined)
      throw new NatsAuthError(`the NATS authority at ${file} is empty or vanished after creation`);
  }
  let json: string;
  try {
    json = options.secretBox.open(sealed, NATS_AUTHORITY_CONTEXT).toString('utf8');
  } catch (error) {
    throw new NatsAuthError(`the NATS authority at ${file} does not open with this data key`, {
      cause: error,
    });
  }
  return parseNatsAuthority(json);
}

async function readSealed(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NatsAuthError(`cannot read the NATS authority at ${file}`, { cause: error });
  }
}
