// IP address text ⇄ binary: IPv4 as an unsigned 32-bit number, IPv6 as eight 16-bit groups. Parsing is a
// hand-written scanner (no regex, no allocation on the lookup path); IPv6 written any RFC 4291 way gives
// the same groups, and IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is reported as the IPv4 address it carries.

/** Parses dotted-quad IPv4 in `text[start, end)`; returns the address as an unsigned number, or -1. */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let address = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    const first = i;
    let octet = 0;
    while (i < end) {
      const code = text.charCodeAt(i) - 48;
      if (code < 0 || code > 9) break;
      octet = octet * 10 + code;
      i++;
    }
    const digits = i - first;
    // Leading zeros are refused: `010` is octal to inet_aton and decimal to others.
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(first) === 48)) return -1;
    address = address * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= end || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === end ? address : -1;
}

const groups: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Parses IPv6 in `text[start, end)` (no brackets, no zone) into `out` (8 groups). Accepts `::`
 * compression and a trailing dotted IPv4. Returns false (leaving `out` unspecified) when malformed.
 */
export function parseIPv6(text: string, start: number, end: number, out: Uint16Array): boolean {
  let count = 0;
  let gap = -1;
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    const first = i;
    let value = 0;
    while (i < end) {
      const digit = hexDigit(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // Dotted IPv4 tail: takes the last two groups.
      const v4 = parseIPv4(text, first, end);
      if (v4 < 0 || count > 6) return false;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 & 0xffff;
      break;
    }
    const digits = i - first;
    if (digits === 0 || digits > 4) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
    for (let g = 0; g < 8; g++) out[g] = groups[g] as number;
    return true;
  }
  if (count > 7) return false;
  const zeros = 8 - count;
  for (let g = 0; g < gap; g++) out[g] = groups[g] as number;
  for (let g = gap; g < gap + zeros; g++) out[g] = 0;
  for (let g = gap; g < count; g++) out[g + zeros] = groups[g] as number;
  return true;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** The IPv4 address carried by an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or -1. */
export function mappedIPv4(hextets: Uint16Array): number {
  if (hextets[0] !== 0 || hextets[1] !== 0 || hextets[2] !== 0 || hextets[3] !== 0 || hextets[4] !== 0)
    return -1;
  if (hextets[5] !== 0xffff) return -1;
  return (hextets[6] as number) * 65536 + (hextets[7] as number);
}

/** Compact key of an IPv6 address for hash lookups: 8 UTF-16 code units, one per group. */
export function ipv6Key(hextets: Uint16Array): string {
  return String.fromCharCode(
    hextets[0] as number,
    hextets[1] as number,
    hextets[2] as number,
    hextets[3] as number,
    hextets[4] as number,
    hextets[5] as number,
    hextets[6] as number,
    hextets[7] as number,
  );
}

/** Dotted-quad text of an unsigned 32-bit IPv4 address. */
export function formatIPv4(address: number): string {
  const a = address >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text of an IPv6 address (lower case, longest zero run of ≥2 groups compressed). */
export function formatIPv6(hextets: Uint16Array | string): string {
  const g =
    typeof hextets === 'string' ? Array.from({ length: 8 }, (_, i) => hextets.charCodeAt(i)) : [...hextets];
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    g
      .slice(from, to)
      .map((v) => v.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** Network mask of an IPv4 prefix length, as an unsigned number. */
export function ipv4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Zeroes the host bits of `hextets` beyond `prefix` into `out`. */
export function maskIPv6(hextets: Uint16Array, prefix: number, out: Uint16Array): void {
  for (let g = 0; g < 8; g++) {
    const bits = Math.min(16, Math.max(0, prefix - g * 16));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    out[g] = (hextets[g] as number) & mask;
  }
}

/** A parsed address: IPv4 (including IPv4-mapped IPv6) or IPv6. */
export type ParsedIp =
  { readonly version: 4; readonly v4: number } | { readonly version: 6; readonly v6: Uint16Array };

/** A parsed CIDR range with host bits cleared. */
export type ParsedCidr =
  | { readonly version: 4; readonly network: number; readonly prefix: number }
  | { readonly version: 6; readonly network: Uint16Array; readonly prefix: number };

/**
 * Reusable, allocation-free IP parser for the lookup path. After `parse` returns 4 the address is in
 * `v4`; after 6 in `v6`; 0 means not an IP. Accepts `[v6]` brackets and strips a `%zone`.
 */
export class IpProbe {
  v4 = 0;
  readonly v6 = new Uint16Array(8);

  parse(text: string): 0 | 4 | 6 {
    let start = 0;
    let end = text.length;
    if (end === 0) return 0;
    if (text.indexOf(':') < 0) {
      const v4 = parseIPv4(text, start, end);
      if (v4 < 0) return 0;
      this.v4 = v4;
      return 4;
    }
    if (text.charCodeAt(0) === 91) {
      if (text.charCodeAt(end - 1) !== 93) return 0;
      start = 1;
      end--;
    }
    const zone = text.indexOf('%', start);
    if (zone >= 0 && zone < end) end = zone;
    if (!parseIPv6(text, start, end, this.v6)) return 0;
    const mapped = mappedIPv4(this.v6);
    if (mapped >= 0) {
      this.v4 = mapped;
      return 4;
    }
    return 6;
  }
}

/** Parses an IP address for loading (allocates; see {@link IpProbe} for lookups). */
export function parseIp(text: string): ParsedIp | undefined {
  const version = loadProbe.parse(text);
  if (version === 4) return { version, v4: loadProbe.v4 };
  if (version === 6) return { version, v6: loadProbe.v6.slice() };
  return undefined;
}

const loadProbe = new IpProbe();

/**
 * Parses `address/prefix`. Host bits are cleared (`10.1.2.3/8` is `10.0.0.0/8`). An IPv4-mapped IPv6
 * range of prefix ≥ 96 becomes the IPv4 range it covers. Returns a reason string when malformed.
 */
export function parseCidr(text: string): ParsedCidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return 'missing /prefix';
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return `bad prefix length '${lengthText}'`;
  const prefix = Number(lengthText);
  const ip = parseIp(text.slice(0, slash));
  if (!ip) return `bad network address '${text.slice(0, slash)}'`;
  if (ip.version === 4) {
    const mappedForm = text.indexOf(':') >= 0;
    if (!mappedForm || prefix >= 96) {
      const v4Prefix = mappedForm ? prefix - 96 : prefix;
      if (v4Prefix > 32) return `prefix /${prefix} too long for ${mappedForm ? 'IPv6' : 'IPv4'}`;
      return { version: 4, network: (ip.v4 & ipv4Mask(v4Prefix)) >>> 0, prefix: v4Prefix };
    }
  }
  if (prefix > 128) return `prefix /${prefix} too long for IPv6`;
  // A wide range written with an IPv4-mapped address (`::ffff:0:0/80`) stays an IPv6 range.
  const address =
    ip.version === 6
      ? ip.v6
      : Uint16Array.of(0, 0, 0, 0, 0, 0xffff, Math.floor(ip.v4 / 65536), ip.v4 & 0xffff);
  const network = new Uint16Array(8);
  maskIPv6(address, prefix, network);
  return { version: 6, network, prefix };
}
