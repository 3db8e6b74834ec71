/** An IPv4 address as dotted quad from 4 network-order bytes. */
export function ipv4Text(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** True for ::ffff:a.b.c.d (an IPv4 peer of a dual-stack IPv6 socket). */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i += 1) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * The canonical text form of an IPv6 address (RFC 5952): lower-case hex without leading zeros, the longest
 * run of two or more zero groups (the first on a tie) written as "::", and IPv4-mapped addresses as
 * ::ffff:a.b.c.d.
 */
export function ipv6Text(bytes: Uint8Array): string {
  if (isIpv4Mapped(bytes)) return `::ffff:${ipv4Text(bytes, 12)}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** Parses an IPv4 or IPv6 text address into network-order bytes (4 or 16); throws on invalid input. */
export function ipBytes(text: string): Uint8Array {
  if (!text.includes(':')) {
    const parts = text.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
      throw new TypeError(`not an IPv4 address: ${text}`);
    }
    return Uint8Array.from(parts);
  }
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipBytes(text.slice(lastColon + 1));
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const parse = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new TypeError(`not an IPv6 address: ${text}`);
          return parseInt(g, 16);
        });
  let groups: number[];
  const gap = head.indexOf('::');
  if (gap >= 0) {
    const left = parse(head.slice(0, gap));
    const right = [...parse(head.slice(gap + 2)), ...tail];
    const zeros = 8 - left.length - right.length;
    if (zeros < 1) throw new TypeError(`not an IPv6 address: ${text}`);
    groups = [...left, ...Array<number>(zeros).fill(0), ...right];
  } else {
    groups = [...parse(head), ...tail];
  }
  if (groups.length !== 8) throw new TypeError(`not an IPv6 address: ${text}`);
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** ::ffff:a.b.c.d → a.b.c.d (what is on the wire); any other address unchanged. */
export function unmapIpv4(text: string): string {
  return text.startsWith('::ffff:') && text.includes('.') ? text.slice(7) : text;
}
