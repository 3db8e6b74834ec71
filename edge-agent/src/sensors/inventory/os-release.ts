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

/** Release files of distributions older than os-release (2012), read from /etc when os-release is absent. */
export const LEGACY_RELEASE_FILES = [
  'lsb-release',
  'redhat-release',
  'centos-release',
  'oracle-release',
  'fedora-release',
  'system-release',
  'SuSE-release',
  'gentoo-release',
  'alpine-release',
  'debian_version',
] as const;

/** "CentOS release 6.10 (Final)", "Red Hat Enterprise Linux Server release 5.11 (Tikanga)": name and version. */
const RELEASE_LINE = /^(.*?)\s+release\s+(\S+)(?:\s+\((.*)\))?/i;

/** The platform id (as os-release's ID would say) of a distribution name. */
function platformOf(name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('red hat')) return 'rhel';
  if (lower.startsWith('oracle')) return 'ol';
  if (lower.startsWith('amazon')) return 'amzn';
  if (lower.includes('suse')) return lower.includes('enterprise') ? 'sles' : 'opensuse';
  return lower.split(/\s+/)[0] ?? '';
}

/**
 * Os from the release files of a host without os-release (the contents of {@link LEGACY_RELEASE_FILES} that
 * exist, by name): lsb-release's DISTRIB_* first, then a "<name> release <version> (<codename>)" line
 * (Red Hat family, openSUSE, Gentoo), then SuSE-release's VERSION and PATCHLEVEL, then alpine-release or
 * debian_version (a bare version). Undefined when none
 * tells the distribution.
 */
export function osFromLegacyRelease(files: ReadonlyMap<string, string>, kernel: string): IOs | undefined {
  let name = '';
  let version = '';
  const lsb = files.get('lsb-release');
  if (lsb !== undefined) {
    const fields = parseOsRelease(lsb);
    name = fields.get('DISTRIB_ID') ?? '';
    version = fields.get('DISTRIB_RELEASE') ?? '';
    const codename = fields.get('DISTRIB_CODENAME');
    if (version && codename) version = `${version} (${codename})`;
  }
  if (!name) {
    for (const file of LEGACY_RELEASE_FILES) {
      const line = files.get(file)?.split('\n')[0]?.trim();
      const match = line ? RELEASE_LINE.exec(line) : null;
      if (!match) continue;
      name = match[1] ?? '';
      version = match[3] ? `${match[2]} (${match[3]})` : (match[2] ?? '');
      break;
    }
  }
  const suse = files.get('SuSE-release');
  if (!name && suse) {
    // "SUSE Linux Enterprise Server 11 (x86_64)" then "VERSION = 11" and "PATCHLEVEL = 4".
    name = (suse.split('\n')[0] ?? '').replace(/\s*\(.*\)\s*$/, '').trim();
    const field = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(suse)?.[1];
    const patch = field('PATCHLEVEL');
    version = `${field('VERSION') ?? ''}${patch && patch !== '0' ? ` SP${patch}` : ''}`;
  }
  if (!name) {
    const alpine = files.get('alpine-release')?.trim();
    const debian = files.get('debian_version')?.trim();
    if (alpine) [name, version] = ['Alpine Linux', alpine];
    else if (debian) [name, version] = ['Debian GNU/Linux', debian];
  }
  if (!name) return undefined;
  return osFromRelease(
    new Map([
      ['ID', platformOf(name)],
      ['NAME', name],
      ['VERSION', version],
    ]),
    kernel,
  );
}
