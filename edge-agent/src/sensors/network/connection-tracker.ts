import { type IEndpoint, type INetworkEvent, type IProcess, inosec } from '@inosec/protos';
import { communityId } from './community-id.js';
import { isListening, type SocketEntry } from './proc-net.js';
import { unmapIpv4 } from './ip-text.js';
import type { SocketBytes } from './ss-byte-counters.js';
import type { SocketOwner } from './socket-owners.js';

const { Kind, Transport, Direction } = inosec.v1.NetworkEvent;

/** A TCP connection seen ESTABLISHED, with its orientation decided at first sight. */
export interface TrackedConnection {
  key: string;
  entry: SocketEntry;
  firstSeenUs: number;
  lastSeenUs: number;
  /** INBOUND when the local port was a listening port of this host, else OUTBOUND. */
  direction: inosec.v1.NetworkEvent.Direction;
  source: IEndpoint;
  destination: IEndpoint;
  communityId: string;
  owner?: SocketOwner;
  /** Last byte counters sampled (ss), when enabled. */
  bytes?: SocketBytes;
}

/** What changed between two polls. */
export interface ConnectionDiff {
  opened: TrackedConnection[];
  listening: SocketEntry[];
  /** Connections gone or no longer ESTABLISHED, with the state they were last seen in ("CLOSED" when gone). */
  closed: { connection: TrackedConnection; state: string }[];
}

/** Identity of a connection: protocol, both ends and the socket inode. */
export function connectionKey(e: SocketEntry): string {
  return `${e.protocol}|${e.localIp}|${e.localPort}|${e.remoteIp}|${e.remotePort}|${e.inode}`;
}

function pairKey(e: SocketEntry): string {
  return `${e.protocol}|${e.localIp}|${e.localPort}|${e.remoteIp}|${e.remotePort}`;
}

function listenKey(e: SocketEntry): string {
  return `${e.protocol}|${e.family}|${e.localIp}|${e.localPort}|${e.inode}`;
}

/**
 * Diffs successive socket tables: new ESTABLISHED TCP connections, new listening sockets (TCP LISTEN, UDP bound
 * without peer), and tracked connections that ended. Addresses in events are the wire addresses: an IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d on a dual-stack socket) is reported, and hashed into the Community ID, as IPv4.
 */
export class ConnectionTracker {
  readonly connections = new Map<string, TrackedConnection>();
  private listeners = new Set<string>();

  /** Applies one poll's socket table. */
  update(sockets: readonly SocketEntry[], nowUs: number): ConnectionDiff {
    const listenPorts = new Set<number>();
    const currentListeners = new Set<string>();
    const listening: SocketEntry[] = [];
    for (const s of sockets) {
      if (!isListening(s)) continue;
      if (s.protocol === 'tcp') listenPorts.add(s.localPort);
      const key = listenKey(s);
      currentListeners.add(key);
      if (!this.listeners.has(key)) listening.push(s);
    }
    this.listeners = currentListeners;

    const established = new Set<string>();
    const byPair = new Map<string, SocketEntry>();
    const opened: TrackedConnection[] = [];
    for (const s of sockets) {
      if (s.protocol !== 'tcp') continue;
      byPair.set(pairKey(s), s);
      if (s.state !== 'ESTABLISHED') continue;
      const key = connectionKey(s);
      established.add(key);
      const known = this.connections.get(key);
      if (known) {
        known.lastSeenUs = nowUs;
        continue;
      }
      const connection = this.open(s, key, listenPorts.has(s.localPort), nowUs);
      this.connections.set(key, connection);
      opened.push(connection);
    }
    const closed: ConnectionDiff['closed'] = [];
    for (const [key, connection] of this.connections) {
      if (established.has(key)) continue;
      this.connections.delete(key);
      closed.push({ connection, state: byPair.get(pairKey(connection.entry))?.state ?? 'CLOSED' });
    }
    return { opened, listening, closed };
  }

  private open(s: SocketEntry, key: string, inbound: boolean, nowUs: number): TrackedConnection {
    const local: IEndpoint = { ip: unmapIpv4(s.localIp), port: s.localPort };
    const remote: IEndpoint = { ip: unmapIpv4(s.remoteIp), port: s.remotePort };
    const source = inbound ? remote : local;
    const destination = inbound ? local : remote;
    return {
      key,
      entry: s,
      firstSeenUs: nowUs,
      lastSeenUs: nowUs,
      direction: inbound ? Direction.DIRECTION_INBOUND : Direction.DIRECTION_OUTBOUND,
      source,
      destination,
      communityId: communityId({
        protocol: 6,
        sourceIp: source.ip!,
        sourcePort: source.port!,
        destinationIp: destination.ip!,
        destinationPort: destination.port!,
      }),
    };
  }
}

/** The Process record of a socket owner. */
export function ownerProcess(owner: SocketOwner | undefined): IProcess | undefined {
  if (!owner) return undefined;
  return { pid: owner.pid, name: owner.name, executable: owner.executable, entityId: owner.entityId ?? '' };
}

function transportOf(protocol: 'tcp' | 'udp'): { transport: number; ianaNumber: number } {
  return protocol === 'tcp'
    ? { transport: Transport.TRANSPORT_TCP, ianaNumber: 6 }
    : { transport: Transport.TRANSPORT_UDP, ianaNumber: 17 };
}

/** KIND_CONNECTION for a newly seen connection. */
export function connectionEvent(c: TrackedConnection): INetworkEvent {
  return {
    kind: Kind.KIND_CONNECTION,
    ...transportOf('tcp'),
    source: c.source,
    destination: c.destination,
    direction: c.direction,
    state: c.entry.state,
    process: ownerProcess(c.owner),
    communityId: c.communityId,
  };
}

/** KIND_LISTEN for a listening socket: destination is the bound local address. */
export function listenEvent(s: SocketEntry, owner: SocketOwner | undefined): INetworkEvent {
  return {
    kind: Kind.KIND_LISTEN,
    ...transportOf(s.protocol),
    destination: { ip: unmapIpv4(s.localIp), port: s.localPort },
    state: s.state,
    process: ownerProcess(owner),
  };
}

/**
 * KIND_FLOW summary of an ended connection: duration from first to last poll that saw it ESTABLISHED, and byte
 * counters oriented source→destination when they were sampled (bytes after the last sample are not counted).
 */
export function flowEvent(c: TrackedConnection, state: string): INetworkEvent {
  const event: INetworkEvent = {
    kind: Kind.KIND_FLOW,
    ...transportOf('tcp'),
    source: c.source,
    destination: c.destination,
    direction: c.direction,
    state,
    process: ownerProcess(c.owner),
    communityId: c.communityId,
    durationUs: c.lastSeenUs - c.firstSeenUs,
  };
  if (c.bytes) {
    // This host opened outbound connections, and the opener's bytes_acked counts its SYN as one byte.
    const outbound = c.direction === Direction.DIRECTION_OUTBOUND;
    const sent = outbound ? Math.max(0, c.bytes.acked - 1) : c.bytes.acked;
    event.bytesOut = outbound ? sent : c.bytes.received;
    event.bytesIn = outbound ? c.bytes.received : sent;
  }
  return event;
}
