import type { ILocalUser } from '@inosec/protos';

/** One /etc/passwd entry. */
export interface PasswdEntry {
  name: string;
  uid: string;
  gid: string;
  home: string;
  shell: string;
}

/** One /etc/group entry. */
export interface GroupEntry {
  name: string;
  gid: string;
  members: string[];
}

const NUMERIC = /^\d+$/;

/** Parses /etc/passwd (name:password:uid:gid:gecos:home:shell); NIS "+"/"-" lines and garbled lines are counted. */
export function parsePasswd(text: string): { entries: PasswdEntry[]; bad: number } {
  const entries: PasswdEntry[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const [name, , uid, gid, , home, shell] = f;
    if (
      f.length !== 7 ||
      !name ||
      /^[+-]/.test(name) ||
      !NUMERIC.test(uid ?? '') ||
      !NUMERIC.test(gid ?? '')
    ) {
      bad++;
      continue;
    }
    entries.push({ name, uid: uid ?? '', gid: gid ?? '', home: home ?? '', shell: shell ?? '' });
  }
  return { entries, bad };
}

/** Parses /etc/group (name:password:gid:member,member). */
export function parseGroup(text: string): { entries: GroupEntry[]; bad: number } {
  const entries: GroupEntry[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const [name, , gid, members] = f;
    if (f.length !== 4 || !name || /^[+-]/.test(name) || !NUMERIC.test(gid ?? '')) {
      bad++;
      continue;
    }
    entries.push({ name, gid: gid ?? '', members: (members ?? '').split(',').filter((m) => m !== '') });
  }
  return { entries, bad };
}

/**
 * LocalUser per passwd entry; `groups` lists the supplementary groups (those naming the user as a member),
 * sorted, without the primary group, which is `group_id`.
 */
export function buildLocalUsers(passwd: readonly PasswdEntry[], groups: readonly GroupEntry[]): ILocalUser[] {
  const memberOf = new Map<string, string[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const list = memberOf.get(m);
      if (list) list.push(g.name);
      else memberOf.set(m, [g.name]);
    }
  }
  return passwd.map((p) => ({
    name: p.name,
    id: p.uid,
    groupId: p.gid,
    groups: [...new Set(memberOf.get(p.name) ?? [])].sort(),
    homeDirectory: p.home,
    shell: p.shell,
  }));
}
