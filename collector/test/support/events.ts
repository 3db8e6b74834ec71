// Realistic events of every payload kind, for the collector's tests and benchmarks.
import { EventBatch, inosec, type IEvent } from '@inosec/protos';

const v1 = inosec.v1;

/** An event of the given kind with seq `seq`, happening `ageUs` before now. */
export function makeEvent(agentId: string, seq: number, kind: number, nowUs = Date.now() * 1000): IEvent {
  const time = nowUs - 1_000_000;
  const base: IEvent = { agentId, seq, timeUnixUs: time, observedTimeUnixUs: time + 500, sensor: 'test' };
  switch (kind % 6) {
    case 0:
      return {
        ...base,
        sensor: 'procfs',
        process: {
          action: v1.ProcessEvent.Action.ACTION_START,
          process: {
            pid: 4000 + (seq % 1000),
            ppid: 1,
            entityId: `p-${seq}`,
            executable: '/usr/bin/curl',
            name: 'curl',
            commandLine: `curl -s https://example.com/${seq}\twith\ttabs`,
            args: ['curl', '-s', `https://example.com/${seq}`],
            user: { id: '0', name: 'root' },
            hash: { sha256: 'a'.repeat(64) },
            startTimeUnixUs: time,
          },
          parent: { pid: 1, entityId: 'p-init', name: 'systemd' },
        },
      };
    case 1:
      return {
        ...base,
        sensor: 'netfs',
        network: {
          kind: v1.NetworkEvent.Kind.KIND_CONNECTION,
          transport: v1.NetworkEvent.Transport.TRANSPORT_TCP,
          ianaNumber: 6,
          direction: v1.NetworkEvent.Direction.DIRECTION_OUTBOUND,
          source: { ip: '10.0.0.5', port: 40000 + (seq % 20000) },
          destination: { ip: '2001:db8::1', port: 443 },
          bytesOut: 1200,
          bytesIn: 56_000,
          process: { pid: 4000, name: 'curl', entityId: 'p-1' },
          communityId: '1:LQU9qZlK+B5F3KDmev6m5PMibrg=',
        },
      };
    case 2:
      return {
        ...base,
        sensor: 'metrics',
        metric: {
          name: 'system.cpu.utilization',
          value: (seq % 100) / 100,
          unit: '1',
          kind: v1.Metric.Kind.KIND_GAUGE,
          attributes: { state: 'user', cpu: String(seq % 4) },
        },
      };
    case 3:
      return {
        ...base,
        sensor: 'authlog',
        auth: {
          kind: v1.AuthEvent.Kind.KIND_SSH,
          action: v1.AuthEvent.Action.ACTION_LOGON,
          outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
          user: { name: 'admin' },
          source: { ip: '203.0.113.7', port: 52000 },
          method: 'password',
          service: 'sshd',
          reason: 'invalid user',
          process: { pid: 812, name: 'sshd' },
        },
      };
    case 4:
      return {
        ...base,
        sensor: 'authlog',
        log: {
          original: `Nov 21 10:00:00 host cron[99]: (root) CMD (run-parts /etc/cron.hourly) #${seq}`,
          message: `(root) CMD (run-parts /etc/cron.hourly) #${seq}`,
          program: 'cron',
          pid: 99,
          source: '/var/log/auth.log',
          fields: { user: 'root' },
        },
      };
    default:
      return {
        ...base,
        sensor: 'fim',
        file: {
          action: v1.FileEvent.Action.ACTION_MODIFIED,
          path: `/etc/ssh/sshd_config.${seq}`,
          type: 'file',
          hash: { sha256: 'b'.repeat(64) },
          previousHash: { sha256: 'c'.repeat(64) },
          owner: { id: '0', name: 'root' },
          mode: '0644',
          size: 3200,
        },
      };
  }
}

/** A batch of `count` mixed events from seq `firstSeq`, host sent once per batch. */
export function makeBatch(agentId: string, firstSeq: number, count: number, nowUs?: number): EventBatch {
  const events: IEvent[] = [];
  for (let i = 0; i < count; i++) events.push(makeEvent(agentId, firstSeq + i, firstSeq + i, nowUs));
  return EventBatch.create({
    agentId,
    batchId: `${agentId}:${firstSeq}`,
    firstSeq,
    sentTimeUnixUs: Date.now() * 1000,
    events: events.map((e) => inosec.v1.Event.create(e)),
    host: {
      hostname: 'web-01',
      id: 'host-web-01',
      ip: ['10.0.0.5'],
      os: { family: 'debian', kernel: '6.1.0' },
    },
  });
}

/** The batch as the wire carries it, decoded again: what the collector actually handles. */
export function roundTrip(batch: EventBatch): EventBatch {
  return EventBatch.decode(EventBatch.encode(batch).finish());
}
