import { readFileSync, statSync } from 'node:fs';

/** Minimum time between two stat() calls checking whether the database file changed. */
const RECHECK_MS = 1_000;

/**
 * Maps numeric ids to names from a colon-separated account database (/etc/passwd, /etc/group: name is field 1,
 * id field 3). The file is re-read when its mtime (or size) changes, checked at most once a second, so lookups
 * cost a Map access. A missing or unreadable file yields no names (ids are still reported by the sensors).
 */
export class AccountCache {
  private names = new Map<number, string>();
  private signature = '';
  private checkedAt = Number.NEGATIVE_INFINITY;

  /** @param path The database, e.g. /etc/passwd. */
  constructor(readonly path: string) {}

  /** The name of `id`, or undefined when the database has none. */
  lookup(id: number): string | undefined {
    this.refresh();
    return this.names.get(id);
  }

  /** Re-reads the file when its mtime or size changed; `force` skips the once-a-second throttle. */
  refresh(force = false): void {
    const now = Date.now();
    if (!force && now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    let signature: string;
    try {
      const st = statSync(this.path);
      signature = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      signature = 'missing';
    }
    if (signature === this.signature) return;
    this.signature = signature;
    this.names = signature === 'missing' ? new Map<number, string>() : this.load();
  }

  private load(): Map<number, string> {
    const names = new Map<number, string>();
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return names;
    }
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(':');
      const id = Number(fields[2]);
      const name = fields[0];
      // The first entry wins, as getpwuid(3) returns it.
      if (name && fields[2] !== '' && Number.isSafeInteger(id) && !names.has(id)) names.set(id, name);
    }
    return names;
  }
}

/** A user-name cache over `<etcRoot>/passwd`. */
export function createUserCache(etcRoot = '/etc'): AccountCache {
  return new AccountCache(`${etcRoot}/passwd`);
}

/** A group-name cache over `<etcRoot>/group`. */
export function createGroupCache(etcRoot = '/etc'): AccountCache {
  return new AccountCache(`${etcRoot}/group`);
}
