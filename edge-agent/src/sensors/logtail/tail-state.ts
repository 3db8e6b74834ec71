import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a tailer stopped: the identity of the file (device and inode, as decimal strings because inode
 * numbers may exceed 2^53 on XFS/btrfs) and the byte offset just after the last line handed on.
 */
export interface TailPosition {
  readonly dev: string;
  readonly ino: string;
  readonly offset: number;
}

interface StoredState extends TailPosition {
  readonly version: 1;
  readonly path: string;
}

/**
 * File name (inside a sensor's state dir) of the position of one tailed path: the path with every
 * character outside [A-Za-z0-9._-] replaced, so `/var/log/auth.log` becomes `tail-_var_log_auth.log.json`.
 */
export function tailStateFileName(tailedPath: string): string {
  return `tail-${tailedPath.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/**
 * Reads a stored position; undefined when there is none, it belongs to another path or it is garbled
 * (a garbled state file means "start like the first time", never a crash).
 */
export async function loadTailPosition(
  stateFile: string,
  tailedPath: string,
): Promise<TailPosition | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredState>;
    if (
      parsed.version === 1 &&
      parsed.path === tailedPath &&
      typeof parsed.dev === 'string' &&
      typeof parsed.ino === 'string' &&
      typeof parsed.offset === 'number' &&
      Number.isSafeInteger(parsed.offset) &&
      parsed.offset >= 0
    ) {
      return { dev: parsed.dev, ino: parsed.ino, offset: parsed.offset };
    }
  } catch {
    // fall through: treated as absent
  }
  return undefined;
}

/** Writes a position atomically (temporary file + rename), so a crash leaves the old or the new one. */
export async function saveTailPosition(
  stateFile: string,
  tailedPath: string,
  position: TailPosition,
): Promise<void> {
  const stored: StoredState = { version: 1, path: tailedPath, ...position };
  const tmp = path.join(
    path.dirname(stateFile),
    `.${path.basename(stateFile)}.${randomBytes(4).toString('hex')}`,
  );
  try {
    await writeFile(tmp, JSON.stringify(stored));
    await rename(tmp, stateFile);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
