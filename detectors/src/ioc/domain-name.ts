// Domain names for matching: lower-cased, trailing dot removed, internationalised names in their
// punycode (A-label) form, so `EVIL.com.`, `evil.com` and the IDN and xn-- spellings of a name meet.
// Also the host of a URL, and the refanging of defanged indicators (`evil[.]com`, `hxxp://`).
import { domainToASCII } from 'node:url';

/**
 * Normalises a domain for lookup: lower case, one trailing dot dropped, non-ASCII converted to punycode
 * (UTS #46). Does not validate the labels (see {@link domainProblem}). Returns undefined when empty or
 * when an internationalised name cannot be converted.
 */
export function normaliseDomain(text: string): string | undefined {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 46) end--;
  if (end === 0) return undefined;
  let upper = false;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) {
      const ascii = domainToASCII(text.slice(0, end));
      return ascii === '' ? undefined : ascii;
    }
    if (code >= 65 && code <= 90) upper = true;
  }
  const trimmed = end === text.length ? text : text.slice(0, end);
  return upper ? trimmed.toLowerCase() : trimmed;
}

/**
 * Why a normalised name is not a usable domain indicator, or undefined when it is: labels of 1–63 of
 * `a-z 0-9 - _`, at most 253 characters, and a last label that is not all digits (a malformed IP).
 */
export function domainProblem(domain: string): string | undefined {
  if (domain.length > 253) return 'domain longer than 253 characters';
  let labelStart = 0;
  let allDigits = true;
  for (let i = 0; i <= domain.length; i++) {
    const code = i < domain.length ? domain.charCodeAt(i) : 46;
    if (code === 46) {
      const length = i - labelStart;
      if (length === 0) return 'empty label';
      if (length > 63) return 'label longer than 63 characters';
      if (i === domain.length && allDigits) return 'all-numeric top-level label (malformed IP address?)';
      labelStart = i + 1;
      allDigits = true;
      continue;
    }
    const isDigit = code >= 48 && code <= 57;
    if (!isDigit) allDigits = false;
    if (!(isDigit || (code >= 97 && code <= 122) || code === 45 || code === 95)) {
      return `character '${String.fromCharCode(code)}' not allowed in a domain`;
    }
  }
  return undefined;
}

/**
 * The host of a URL (`https://user@Evil.com:8443/x` → `Evil.com`, `http://[::1]/` → `::1`); also accepts
 * a URL without scheme (`evil.com/path`). Returns undefined when there is no host.
 */
export function extractUrlHost(url: string): string | undefined {
  let start = 0;
  const scheme = url.indexOf('://');
  if (scheme > 0 && isScheme(url, scheme)) start = scheme + 3;
  else if (url.startsWith('//')) start = 2;
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    // '/', '?', '#', '\' end the authority.
    if (code === 47 || code === 63 || code === 35 || code === 92) {
      end = i;
      break;
    }
  }
  const at = url.lastIndexOf('@', end - 1);
  if (at >= start) start = at + 1;
  if (url.charCodeAt(start) === 91) {
    const close = url.indexOf(']', start);
    if (close < 0 || close > end) return undefined;
    return close > start + 1 ? url.slice(start + 1, close) : undefined;
  }
  const colon = url.indexOf(':', start);
  if (colon >= 0 && colon < end) end = colon;
  return end > start ? url.slice(start, end) : undefined;
}

function isScheme(url: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const code = url.charCodeAt(i) | 0x20;
    const letter = code >= 97 && code <= 122;
    if (
      !letter &&
      (i === 0 || !((code >= 48 && code <= 57) || code === 0x2b || code === 0x2d || code === 0x2e))
    ) {
      return false;
    }
  }
  return true;
}

const DEFANGED_DOT = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi;

/** Undoes common defanging of shared indicators: `evil[.]com`, `hxxps://`, `1.2.3[.]4`, `[:]`. */
export function refang(text: string): string {
  let out = text;
  if (out.includes('[') || out.includes('(') || out.includes('{')) {
    out = out.replace(DEFANGED_DOT, '.').replaceAll('[:]', ':').replaceAll('[://]', '://');
  }
  if ((out.charCodeAt(0) | 0x20) === 104 && /^hxxps?(:|\[:\])/i.test(out))
    out = `http${out.slice(4)}`.replace('[:]', ':');
  return out;
}
