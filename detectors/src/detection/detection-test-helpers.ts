// Rules and events for the detection tests: a curl rule no correlation reads, an SSH failure rule two
// correlations read (one of them counting user names), and events with hosts of their own.
import { inosec, type IEvent } from '@inosec/protos';

const v1 = inosec.v1;

export const CURL_RULE = '6f1c2a4e-0d3b-4c5a-9e8f-7a6b5c4d3e2f';
export const SSH_RULE = '2b3c4d5e-6f70-4a8b-9c0d-1e2f3a4b5c6d';
export const BURST = '0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f';
export const SPRAY = '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918';

/** Detection rules and correlations, as a tenant's or a directory's rule file. */
export const RULES = `title: Test Curl Download
id: ${CURL_RULE}
name: test_curl_download
status: test
level: low
tags: [attack.command-and-control, attack.t1105]
logsource: { product: linux, category: process_creation }
detection:
  selection:
    Image|endswith: /curl
  condition: selection
---
title: Test Wget Without Id
status: test
level: medium
logsource: { product: linux, category: process_creation }
detection:
  selection:
    Image|endswith: /wget
  condition: selection
---
title: Test SSH Failure
id: ${SSH_RULE}
name: test_ssh_failure
status: test
level: low
logsource: { product: linux, service: auth }
detection:
  selection:
    service.name: sshd
    event.outcome: failure
  condition: selection
---
title: Test SSH Burst
id: ${BURST}
status: test
level: high
tags: [attack.t1110]
correlation:
  type: event_count
  rules: [test_ssh_failure]
  group-by: [source.ip]
  timespan: 1m
  condition: { gte: 3 }
---
title: Test SSH Spray
id: ${SPRAY}
status: test
level: high
correlation:
  type: value_count
  rules: [test_ssh_failure]
  group-by: [source.ip]
  timespan: 10m
  condition: { field: user.name, gte: 3 }
`;

/** A process start of `image` at `timeUs`, on its own host when `host` is given. */
export function processStart(seq: number, image: string, timeUs: number, host?: inosec.v1.IHost): IEvent {
  return {
    seq,
    timeUnixUs: timeUs,
    sensor: 'procfs',
    ...(host ? { host } : {}),
    process: {
      action: v1.ProcessEvent.Action.ACTION_START,
      process: { pid: 100 + seq, executable: image, commandLine: `${image} -q https://example.com/${seq}` },
    },
  };
}

/** An sshd login failure of `user` from `ip`. */
export function sshFailure(seq: number, ip: string, user: string, timeUs: number): IEvent {
  return {
    seq,
    timeUnixUs: timeUs,
    sensor: 'authlog',
    auth: {
      kind: v1.AuthEvent.Kind.KIND_SSH,
      action: v1.AuthEvent.Action.ACTION_LOGON,
      outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
      user: { name: user },
      source: { ip, port: 40_000 + seq },
      method: 'password',
      service: 'sshd',
      reason: 'invalid user',
      process: { pid: 812, name: 'sshd' },
    },
  };
}

/** A metric (no rule reads metrics). */
export function metric(seq: number, timeUs: number): IEvent {
  return {
    seq,
    timeUnixUs: timeUs,
    sensor: 'metrics',
    metric: { name: 'system.cpu.utilization', value: 0.5, kind: v1.Metric.Kind.KIND_GAUGE },
  };
}

/**
 * A mix of `count` events from `firstSeq`, a second apart from `startUs`: curl and wget starts (some on
 * hosts of their own: another machine, and the batch's machine under another name), SSH failures from two
 * addresses with rotating users, metrics. Batch host: BATCH_HOST.
 */
export function mixedEvents(firstSeq: number, count: number, startUs: number): IEvent[] {
  const events: IEvent[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    const timeUs = startUs + i * 1_000_000;
    switch (seq % 7) {
      case 0:
      case 1:
        events.push(processStart(seq, '/usr/bin/curl', timeUs));
        break;
      case 2:
        events.push(
          processStart(
            seq,
            '/usr/bin/curl',
            timeUs,
            seq % 3 === 0 ? { hostname: 'db-01', id: 'm-db' } : undefined,
          ),
        );
        break;
      case 3:
        // The batch's machine under another name: the same alert entity, another title.
        events.push(
          processStart(seq, seq % 2 ? '/usr/bin/wget' : '/usr/bin/curl', timeUs, {
            hostname: 'web-01.lan',
            id: 'm-web',
          }),
        );
        break;
      case 4:
      case 5:
        events.push(sshFailure(seq, seq % 2 ? '203.0.113.7' : '198.51.100.9', `user${seq % 5}`, timeUs));
        break;
      default:
        events.push(metric(seq, timeUs));
    }
  }
  return events;
}

/** The batch host of the mix. */
export const BATCH_HOST: inosec.v1.IHost = { hostname: 'web-01', id: 'm-web' };
