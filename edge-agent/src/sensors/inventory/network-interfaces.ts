import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INetworkInterface } from '@inosec/protos';

const IFF_UP = 0x1;

/** "aa:bb:cc:dd:ee:ff" to the ECS form "AA-BB-CC-DD-EE-FF"; empty for none or all zeros. */
export function ecsMac(mac: string): string {
  const m = mac.trim();
  if (m === '' || /^[0:]+$/.test(m)) return '';
  return m.toUpperCase().replaceAll(':', '-');
}

/** Interface kind from the ARPHRD type and sysfs hints (uevent DEVTYPE, bridge/ and wireless/ directories). */
export function interfaceType(
  arphrd: number,
  devType: string,
  hasBridgeDir: boolean,
  hasWirelessDir: boolean,
): string {
  if (arphrd === 772) return 'loopback';
  if (devType === 'bridge' || hasBridgeDir) return 'bridge';
  if (devType === 'vlan') return 'vlan';
  if (devType === 'wlan' || hasWirelessDir) return 'wireless';
  if (
    arphrd === 65534 ||
    arphrd === 768 ||
    arphrd === 769 ||
    arphrd === 776 ||
    arphrd === 778 ||
    arphrd === 823
  ) {
    return 'tunnel';
  }
  if (arphrd === 1) return 'ethernet';
  return `arphrd-${arphrd}`;
}

/**
 * Interfaces from sysfs (/sys/class/net: address, mtu, flags, operstate, type) with addresses from the kernel
 * (os.networkInterfaces, "addr/prefix"). `up` means administratively up (IFF_UP) and operationally up (operstate
 * "up", or "unknown" with carrier, as loopback and some virtual devices report).
 */
export function listInterfaces(sysRoot = '/sys'): INetworkInterface[] {
  const base = path.join(sysRoot, 'class/net');
  let names: string[];
  try {
    names = readdirSync(base).sort();
  } catch {
    return [];
  }
  const addrs = os.networkInterfaces();
  return names.map((name) => {
    const dir = path.join(base, name);
    const read = (file: string): string => {
      try {
        return readFileSync(path.join(dir, file), 'utf8').trim();
      } catch {
        return '';
      }
    };
    const flags = parseInt(read('flags'), 16) || 0;
    const oper = read('operstate');
    const devType = /^DEVTYPE=(.*)$/m.exec(read('uevent'))?.[1] ?? '';
    return {
      name,
      mac: ecsMac(read('address')),
      ip: (addrs[name] ?? []).map((a) => a.cidr ?? a.address),
      mtu: Number(read('mtu')) || 0,
      up: (flags & IFF_UP) !== 0 && (oper === 'up' || (oper === 'unknown' && read('carrier') === '1')),
      type: interfaceType(
        Number(read('type')) || 0,
        devType,
        existsSync(path.join(dir, 'bridge')),
        existsSync(path.join(dir, 'wireless')) || existsSync(path.join(dir, 'phy80211')),
      ),
    };
  });
}
