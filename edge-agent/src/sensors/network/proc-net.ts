import { endianness } from 'node:os';
import { DEFAULT_PROC_ROOT, ProcfsParseError, readProcTable } from '../procfs/index.js';
import { ipv4Text, ipv6Text } from './ip-text.js';

/** One socket from /proc/net/{tcp,tcp6,udp,udp6}. */
export interface SocketEntry {
  protocol: 'tcp' | 'udp';
  /** 4 for AF_INET, 6 for AF_INET6 (an IPv6 socket may carry IPv4-mapped addresses). */
  family: 4 | 6;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  /** ESTABLISHED, LISTEN, TIME_WAIT... For UDP, UNCONN (bound, not connected) or ESTABLISHED (connected). */
  state: string;
  uid: number;
  /** Socket inode: joins with /proc/<pid>/fd links `socket:[inode]`; 0 for TIME_WAIT and orphans. */
  inode: number;
}

/** TCP states as numbered in include/net/tcp_states.h. */
const TCP_STATES: readonly string[] = [
  'UNKNOWN',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];

/** The name of a state code (hex, as in the `st` column) for the protocol. */
export function socketStateName(protocol: 'tcp' | 'udp', code: number): string {
  if (protocol === 'udp') return code === 1 ? 'ESTABLISHED' : code === 7 ? 'UNCONN' : `UNKNOWN_${code}`;
  return TCP_STATES[code] ?? `UNKNOWN_${code}`;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Decodes a /proc/net address: the kernel prints each 32-bit word of the address as the hex of its value in
 * HOST byte order (%08X of the in-memory word), so on little-endian machines each word's bytes are reversed.
 */
export function decodeHexAddress(hex: string, littleEndian = LITTLE_ENDIAN): string {
  if (hex.length !== 8 && hex.length !== 32) throw new TypeError(`bad address length ${hex.length}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word += 1) {
    const value = parseInt(hex.slice(word * 8, word * 8 + 8), 16);
    if (Number.isNaN(value)) throw new TypeError(`bad hex ${hex}`);
    for (let i = 0; i < 4; i += 1) {
      const shift = littleEndian ? i * 8 : (3 - i) * 8;
      bytes[word * 4 + i] = (value >>> shift) & 0xff;
    }
  }
  return bytes.length === 4 ? ipv4Text(bytes) : ipv6Text(bytes);
}

function endpoint(field: string, littleEndian: boolean): [string, number] {
  const colon = field.indexOf(':');
  const port = parseInt(field.slice(colon + 1), 16);
  if (colon < 0 || !Number.isInteger(port)) throw new TypeError(`bad endpoint ${field}`);
  return [decodeHexAddress(field.slice(0, colon), littleEndian), port];
}

/**
 * Parses the text of /proc/net/tcp|tcp6|udp|udp6. Garbled lines are skipped and passed to `onBadLine` (the
 * sensors count them); the header line is ignored.
 */
export function parseProcNet(
  text: string,
  protocol: 'tcp' | 'udp',
  family: 4 | 6,
  onBadLine: (line: string, error: unknown) => void = () => undefined,
  littleEndian = LITTLE_ENDIAN,
): SocketEntry[] {
  const entries: SocketEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      const f = line.split(/\s+/);
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
      if (f.length < 10) throw new ProcfsParseError(protocol, 'too few fields');
      const [localIp, localPort] = endpoint(f[1]!, littleEndian);
      const [remoteIp, remotePort] = endpoint(f[2]!, littleEndian);
      const uid = Number(f[7]);
      const inode = Number(f[9]);
      if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(inode))
        throw new ProcfsParseError(protocol, 'bad uid/inode');
      entries.push({
        protocol,
        family,
        localIp,
        localPort,
        remoteIp,
        remotePort,
        state: socketStateName(protocol, parseInt(f[3]!, 16)),
        uid,
        inode,
      });
    } catch (error) {
      onBadLine(line, error);
    }
  }
  return entries;
}

const TABLES = [
  ['tcp', 'tcp', 4],
  ['tcp6', 'tcp', 6],
  ['udp', 'udp', 4],
  ['udp6', 'udp', 6],
] as const;

/**
 * Every TCP and UDP socket of the agent's network namespace, from /proc/net/{tcp,tcp6,udp,udp6}. A missing
 * table (IPv6 disabled) contributes nothing; garbled lines go to `onBadLine`. Each TCP table walks the kernel's
 * whole TCP hash table, which is most of this sensor's cost: see readProcTable.
 */
export function readSockets(
  procRoot: string = DEFAULT_PROC_ROOT,
  onBadLine?: (line: string, error: unknown) => void,
): SocketEntry[] {
  const all: SocketEntry[] = [];
  for (const [file, protocol, family] of TABLES) {
    const text = readProcTable(`${procRoot}/net/${file}`);
    if (text !== null) all.push(...parseProcNet(text, protocol, family, onBadLine));
  }
  return all;
}

/** A listening socket: TCP in LISTEN, or UDP bound without a peer. */
export function isListening(entry: SocketEntry): boolean {
  if (entry.protocol === 'tcp') return entry.state === 'LISTEN';
  return entry.state === 'UNCONN' && entry.remotePort === 0;
}
