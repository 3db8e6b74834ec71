// The `cidr` modifier: IPv4 and IPv6 network ranges. Addresses are parsed without allocation (a scratch
// buffer), so a test costs a scan of the value. An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) is in an
// IPv4 range when its IPv4 address is, and an IPv4 address is in an IPv6 range when its mapped form is.
// A zone (`fe80::1%eth0`) and URL brackets (`[2001:db8::1]`) are ignored.

/** A compiled CIDR range test, or `undefined` when `cidr` is not a valid range. */
export function compileCidr(cidr: string): ((value: string) => boolean) | undefined {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr.trim() : cidr.slice(0, slash).trim();
  const prefixText = slash < 0 ? undefined : cidr.slice(slash + 1).trim();
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const v4 = parseIPv4(address, 0, address.length);
  if (v4 >= 0) {
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (prefix > 32) return undefined;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const network = (v4 & mask) >>> 0;
    return (value) => {
      const ip = ipv4Of(value);
      return ip >= 0 && (ip & mask) >>> 0 === network;
    };
  }
  const network = new Uint16Array(8);
  if (!parseIPv6(address, network)) return undefined;
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  if (prefix > 128) return undefined;
  return (value) => {
    if (!parseIPv6(value, scratch)) {
      const ip = parseIPv4(value, 0, value.length);
      if (ip < 0) return false;
      scratch.fill(0, 0, 5);
      scratch[5] = 0xffff;
      scratch[6] = ip >>> 16;
      scratch[7] = ip & 0xffff;
    }
    return inPrefix(scratch, network, prefix);
  };
}

const scratch = new Uint16Array(8);

/** The IPv4 address of a dotted quad or an IPv4-mapped IPv6 address, or -1. */
function ipv4Of(value: string): number {
  const ip = parseIPv4(value, 0, value.length);
  if (ip >= 0 || !value.includes(':') || !parseIPv6(value, scratch)) return ip;
  for (let i = 0; i < 5; i++) if (scratch[i] !== 0) return -1;
  if (scratch[5] !== 0xffff) return -1;
  return (((scratch[6] as number) << 16) | (scratch[7] as number)) >>> 0;
}

function inPrefix(address: Uint16Array, network: Uint16Array, prefix: number): boolean {
  const whole = prefix >> 4;
  for (let i = 0; i < whole; i++) if (address[i] !== network[i]) return false;
  const bits = prefix & 15;
  if (bits === 0) return true;
  const mask = (0xffff << (16 - bits)) & 0xffff;
  return ((address[whole] as number) & mask) === ((network[whole] as number) & mask);
}

/** Parses `a.b.c.d` in `value[start, end)` to an unsigned 32-bit number, or -1. */
export function parseIPv4(value: string, start: number, end: number): number {
  let result = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    let octet = 0;
    let digits = 0;
    while (i < end) {
      const code = value.charCodeAt(i);
      if (code < 48 || code > 57) break;
      octet = octet * 10 + (code - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    result = result * 256 + octet;
    parts++;
    if (parts < 4) {
      if (value.charCodeAt(i) !== 46 || i >= end) return -1;
      i++;
    }
  }
  return i === end ? result : -1;
}

/** Parses an IPv6 address (with `::`, an IPv4 tail, a zone, brackets) into eight 16-bit groups. */
export function parseIPv6(input: string, out: Uint16Array): boolean {
  let start = 0;
  let end = input.length;
  if (input.charCodeAt(0) === 91 /* [ */) {
    start = 1;
    end = input.indexOf(']');
    if (end < 0) return false;
  }
  const zone = input.indexOf('%', start);
  if (zone >= 0 && zone < end) end = zone;
  let count = 0;
  let gap = -1;
  let i = start;
  if (input.charCodeAt(i) === 58 && input.charCodeAt(i + 1) === 58) {
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let group = 0;
    let j = i;
    while (j < end) {
      const digit = hexValue(input.charCodeAt(j));
      if (digit < 0) break;
      group = group * 16 + digit;
      j++;
    }
    if (j < end && input.charCodeAt(j) === 46 /* . */) {
      const ip = count <= 6 ? parseIPv4(input, i, end) : -1;
      if (ip < 0) return false;
      out[count++] = ip >>> 16;
      out[count++] = ip & 0xffff;
      break;
    }
    if (j === i || j - i > 4 || count >= 8) return false;
    out[count++] = group;
    if (j === end) break;
    if (input.charCodeAt(j) !== 58 /* : */) return false;
    if (input.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i = j + 2;
    } else {
      i = j + 1;
      if (i >= end) return false;
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  const tail = count - gap;
  for (let k = 0; k < tail; k++) out[7 - k] = out[count - 1 - k] as number;
  out.fill(0, gap, 8 - tail);
  return true;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}
