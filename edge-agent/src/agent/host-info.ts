import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { IHost } from '@inosec/protos';

function readFirst(paths: readonly string[]): string | undefined {
  for (const file of paths) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return text;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

function osRelease(): Record<string, string> {
  const text = readFirst(['/etc/os-release', '/usr/lib/os-release']) ?? '';
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) fields[match[1]] = (match[2] ?? '').replace(/^["']|["']$/g, '');
  }
  return fields;
}

/**
 * This host as the contracts describe it (ECS host.*), sent once per batch: names, the machine id, addresses
 * of the non-loopback interfaces, OS and kernel, architecture.
 */
export function describeHost(): IHost {
  const release = osRelease();
  const ips: string[] = [];
  const macs = new Set<string>();
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal) continue;
      ips.push(address.address);
      if (address.mac && address.mac !== '00:00:00:00:00:00')
        macs.add(address.mac.toUpperCase().replaceAll(':', '-'));
    }
  }
  const hostname = os.hostname();
  return {
    hostname,
    name: hostname.split('.')[0] ?? hostname,
    id: readFirst(['/etc/machine-id', '/var/lib/dbus/machine-id']) ?? '',
    ip: ips,
    mac: [...macs],
    os: {
      family: release.ID_LIKE?.split(' ')[0] ?? release.ID ?? 'linux',
      name: release.NAME ?? 'Linux',
      version: release.VERSION_ID ?? '',
      kernel: os.release(),
      platform: release.ID ?? 'linux',
      type: 'linux',
    },
    architecture: os.machine(),
  };
}
