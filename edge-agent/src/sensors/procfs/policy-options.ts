import type { ISensorPolicy } from '@inosec/protos';

/** Called when an option has a value that cannot be used; the default applies instead. */
export type InvalidOptionHandler = (name: string, value: string, expected: string) => void;

/**
 * Typed access to a sensor policy's `options` map (strings on the wire). A bad value never fails the sensor:
 * it is reported through `onInvalid` (the sensors log a warning and count it) and the default is used.
 */
export class PolicyOptions {
  private readonly options: Record<string, string>;

  constructor(
    policy: ISensorPolicy | undefined,
    private readonly onInvalid: InvalidOptionHandler = () => undefined,
  ) {
    this.options = policy?.options ?? {};
  }

  /** The raw string, or undefined when unset or empty. */
  string(name: string): string | undefined {
    const value = this.options[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** true/false, 1/0, yes/no, on/off (case-insensitive). */
  bool(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    this.onInvalid(name, value, 'a boolean');
    return fallback;
  }

  /** An integer within [min, max]. */
  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.onInvalid(name, value, `an integer from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }
}

/**
 * The poll interval in ms: `options.interval_ms` (for sub-second polling) wins over `interval_seconds`, which
 * wins over the sensor's default.
 */
export function pollIntervalMs(
  policy: ISensorPolicy | undefined,
  options: PolicyOptions,
  defaultMs: number,
): number {
  const seconds = policy?.intervalSeconds ?? 0;
  const base = seconds > 0 ? seconds * 1000 : defaultMs;
  return options.int('interval_ms', base, 50, 3_600_000);
}
