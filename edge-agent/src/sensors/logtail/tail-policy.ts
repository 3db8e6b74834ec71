import type { ISensorPolicy } from '@inosec/protos';

/** Tailing settings read from a sensor policy's `options` (strings). */
export interface TailPolicy {
  /** `from_start`: "true" reads a file with no stored position from its start (default: from its end). */
  readonly fromStart: boolean;
  /** `poll_interval_ms`: stat interval, 100..60000 (default 1000). */
  readonly pollIntervalMs: number;
  /** `max_line_bytes`: longer lines are cut, 1024..1048576 (default 65536). */
  readonly maxLineBytes: number;
}

function bounded(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value.trim())) return fallback;
  return Math.min(max, Math.max(min, Number(value)));
}

/** Reads the tailing options of a policy; absent or malformed values fall back to the defaults. */
export function tailPolicyOf(
  policy: ISensorPolicy | undefined,
  defaults: Partial<TailPolicy> = {},
): TailPolicy {
  const options = policy?.options ?? {};
  const fromStart = options['from_start'];
  return {
    fromStart:
      fromStart === undefined ? (defaults.fromStart ?? false) : /^(true|1|yes)$/i.test(fromStart.trim()),
    pollIntervalMs: bounded(options['poll_interval_ms'], defaults.pollIntervalMs ?? 1_000, 100, 60_000),
    maxLineBytes: bounded(options['max_line_bytes'], defaults.maxLineBytes ?? 65_536, 1_024, 1_048_576),
  };
}
