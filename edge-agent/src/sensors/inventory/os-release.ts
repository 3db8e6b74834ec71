import type { IOs } from '@inosec/protos';

/** Parses an os-release(5) file: KEY=value lines, values optionally quoted, shell escapes \" \\ \$ \`. */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2] ?? '';
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    out.set(m[1] ?? '', value);
  }
  return out;
}

const FAMILIES: readonly [RegExp, string][] = [
  [/\b(debian|ubuntu|raspbian|linuxmint|pop|kali)\b/, 'debian'],
  [/\b(rhel|centos|fedora|rocky|almalinux|ol|amzn)\b/, 'rhel'],
  [/\b(suse|opensuse|sles|opensuse-leap|opensuse-tumbleweed)\b/, 'suse'],
  [/\balpine\b/, 'alpine'],
  [/\b(arch|manjaro|endeavouros)\b/, 'arch'],
  [/\bgentoo\b/, 'gentoo'],
];

/**
 * Os from os-release fields: family from ID_LIKE then ID (debian, rhel, suse, alpine, arch, gentoo; else the ID),
 * name (NAME), version (VERSION, else VERSION_ID), platform (ID), type "linux", kernel as given.
 */
export function osFromRelease(fields: ReadonlyMap<string, string>, kernel: string): IOs {
  const id = (fields.get('ID') ?? '').toLowerCase();
  const like = (fields.get('ID_LIKE') ?? '').toLowerCase();
  let family = id;
  for (const [re, fam] of FAMILIES) {
    if (re.test(like) || re.test(id)) {
      family = fam;
      break;
    }
  }
  return {
    family,
    name: fields.get('NAME') ?? '',
    version: fields.get('VERSION') ?? fields.get('VERSION_ID') ?? '',
    kernel,
    platform: id,
    type: 'linux',
  };
}
