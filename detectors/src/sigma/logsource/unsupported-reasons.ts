// Why a Sigma rule cannot run on InoSec telemetry. The engine reports every unsupported rule with exactly one of
// these codes (plus a human-readable detail); docs/detection-logsources.md documents them.

/** The documented reasons a rule is unsupported. */
export const UNSUPPORTED_REASONS = {
  /** The rule has no product, category or service, or a combination the taxonomy and this table do not know. */
  unknown_logsource: 'log source not in the InoSec log-source table',
  /** A product InoSec does not collect from (Windows, macOS, cloud services, network appliances). */
  product_not_collected: 'product not collected by InoSec agents',
  /** A log InoSec agents could read but have no collector/parser configuration for yet (web, proxy, firewall). */
  needs_log_collector: 'needs a log-file collector with a parser for this log format',
  /** Network-level logs (DNS queries, Zeek protocol logs) that need the network DPI sensor of a later issue. */
  needs_network_sensor: 'needs the network DPI sensor (not yet built)',
  /** The log source is fed, but the rule uses a field InoSec events do not carry. */
  unmapped_field: 'uses a field InoSec events do not carry',
} as const;

/** One of the documented reason codes. */
export type UnsupportedReason = keyof typeof UNSUPPORTED_REASONS;

/** True when `value` is one of the documented reason codes. */
export function isUnsupportedReason(value: string): value is UnsupportedReason {
  return Object.hasOwn(UNSUPPORTED_REASONS, value);
}
