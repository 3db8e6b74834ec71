// Which events detection reads: the collector decodes only these for matching (the others cannot match).
import { NetworkEventKind, ProcessEventAction } from '@inosec/protos';
import { SIGMA_PAYLOADS } from './event-matcher.js';
import { IOC_PAYLOADS } from './ioc-matching.js';

/**
 * Payload name (the Event `payload` oneof) → the values of its kind field that detection reads (a
 * ProcessEvent's action, a NetworkEvent's kind), or null for every event of that payload. Absent payloads
 * are not read at all.
 */
export type DetectedPayloads = ReadonlyMap<string, ReadonlySet<number> | null>;

/** The process actions and network kinds Sigma views are made of (toSigmaEvents); every event of the others. */
const SIGMA_KINDS: Readonly<Record<string, ReadonlySet<number>>> = {
  process: new Set([ProcessEventAction.ACTION_START]),
  network: new Set([NetworkEventKind.KIND_CONNECTION]),
};

/**
 * The events detection reads with Sigma rules (`sigma`) and IOC feeds (`ioc`): undefined when neither runs.
 * IOC matching reads every event of its payloads (a process exit's hash, a flow's address).
 */
export function detectedPayloads(options: { sigma: boolean; ioc: boolean }): DetectedPayloads | undefined {
  if (!options.sigma && !options.ioc) return undefined;
  const out = new Map<string, ReadonlySet<number> | null>();
  if (options.sigma) for (const payload of SIGMA_PAYLOADS) out.set(payload, SIGMA_KINDS[payload] ?? null);
  if (options.ioc) for (const payload of IOC_PAYLOADS) out.set(payload, null);
  return out;
}

/** The value of an event's kind field as DetectedPayloads keys it (a process's action, a network kind). */
export function payloadKind(event: {
  process?: { action?: number | null } | null;
  network?: { kind?: number | null } | null;
}): number {
  return event.process?.action ?? event.network?.kind ?? 0;
}

/** True when detection reads this event (`kind`: payloadKind's value). */
export function isDetected(payloads: DetectedPayloads, payload: string | undefined, kind: number): boolean {
  if (payload === undefined) return false;
  const kinds = payloads.get(payload);
  return kinds !== undefined && (kinds === null || kinds.has(kind));
}
