import { execFileSync, execSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inosec, InventorySnapshot, type IInventorySnapshot } from '@inosec/protos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sensorHarness } from '../../../test/support/sensor-harness.js';
import { execRunner } from './command-runner.js';
import { createInventorySensor } from './inventory-sensor.js';
import { splitSnapshot } from './snapshot-splitter.js';

const State = inosec.v1.SystemService.State;

const hasDpkg = (() => {
  try {
    execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('InventorySensor on this machine', () => {
  it.runIf(hasDpkg)(
    'reports the dpkg packages, root, interfaces, boot time and listening services',
    async () => {
      const { ctx, events, counters } = sensorHarness();
      const listening = {
        name: 'sshd (tcp/22)',
        state: State.STATE_RUNNING,
        type: 'listening',
        pid: 1,
        command: '/usr/sbin/sshd',
      };
      const sensor = createInventorySensor({ listeningServices: async () => [listening] });
      await sensor.start(ctx);
      await sensor.whenReady();
      await sensor.stop();
      expect(events).toHaveLength(1);
      const event = events[0]!;
      expect(event.sensor).toBe('inventory');
      const inv = event.inventory as IInventorySnapshot;

      const expected = Number(
        execSync("dpkg-query -W -f '${Status}\\n' | grep -c 'install ok installed'", {
          encoding: 'utf8',
        }).trim(),
      );
      const held = Number(
        execSync("dpkg-query -W -f '${Status}\\n' | grep -c '^hold ok installed' || true", {
          encoding: 'utf8',
        }).trim(),
      );
      expect(inv.packages).toHaveLength(expected + held);
      const bashVersion = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'bash'], {
        encoding: 'utf8',
      });
      expect(inv.packages?.find((p) => p.name === 'bash')).toMatchObject({
        version: bashVersion,
        source: 'deb',
      });

      const root = inv.users?.find((u) => u.name === 'root');
      expect(root).toMatchObject({ id: '0', groupId: '0', homeDirectory: '/root' });
      const release = await fsp.readFile('/etc/os-release', 'utf8');
      const id = /^ID=(.*)$/m.exec(release)?.[1]?.replace(/"/g, '');
      expect(inv.os).toMatchObject({ platform: id, kernel: os.release(), type: 'linux' });
      expect(inv.os?.family).toBe('debian');

      const lo = inv.interfaces?.find((i) => i.name === 'lo');
      expect(lo).toMatchObject({ type: 'loopback', up: true, mac: '' });
      expect(lo?.ip).toContain('127.0.0.1/8');
      for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
        const i = inv.interfaces?.find((x) => x.name === name);
        expect(i?.ip?.length).toBe(addrs?.length);
      }
      const bootUs = (Date.now() - os.uptime() * 1000) * 1000;
      expect(Math.abs((inv.bootTimeUnixUs ?? 0) - bootUs)).toBeLessThan(5_000_000);

      expect(inv.services).toContainEqual(listening);
      // systemctl cannot talk to systemd in this container: counted, not a health problem.
      let systemctlWorks = true;
      try {
        execFileSync('systemctl', ['list-units', '--type=service', '--no-legend'], { stdio: 'ignore' });
      } catch {
        systemctlWorks = false;
      }
      if (!systemctlWorks) expect(counters.get('inventory.systemd_errors')).toBe(1);
      else expect(inv.services!.length).toBeGreaterThan(1);
      expect(sensor.health().state).toBe('running');

      const size = InventorySnapshot.encode(inv).finish().length;
      expect(size).toBeLessThan(4 * 1024 * 1024);
      expect(sensor.stats?.encodedBytes).toBe(size);
      expect(sensor.stats?.parts).toBe(1);
    },
  );
});

describe('InventorySensor on a crafted root', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'inosec-inv-'));
  });
  afterEach(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  async function write(rel: string, text: string, mode = 0o644): Promise<void> {
    const file = path.join(tmp, rel);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.writeFile(file, text, { mode });
  }

  it('reads os-release, dpkg, rpm, accounts, systemd and sysfs from the injected paths', async () => {
    await write(
      'root/etc/os-release',
      'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n',
    );
    await write(
      'root/etc/passwd',
      'root:x:0:0:root:/root:/bin/bash\nop:x:1001:1001:Operator:/home/op:/bin/sh\ngarbled\n',
    );
    await write('root/etc/group', 'root:x:0:\nwheel:x:10:op\nop:x:1001:\n');
    await write(
      'root/var/lib/dpkg/status',
      'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n',
    );
    await fsp.mkdir(path.join(tmp, 'root/var/lib/rpm'), { recursive: true });
    await write('proc/stat', 'cpu  1 2 3 4\nbtime 1700000000\n');
    await write('proc/4242/cmdline', '/usr/sbin/sshd\0-D\0');
    await write('sys/class/net/eth9/address', 'aa:bb:cc:00:11:22\n');
    await write('sys/class/net/eth9/mtu', '9000\n');
    await write('sys/class/net/eth9/flags', '0x1003\n');
    await write('sys/class/net/eth9/operstate', 'up\n');
    await write('sys/class/net/eth9/type', '1\n');
    await write('sys/class/net/eth9/uevent', 'INTERFACE=eth9\nIFINDEX=9\n');
    // Real child processes standing in for systemctl and rpm.
    await write(
      'bin/systemctl',
      [
        '#!/bin/sh',
        'case "$1" in',
        '  list-units) printf "sshd.service loaded active running OpenSSH\\ncron.service loaded failed failed cron\\nghost.service not-found inactive dead ghost\\n" ;;',
        '  list-unit-files) printf "sshd.service enabled enabled\\ncron.service disabled enabled\\n" ;;',
        '  show) printf "MainPID=4242\\nId=sshd.service\\n" ;;',
        'esac',
      ].join('\n'),
      0o755,
    );
    await write('bin/rpm', '#!/bin/sh\nprintf "openssl\\t1:3.0.7-27.el9\\tx86_64\\n"\n', 0o755);
    const bin = path.join(tmp, 'bin');
    const exec = execRunner();
    const { ctx, events, counters } = sensorHarness();
    const sensor = createInventorySensor({
      rootDir: path.join(tmp, 'root'),
      procRoot: path.join(tmp, 'proc'),
      sysRoot: path.join(tmp, 'sys'),
      binDirs: [bin],
      run: (file, args) => exec(path.isAbsolute(file) ? file : path.join(bin, file), args),
    });
    await sensor.start(ctx);
    await sensor.whenReady();
    await sensor.stop();
    const inv = events[0]?.inventory as IInventorySnapshot;
    expect(inv.os).toMatchObject({
      family: 'rhel',
      name: 'AlmaLinux',
      version: '9.4 (Seafoam Ocelot)',
      platform: 'almalinux',
    });
    expect(inv.packages).toEqual([
      { name: 'a', version: '1', architecture: 'amd64', source: 'deb' },
      { name: 'openssl', version: '1:3.0.7-27.el9', architecture: 'x86_64', source: 'rpm' },
    ]);
    expect(inv.users?.map((u) => [u.name, u.id, u.groups])).toEqual([
      ['root', '0', []],
      ['op', '1001', ['wheel']],
    ]);
    expect(counters.get('inventory.passwd_bad')).toBe(1);
    expect(inv.services).toEqual([
      {
        name: 'sshd.service',
        state: State.STATE_RUNNING,
        subState: 'running',
        enabled: true,
        type: 'systemd',
        pid: 4242,
        command: '/usr/sbin/sshd -D',
      },
      {
        name: 'cron.service',
        state: State.STATE_FAILED,
        subState: 'failed',
        enabled: false,
        type: 'systemd',
        pid: 0,
        command: '',
      },
    ]);
    expect(inv.interfaces).toEqual([
      { name: 'eth9', mac: 'AA-BB-CC-00-11-22', ip: [], mtu: 9000, up: true, type: 'ethernet' },
    ]);
    expect(inv.bootTimeUnixUs).toBe(1_700_000_000_000_000);
  });

  it('splits a snapshot over the size bound by packages, every part within the bound', async () => {
    const stanzas: string[] = [];
    for (let i = 0; i < 5000; i++) {
      stanzas.push(
        `Package: package-number-${i}\nStatus: install ok installed\nVersion: 1.2.${i}-1+deb12u1\nArchitecture: amd64\n`,
      );
    }
    await write('root/var/lib/dpkg/status', stanzas.join('\n'));
    await write('root/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    const { ctx, events, counters } = sensorHarness({ options: { max_snapshot_bytes: '65536' } });
    const sensor = createInventorySensor({
      rootDir: path.join(tmp, 'root'),
      procRoot: path.join(tmp, 'proc'),
      sysRoot: path.join(tmp, 'sys'),
      binDirs: [],
      run: async () => {
        throw new Error('no systemctl here');
      },
    });
    await sensor.start(ctx);
    await sensor.whenReady();
    await sensor.stop();
    expect(events.length).toBeGreaterThan(3);
    expect(counters.get('inventory.split_snapshots')).toBe(1);
    expect(new Set(events.map((e) => e.timeUnixUs)).size).toBe(1);
    const parts = events.map((e) => e.inventory as IInventorySnapshot);
    for (const p of parts) expect(InventorySnapshot.encode(p).finish().length).toBeLessThanOrEqual(65536);
    expect(parts.flatMap((p) => p.packages ?? []).map((p) => p.name)).toEqual(
      Array.from({ length: 5000 }, (_, i) => `package-number-${i}`),
    );
    expect(parts[0]?.users).toHaveLength(1);
    expect(parts[1]?.users ?? []).toHaveLength(0);
    expect(parts.every((p) => p.os?.type === 'linux')).toBe(true);
  });

  it('returns a small snapshot unchanged', () => {
    const snap: IInventorySnapshot = { os: { type: 'linux' }, packages: [{ name: 'a', version: '1' }] };
    expect(splitSnapshot(snap, 1024)).toEqual([snap]);
  });
});
