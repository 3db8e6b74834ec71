import { constants, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IInventorySnapshot, IOs, IPackage, ISystemService } from '@inosec/protos';
import { buildLocalUsers, parseGroup, parsePasswd } from './account-parsers.js';
import type { CommandRunner } from './command-runner.js';
import { listInterfaces } from './network-interfaces.js';
import { LEGACY_RELEASE_FILES, osFromLegacyRelease, osFromRelease, parseOsRelease } from './os-release.js';
import { parseDpkgStatus, parseRpmQuery, RPM_QUERY_FORMAT } from './package-parsers.js';
import { listSystemdServices } from './systemd-services.js';

/** A part of the snapshot that could not be collected (counted as `inventory.<source>_errors`). */
export type InventorySource =
  'os' | 'dpkg' | 'rpm' | 'passwd' | 'group' | 'systemd' | 'listening' | 'boot_time';

/** Where the collector reads from. */
export interface InventorySources {
  /** Prefix of /etc/os-release, /etc/passwd, /etc/group, /var/lib/dpkg/status, /var/lib/rpm ("/" on a host). */
  rootDir: string;
  procRoot: string;
  sysRoot: string;
  run: CommandRunner;
  /** Listening sockets as services (wired to the network sensor by the agent). */
  listeningServices?: () => Promise<ISystemService[]>;
  /** Directories searched for the rpm program. */
  binDirs: readonly string[];
  onError(source: InventorySource, err: unknown): void;
  /** Malformed lines or stanzas skipped while parsing. */
  onBad(source: InventorySource, count: number): void;
}

/** Collects one full inventory snapshot (never a delta). */
export async function collectInventory(src: InventorySources): Promise<IInventorySnapshot> {
  const [osInfo, packages, services] = await Promise.all([readOs(src), readPackages(src), readServices(src)]);
  return {
    os: osInfo,
    packages,
    users: await readUsers(src),
    services,
    interfaces: listInterfaces(src.sysRoot),
    bootTimeUnixUs: readBootTime(src),
  };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * os-release (/etc, then /usr/lib); on a host without one, the older release files (lsb-release,
 * redhat-release, SuSE-release, debian_version...) in /etc.
 */
async function readOs(src: InventorySources): Promise<IOs> {
  const kernel = os.release();
  try {
    const text =
      (await readText(path.join(src.rootDir, 'etc/os-release'))) ??
      (await readText(path.join(src.rootDir, 'usr/lib/os-release')));
    if (text !== undefined) return osFromRelease(parseOsRelease(text), kernel);
    const files = new Map<string, string>();
    for (const name of LEGACY_RELEASE_FILES) {
      const content = await readText(path.join(src.rootDir, 'etc', name));
      if (content !== undefined) files.set(name, content);
    }
    const legacy = osFromLegacyRelease(files, kernel);
    if (legacy) return legacy;
  } catch (err) {
    src.onError('os', err);
  }
  return { kernel, type: 'linux' };
}

async function readPackages(src: InventorySources): Promise<IPackage[]> {
  const out: IPackage[] = [];
  try {
    const status = await readText(path.join(src.rootDir, 'var/lib/dpkg/status'));
    if (status !== undefined) {
      const { packages, bad } = parseDpkgStatus(status);
      if (bad > 0) src.onBad('dpkg', bad);
      out.push(...packages);
    }
  } catch (err) {
    src.onError('dpkg', err);
  }
  const rpm = await findRpm(src);
  if (rpm) {
    try {
      const args = ['-qa', '--qf', RPM_QUERY_FORMAT];
      if (src.rootDir !== '/') args.unshift('--root', src.rootDir);
      const { packages, bad } = parseRpmQuery(await src.run(rpm, args));
      if (bad > 0) src.onBad('rpm', bad);
      out.push(...packages);
    } catch (err) {
      src.onError('rpm', err);
    }
  }
  return out;
}

/** The rpm program, when there is one and an rpm database to query. */
async function findRpm(src: InventorySources): Promise<string | undefined> {
  const dbs = ['var/lib/rpm', 'usr/lib/sysimage/rpm'].map((d) => path.join(src.rootDir, d));
  const hasDb = await Promise.all(
    dbs.map((d) =>
      fsp.access(d).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (!hasDb.some(Boolean)) return undefined;
  for (const dir of src.binDirs) {
    const candidate = path.join(dir, 'rpm');
    if (
      await fsp.access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

async function readUsers(src: InventorySources): Promise<IInventorySnapshot['users']> {
  let passwd: ReturnType<typeof parsePasswd>['entries'] = [];
  let groups: ReturnType<typeof parseGroup>['entries'] = [];
  try {
    const r = parsePasswd((await readText(path.join(src.rootDir, 'etc/passwd'))) ?? '');
    if (r.bad > 0) src.onBad('passwd', r.bad);
    passwd = r.entries;
  } catch (err) {
    src.onError('passwd', err);
  }
  try {
    const r = parseGroup((await readText(path.join(src.rootDir, 'etc/group'))) ?? '');
    if (r.bad > 0) src.onBad('group', r.bad);
    groups = r.entries;
  } catch (err) {
    src.onError('group', err);
  }
  return buildLocalUsers(passwd, groups);
}

async function readServices(src: InventorySources): Promise<ISystemService[]> {
  const out: ISystemService[] = [];
  try {
    out.push(...(await listSystemdServices(src.run, src.procRoot)));
  } catch (err) {
    src.onError('systemd', err);
  }
  if (src.listeningServices) {
    try {
      out.push(...(await src.listeningServices()));
    } catch (err) {
      src.onError('listening', err);
    }
  }
  return out;
}

function readBootTime(src: InventorySources): number {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync(path.join(src.procRoot, 'stat'), 'utf8'));
    if (m) return Number(m[1]) * 1_000_000;
  } catch (err) {
    src.onError('boot_time', err);
  }
  return 0;
}
