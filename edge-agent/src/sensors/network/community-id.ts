import { createHash } from 'node:crypto';
import { ipBytes } from './ip-text.js';

/** The 5-tuple of a flow as seen from its initiator. */
export interface FlowTuple {
  /** IANA protocol number: 6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, others without ports. */
  protocol: number;
  sourceIp: string;
  destinationIp: string;
  /** Port, or the ICMP type for ICMP/ICMPv6. */
  sourcePort?: number;
  /** Port, or the ICMP code for ICMP/ICMPv6. */
  destinationPort?: number;
}

const PORTED = new Set([6, 17, 132]);
/** ICMP types with a request/response counterpart (the spec's mapping; router advert has none in v4). */
const ICMP4_COUNTERPART = new Map([
  [8, 0],
  [0, 8],
  [13, 14],
  [14, 13],
  [15, 16],
  [16, 15],
  [10, 9],
  [17, 18],
  [18, 17],
]);
const ICMP6_COUNTERPART = new Map([
  [128, 129],
  [129, 128],
  [133, 134],
  [134, 133],
  [135, 136],
  [136, 135],
  [130, 131],
  [131, 130],
  [139, 140],
  [140, 139],
  [144, 145],
  [145, 144],
]);

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): "1:" + base64(sha1(seed, ordered addresses,
 * protocol, padding, ordered ports)), with the seed and ports as big-endian 16-bit values. Both directions of a
 * conversation give the same id, so flows join with Zeek, Suricata and Elastic data. ICMP and ICMPv6 use
 * (type, counterpart type) as ports, or (type, code) for one-way messages, which keep their direction.
 */
export function communityId(flow: FlowTuple, seed = 0): string {
  let src = ipBytes(flow.sourceIp);
  let dst = ipBytes(flow.destinationIp);
  const proto = flow.protocol;
  let sport = flow.sourcePort ?? 0;
  let dport = flow.destinationPort ?? 0;
  let hasPorts = PORTED.has(proto);
  let oneWay = false;
  if (proto === 1 || proto === 58) {
    hasPorts = true;
    const counterpart = (proto === 1 ? ICMP4_COUNTERPART : ICMP6_COUNTERPART).get(sport);
    if (counterpart === undefined) oneWay = true;
    else dport = counterpart;
  }
  const order = compare(src, dst);
  if (!oneWay && (order > 0 || (order === 0 && hasPorts && sport > dport))) {
    [src, dst] = [dst, src];
    [sport, dport] = [dport, sport];
  }
  const head = Buffer.alloc(2);
  head.writeUInt16BE(seed & 0xffff);
  const hash = createHash('sha1')
    .update(head)
    .update(src)
    .update(dst)
    .update(Buffer.from([proto & 0xff, 0]));
  if (hasPorts) {
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(sport & 0xffff, 0);
    ports.writeUInt16BE(dport & 0xffff, 2);
    hash.update(ports);
  }
  return `1:${hash.digest('base64')}`;
}
