import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inosec } from '@inosec/protos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcFixture, processEntityId } from '../procfs/index.js';
import { listListeningServices } from './listening-services.js';
import { SocketOwnerIndex } from './socket-owners.js';

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const line = (local: string, remote: string, st: string, inode: number): string =>
  `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000 0 0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('socket owners on a crafted /proc', () => {
  let fixture: ProcFixture;
  let bin: string;
  beforeEach(async () => {
    fixture = await ProcFixture.create();
    bin = await mkdtemp(join(tmpdir(), 'inosec-bin-'));
    await writeFile(join(bin, 'sshd'), 'x');
    await fixture.addProcess({
      pid: 10,
      comm: 'sshd',
      ppid: 1,
      startTimeTicks: 77,
      exe: join(bin, 'sshd'),
      args: ['sshd: /usr/sbin/sshd -D'],
    });
    await fixture.addFd(10, 0, '/dev/null');
    await fixture.addFd(10, 3, 'socket:[5001]');
    await fixture.addFd(10, 4, 'socket:[5002]');
    await fixture.addProcess({ pid: 11, comm: 'a) b (c', ppid: 1, startTimeTicks: 80 }); // no exe: comm is the name
    await fixture.addFd(11, 7, 'socket:[6001]');
    await fixture.addProcess({ pid: 12, comm: 'gone', ppid: 1, startTimeTicks: 81 });
    await rm(join(fixture.root, '12', 'fd'), { recursive: true }); // vanished mid-scan
  });
  afterEach(async () => {
    await fixture.cleanup();
    await rm(bin, { recursive: true, force: true });
  });

  it('maps inodes to processes, caches them and scans only for unknown inodes', async () => {
    const index = new SocketOwnerIndex(fixture.root);
    const owners = await index.owners([5001, 6001, 0, 9999]);
    expect(owners.get(5001)).toEqual({
      pid: 10,
      name: 'sshd',
      executable: join(bin, 'sshd'),
      entityId: processEntityId('00000000-1111-2222-3333-444444444444', 10, 77),
    });
    expect(owners.get(6001)?.name).toBe('a) b (c');
    expect(owners.has(9999)).toBe(false);
    expect(index.scans).toBe(1);
    expect(index.lastScan?.fds).toBeGreaterThanOrEqual(3);
    await index.owners([5001, 6001]);
    expect(index.scans).toBe(1); // all cached
    await index.owners([5002]);
    expect(index.scans).toBe(2);
    index.prune(new Set([5002]));
    await index.owners([5001]);
    expect(index.scans).toBe(3);
  });

  it('lists listening sockets as inventory services with their owners', async () => {
    await fixture.setNet(
      'tcp',
      HEADER +
        line('00000000:0016', '00000000:0000', '0A', 5001) +
        line('0100007F:0019', '00000000:0000', '0A', 7777),
    );
    await fixture.setNet(
      'udp6',
      HEADER +
        line('00000000000000000000000000000000:0035', '00000000000000000000000000000000:0000', '07', 6001),
    );
    const services = await listListeningServices(fixture.root);
    expect(services).toEqual([
      {
        name: 'sshd',
        state: inosec.v1.SystemService.State.STATE_RUNNING,
        subState: 'tcp 0.0.0.0:22',
        enabled: false,
        type: 'listening-socket',
        pid: 10,
        command: 'sshd: /usr/sbin/sshd -D',
      },
      {
        name: 'tcp/25',
        state: inosec.v1.SystemService.State.STATE_RUNNING,
        subState: 'tcp 127.0.0.1:25',
        enabled: false,
        type: 'listening-socket',
        pid: 0,
        command: '',
      },
      {
        name: 'a) b (c',
        state: inosec.v1.SystemService.State.STATE_RUNNING,
        subState: 'udp [::]:53',
        enabled: false,
        type: 'listening-socket',
        pid: 11,
        command: '',
      },
    ]);
  });
});
