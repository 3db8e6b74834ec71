// Formatting for the fleet's tables: relative times (with the absolute time kept for a title), sizes, counts.

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; "in 3 h" for a time ahead. */
export function relativeTime(iso: string, now: number): string {
  const delta = new Date(iso).getTime() - now;
  const seconds = Math.round(Math.abs(delta) / 1000);
  if (seconds < 10) return 'just now';
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 86_400
          ? `${Math.floor(seconds / 3600)} h`
          : `${Math.floor(seconds / 86_400)} d`;
  return delta < 0 ? `${amount} ago` : `in ${amount}`;
}

export function absoluteTime(iso: string): string {
  return new Date(iso).toLocaleString();
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(value: number | null): string {
  if (value === null) return '—';
  let amount = value;
  let unit = 0;
  while (amount >= 1024 && unit < UNITS.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? amount : amount.toFixed(1)} ${UNITS[unit]}`;
}

export function count(value: number | null): string {
  return value === null ? '—' : value.toLocaleString();
}

/** "3 d 4 h", "12 min", "40 s". */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
