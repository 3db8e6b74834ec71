import { promises as fsp } from 'node:fs';

/**
 * uid/gid to name from /etc/passwd and /etc/group (files only: NSS sources such as LDAP are not consulted, an
 * unknown id keeps an empty name). Reloaded on demand, e.g. when FIM sees either file change.
 */
export class IdNameResolver {
  private users = new Map<number, string>();
  private groups = new Map<number, string>();

  constructor(
    private readonly passwdPath = '/etc/passwd',
    private readonly groupPath = '/etc/group',
  ) {}

  /** Paths whose change calls for a reload. */
  get sources(): readonly string[] {
    return [this.passwdPath, this.groupPath];
  }

  /** Re-reads both files; a missing or unreadable file leaves that map empty. */
  async reload(): Promise<void> {
    this.users = await readIdFile(this.passwdPath);
    this.groups = await readIdFile(this.groupPath);
  }

  userName(uid: number): string {
    return this.users.get(uid) ?? '';
  }

  groupName(gid: number): string {
    return this.groups.get(gid) ?? '';
  }
}

/** Parses `name:x:id:...` lines (passwd and group share the first three fields); the first name for an id wins. */
export function parseIdNames(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0];
    const id = Number(fields[2]);
    if (name && fields.length >= 3 && Number.isInteger(id) && !out.has(id)) out.set(id, name);
  }
  return out;
}

async function readIdFile(filePath: string): Promise<Map<number, string>> {
  try {
    return parseIdNames(await fsp.readFile(filePath, 'utf8'));
  } catch {
    return new Map();
  }
}
