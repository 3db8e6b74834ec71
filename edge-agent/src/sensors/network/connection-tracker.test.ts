import { inosec } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { communityId } from './community-id.js';
import { ConnectionTracker, connectionEvent, flowEvent, listenEvent } from './connection-tracker.js';
import type { SocketEntry } from './proc-net.js';
import { parseSsOutput } from './ss-byte-counters.js';

const { Kind, Direction, Transport } = inosec.v1.NetworkEvent;

const tcp = (p: Partial<SocketEntry>): SocketEntry => ({
  protocol: 'tcp',
  family: 4,
  localIp: '10.0.0.5',
  localPort: 0,
  remoteIp: '0.0.0.0',
  remotePort: 0,
  state: 'ESTABLISHED',
  uid: 0,
  inode: 1,
  ...p,
});

describe('ConnectionTracker', () => {
  const listener = tcp({ localIp: '0.0.0.0', localPort: 22, state: 'LISTEN', inode: 100 });
  const inbound = tcp({ localPort: 22, remoteIp: '203.0.113.9', remotePort: 51000, inode: 101 });
  const outbound = tcp({ localPort: 43000, remoteIp: '198.51.100.7', remotePort: 443, inode: 102 });

  it('orients connections by the listening ports and reports new listeners once', () => {
    const t = new ConnectionTracker();
    const diff = t.update([listener, inbound, outbound], 1_000);
    expect(diff.listening).toEqual([listener]);
    const [a, b] = diff.opened;
    expect(a?.direction).toBe(Direction.DIRECTION_INBOUND);
    expect(a?.source).toEqual({ ip: '203.0.113.9', port: 51000 });
    expect(a?.destination).toEqual({ ip: '10.0.0.5', port: 22 });
    expect(b?.direction).toBe(Direction.DIRECTION_OUTBOUND);
    expect(b?.source).toEqual({ ip: '10.0.0.5', port: 43000 });
    expect(b?.communityId).toBe(
      communityId({
        protocol: 6,
        sourceIp: '198.51.100.7',
        sourcePort: 443,
        destinationIp: '10.0.0.5',
        destinationPort: 43000,
      }),
    );
    const event = connectionEvent(a!);
    expect(event).toMatchObject({
      kind: Kind.KIND_CONNECTION,
      transport: Transport.TRANSPORT_TCP,
      ianaNumber: 6,
      state: 'ESTABLISHED',
    });
    expect(listenEvent(listener, { pid: 7, name: 'sshd', executable: '/usr/sbin/sshd' })).toMatchObject({
      kind: Kind.KIND_LISTEN,
      destination: { ip: '0.0.0.0', port: 22 },
      process: { pid: 7, name: 'sshd' },
    });
    const again = t.update([listener, inbound, outbound], 2_000);
    expect(again).toEqual({ opened: [], listening: [], closed: [] });
  });

  it('ends a connection that left ESTABLISHED or vanished, with duration and oriented bytes', () => {
    const t = new ConnectionTracker();
    t.update([listener, inbound, outbound], 1_000_000);
    t.update([listener, inbound, outbound], 6_000_000);
    const inboundConn = t.connections.values().next().value!;
    inboundConn.bytes = { acked: 500, received: 40 };
    const diff = t.update([listener, { ...inbound, state: 'CLOSE_WAIT' }], 11_000_000);
    expect(diff.closed.map((c) => c.state)).toEqual(['CLOSE_WAIT', 'CLOSED']);
    const flow = flowEvent(diff.closed[0]!.connection, diff.closed[0]!.state);
    expect(flow).toMatchObject({
      kind: Kind.KIND_FLOW,
      durationUs: 5_000_000,
      bytesOut: 40,
      bytesIn: 500,
      state: 'CLOSE_WAIT',
    });
    const outboundConn = diff.closed[1]!.connection;
    expect(flowEvent(outboundConn, 'CLOSED').bytesOut).toBeUndefined();
    outboundConn.bytes = { acked: 101, received: 7 }; // the opener's bytes_acked counts its SYN
    expect(flowEvent(outboundConn, 'CLOSED')).toMatchObject({ bytesOut: 100, bytesIn: 7 });
  });

  it('reports IPv4-mapped peers as IPv4', () => {
    const t = new ConnectionTracker();
    const mapped = tcp({
      family: 6,
      localIp: '::ffff:127.0.0.1',
      localPort: 40000,
      remoteIp: '::ffff:127.0.0.1',
      remotePort: 8080,
    });
    const [c] = t.update([mapped], 1).opened;
    expect(c?.source).toEqual({ ip: '127.0.0.1', port: 40000 });
  });
});

describe('parseSsOutput', () => {
  it('reads inode and byte counters from ss -tinHOe lines', () => {
    const out =
      'ESTAB 0 0 127.0.0.1:40300 127.0.0.1:34111 ino:255921 sk:1 cgroup:/ <-> ts sack bbr wscale:10,10 rto:204 bytes_sent:5 bytes_acked:6 bytes_received:1000 segs_out:4\n' +
      '0 0 127.0.0.1:34111 127.0.0.1:40300 ino:255922 sk:2 <-> bytes_acked:1000 bytes_received:5\n' +
      'ESTAB 0 0 1.2.3.4:5 6.7.8.9:10 ino:0 sk:3\n';
    expect(parseSsOutput(out)).toEqual(
      new Map([
        [255921, { acked: 6, received: 1000 }],
        [255922, { acked: 1000, received: 5 }],
      ]),
    );
  });
});
