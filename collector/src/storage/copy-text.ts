// PostgreSQL COPY text format: one line per row, columns separated by tabs, \N for NULL, and backslash,
// tab, newline and carriage return escaped. NUL cannot be stored in text or jsonb at all: it is replaced
// by U+FFFD and counted by the caller (the only lossy step, for a character no log line legitimately has).

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES = /[\\\t\n\r\0]/g;
const REPLACEMENT: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\uFFFD',
};

/** One text value for COPY: NULL for undefined, null and the empty string. */
export function copyText(value: string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, (c) => REPLACEMENT[c] ?? c) : value;
}

/** A number for COPY; NULL for undefined, null and non-finite values. */
export function copyNumber(value: number | undefined | null): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '\\N' : String(value);
}

/** An integer column that the contracts leave at 0 when unknown (pid, port): NULL for 0. */
export function copyNonZero(value: number | undefined | null): string {
  return value ? String(value) : '\\N';
}

/**
 * A timestamptz for COPY from microseconds since the Unix epoch, in ISO 8601 UTC with microseconds
 * (Date keeps milliseconds only, so the last three digits are appended).
 */
export function copyTimestamp(unixUs: number): string {
  const ms = Math.floor(unixUs / 1000);
  const iso = new Date(ms).toISOString(); // 2024-01-05T10:00:00.123Z
  const micros = String(unixUs - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

/**
 * jsonb for COPY. JSON.stringify never emits raw control characters, but a string holding NUL becomes
 * "\u0000", which jsonb refuses: such values are rebuilt with NUL replaced (rare, so the fast path is a
 * substring test).
 */
export function copyJson(value: unknown): string {
  let json = JSON.stringify(value);
  if (json.includes('\\u0000')) {
    json = JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'string' ? v.replaceAll('\0', '\uFFFD') : v,
    );
  }
  return copyText(json);
}
