import type { IPackage } from '@inosec/protos';

const INSTALLED = /^(install|hold) ok installed$/;

/**
 * Installed packages from a dpkg status file (/var/lib/dpkg/status): RFC 822-like stanzas separated by blank lines;
 * only installed packages count: Status "install ok installed", or "hold ok installed" (installed and pinned).
 * Continuation lines (leading space) are skipped. A stanza without Package or Version is counted in `bad`.
 */
export function parseDpkgStatus(text: string): { packages: IPackage[]; bad: number } {
  const packages: IPackage[] = [];
  let bad = 0;
  let fields = new Map<string, string>();
  const flush = (): void => {
    if (fields.size === 0) return;
    if (INSTALLED.test(fields.get('Status') ?? '')) {
      const name = fields.get('Package');
      const version = fields.get('Version');
      if (name && version) {
        packages.push({ name, version, architecture: fields.get('Architecture') ?? '', source: 'deb' });
      } else {
        bad++;
      }
    }
    fields = new Map();
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    if (key === 'Package' || key === 'Version' || key === 'Architecture' || key === 'Status') {
      fields.set(key, line.slice(colon + 1).trim());
    }
  }
  flush();
  return { packages, bad };
}

/** Query format for `rpm -qa --qf`: name, [epoch:]version-release, arch, tab-separated. */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\n';

/** Parses `rpm -qa --qf RPM_QUERY_FORMAT` output. */
export function parseRpmQuery(text: string): { packages: IPackage[]; bad: number } {
  const packages: IPackage[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [name, version, arch] = line.split('\t');
    if (!name || !version || arch === undefined) {
      bad++;
      continue;
    }
    // gpg-pubkey entries have no architecture: rpm prints "(none)".
    packages.push({ name, version, architecture: arch === '(none)' ? '' : arch, source: 'rpm' });
  }
  return { packages, bad };
}
