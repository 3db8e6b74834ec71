import { Alert, type IAlert } from '@inosec/protos';
import type { StoredAlert } from '../storage/alert.repository.js';

/** The NATS subject a tenant's alerts are published on (scale-out: the control plane subscribes). */
export function alertSubject(tenantId: string): string {
  return `inosec.alerts.${tenantId}`;
}

/** A stored alert as the inosec.v1.Alert message of the alert stream (count: the stored total). */
export function toAlertMessage(stored: StoredAlert): IAlert {
  const { alert } = stored;
  const message: IAlert = {
    id: stored.id,
    tenantId: stored.tenantId,
    rule: { id: alert.ruleId, name: alert.ruleName, ruleset: alert.ruleset },
    severity: alert.severity,
    tactics: alert.tactics,
    techniques: alert.techniques,
    dedupeKey: alert.dedupeKey,
    firstSeenUnixUs: alert.firstSeenUs,
    lastSeenUnixUs: alert.lastSeenUs,
    count: stored.count,
    events: alert.events.map((ref) => ({ agentId: ref.agentId, seq: ref.seq })),
    title: alert.title,
    description: alert.description,
    tags: alert.tags,
  };
  if (alert.hostName || alert.hostId) {
    message.host = {
      ...(alert.hostName ? { hostname: alert.hostName } : {}),
      ...(alert.hostId ? { id: alert.hostId } : {}),
    };
  }
  return message;
}

/** The encoded inosec.v1.Alert of a stored alert. */
export function encodeAlertMessage(stored: StoredAlert): Uint8Array {
  return Alert.encode(Alert.create(toAlertMessage(stored))).finish();
}
