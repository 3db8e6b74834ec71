// Detection in encodeIncoming: the fast path (events decoded for matching only where detection reads their
// payload) finds exactly the hits of the reference path, compacted the same way: the hits of rules no
// correlation reads aggregated per rule and host, the others one each with the view fields correlations read.
import {
  AlertBuilder,
  DEFAULT_RULE_DIRS,
  detectedPayloads,
  alertRuleInfo,
  expandHitGroup,
  loadInosecRuleSet,
  type LoadedRuleSet,
  type SigmaHit,
} from '@inosec/detectors';
import { Event, EventBatch, inosec, type IEvent } from '@inosec/protos';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encodeIncoming,
  encodeIncomingReference,
  type EncodeOptions,
  type EncodeResult,
} from './batch-encoder.js';
import { DEFAULT_LIMITS } from './batch-validator.js';
import { encodeWireBatch, type WireDetectionInput } from './wire-batch-encoder.js';

const v1 = inosec.v1;
const identity = { agentId: 'detect-agent', tenantId: '5a0c4f1e-8d2b-4c3a-9e7f-1b2d3c4e5f60' };
const nowUs = 1_790_000_000_000_000;
const SSH_FAILURE = 'fff2c2b1-aa9a-42c4-92e8-b6576228c07e'; // InoSec's, read by the brute-force correlations
const CURL = 'ea34fb97-e2c4-4afb-810f-785e4459b194'; // SigmaHQ "Curl Usage on Linux"

/** The n-th event of a mix of every payload kind; every 10th curl start carries a host of its own. */
function mixed(n: number): IEvent {
  const base = { agentId: identity.agentId, seq: n, timeUnixUs: nowUs - 60_000_000 + n, sensor: 'test' };
  switch (n % 8) {
    case 0:
      return {
        ...base,
        ...(n % 10 === 0 ? { host: { hostname: 'db-01', id: 'machine-2' } } : {}),
        process: {
          action: v1.ProcessEvent.Action.ACTION_START,
          process: { pid: n, executable: '/usr/bin/curl', commandLine: `curl -s https://example.com/${n}` },
        },
      };
    case 1:
      return {
        ...base,
        auth: {
          kind: v1.AuthEvent.Kind.KIND_SSH,
          outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
          user: { name: `user${n % 3}` },
          source: { ip: '203.0.113.45', port: n },
          method: 'password',
          service: 'sshd',
          reason: 'invalid user',
          process: { pid: 812, name: 'sshd' },
        },
      };
    case 2:
      return { ...base, metric: { name: 'system.cpu.utilization', value: 0.5, unit: '1' } };
    case 3:
      return {
        ...base,
        ot: {
          protocol: v1.OtTransaction.Protocol.PROTOCOL_MODBUS,
          source: { ip: '10.0.0.2', port: 40000 },
          destination: { ip: '10.0.0.3', port: 502 },
          functionCode: 6,
        },
      };
    case 4:
      return { ...base, inventory: { os: { name: 'Debian' }, packages: [{ name: 'curl', version: '8' }] } };
    case 5:
      return {
        ...base,
        log: { message: 'sh -c echo aGk= | base64 -d | sh', program: 'cron', source: '/var/log/syslog' },
      };
    case 6:
      return {
        ...base,
        network: {
          kind: v1.NetworkEvent.Kind.KIND_CONNECTION,
          source: { ip: '10.0.0.5', port: n },
          destination: { ip: '93.184.216.34', port: 443 },
        },
      };
    default:
      return { ...base, file: { action: v1.FileEvent.Action.ACTION_CREATED, path: `/tmp/f${n}` } };
  }
}

function batch(firstSeq: number, count: number): Uint8Array {
  const events: IEvent[] = [];
  for (let seq = firstSeq; seq < firstSeq + count; seq++) events.push(mixed(seq));
  return EventBatch.encode({
    agentId: identity.agentId,
    batchId: `b-${firstSeq}`,
    firstSeq,
    host: { hostname: 'web-01', id: 'machine-1' },
    events: events.map((event) => v1.Event.create(event)),
  }).finish();
}

function detected(result: EncodeResult): { hits: SigmaHit[]; groups: SigmaHit[][] } {
  if (!result.ok) throw new Error(result.rejection.message);
  expect(result.detectionError).toBeUndefined();
  return { hits: result.hits ?? [], groups: (result.hitGroups ?? []).map((group) => expandHitGroup(group)) };
}

describe('detection in encodeIncoming', () => {
  let loaded: LoadedRuleSet;
  let options: EncodeOptions;
  beforeAll(async () => {
    loaded = await loadInosecRuleSet(DEFAULT_RULE_DIRS);
    const builder = new AlertBuilder({
      rules: alertRuleInfo(loaded.ruleSet.rules),
      correlations: loaded.correlations,
    });
    options = {
      maxBatchBytes: 16 * 1_048_576,
      limits: DEFAULT_LIMITS,
      nowUs,
      ruleSet: loaded.ruleSet,
      correlationReads: builder.correlationReads(),
    };
  });

  it('finds on the fast path exactly the hits of the reference path, compacted the same way', () => {
    const bytes = batch(1, 400);
    const fast = encodeIncoming(identity, bytes, options);
    expect(fast.ok && fast.referenceEvents).toBe(60); // inventory snapshots and events with their own host
    const reference = encodeIncomingReference(identity, bytes, options);
    expect(detected(fast)).toEqual(detected(reference));
    const { hits, groups } = detected(fast);
    // The SSH failures cross one each, with just the fields the correlations group and count by.
    expect(hits.map((hit) => hit.ruleId)).toEqual(Array(50).fill(SSH_FAILURE));
    expect(hits[0]?.view).toEqual({ 'source.ip': '203.0.113.45', 'user.name': 'user1' });
    expect(hits.map((hit) => hit.ref.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 1 + i * 8));
    // Curl starts: one group per host, in event order, carrying every event.
    const curl = groups.filter((group) => group[0]?.ruleId === CURL);
    expect(curl.map((group) => [group[0]?.hostName, group.length])).toEqual([
      ['web-01', 40],
      ['db-01', 10],
    ]);
    expect(curl[1]?.map((hit) => hit.ref.seq)).toEqual([40, 80, 120, 160, 200, 240, 280, 320, 360, 400]);
  });

  it('gives every hit with its whole view without correlation reads', () => {
    const bytes = batch(1, 80);
    const { correlationReads: _, ...plain } = options;
    const fast = detected(encodeIncoming(identity, bytes, plain));
    expect(fast.groups).toEqual([]);
    expect(fast).toEqual(detected(encodeIncomingReference(identity, bytes, plain)));
    const curl = fast.hits.find((hit) => hit.ruleId === CURL);
    expect(curl?.view).toMatchObject({
      Image: '/usr/bin/curl',
      CommandLine: 'curl -s https://example.com/8',
    });
  });

  it('decodes for detection only the events of the payloads it reads, in batch order', () => {
    const bytes = batch(1, 16);
    const sigma = detectedPayloads({ sigma: true, ioc: false });
    if (!sigma) throw new Error('no payloads');
    const input: WireDetectionInput = { payloads: sigma, items: [] };
    const result = encodeWireBatch(identity, bytes, options, input);
    expect(result?.ok).toBe(true);
    // Metrics, OT transactions and inventory snapshots (even those the reference code decoded) are left out.
    const seqs = input.items.map((item) =>
      Array.isArray(item) ? Event.decode(bytes.subarray(item[0], item[1])).seq : item.seq,
    );
    expect(seqs).toEqual([1, 5, 6, 7, 8, 9, 13, 14, 15, 16]);
    expect(input.host).toMatchObject({ hostname: 'web-01', id: 'machine-1' });
    // Nothing at all for a batch of metrics: no event is decoded.
    const metrics = EventBatch.encode({
      agentId: identity.agentId,
      batchId: 'm',
      firstSeq: 2,
      events: [v1.Event.create(mixed(2)), v1.Event.create({ ...mixed(10), seq: 3 })],
    }).finish();
    const none: WireDetectionInput = { payloads: sigma, items: [] };
    expect(encodeWireBatch(identity, metrics, options, none)?.ok).toBe(true);
    expect(none.items).toEqual([]);
    // Process exits, flows and listening sockets make no Sigma view: only IOC feeds read them.
    const kinds = EventBatch.encode({
      agentId: identity.agentId,
      batchId: 'k',
      firstSeq: 1,
      events: [
        { process: { action: v1.ProcessEvent.Action.ACTION_EXIT, process: { pid: 1 } } },
        { network: { kind: v1.NetworkEvent.Kind.KIND_FLOW, source: { ip: '10.0.0.1' } } },
        { network: { kind: v1.NetworkEvent.Kind.KIND_LISTEN, destination: { ip: '0.0.0.0', port: 22 } } },
        { network: { kind: v1.NetworkEvent.Kind.KIND_CONNECTION, source: { ip: '10.0.0.1' } } },
        { process: { action: v1.ProcessEvent.Action.ACTION_START, process: { pid: 2 } } },
      ].map((event, i) =>
        v1.Event.create({ ...event, agentId: identity.agentId, seq: i + 1, timeUnixUs: nowUs, sensor: 't' }),
      ),
    }).finish();
    const seqsOf = (payloads: WireDetectionInput['payloads']) => {
      const listed: WireDetectionInput = { payloads, items: [] };
      expect(encodeWireBatch(identity, kinds, options, listed)?.ok).toBe(true);
      return listed.items.map((item) =>
        Array.isArray(item) ? Event.decode(kinds.subarray(item[0], item[1])).seq : item.seq,
      );
    };
    expect(seqsOf(sigma)).toEqual([4, 5]);
    expect(seqsOf(detectedPayloads({ sigma: true, ioc: true }) ?? new Map())).toEqual([1, 2, 3, 4, 5]);
  });

  it('records a batch whose detection failed and keeps its rows', () => {
    const broken = {
      ...options,
      ruleSet: Object.assign(Object.create(loaded.ruleSet) as typeof loaded.ruleSet, {
        evaluate: () => {
          throw new Error('rule bug');
        },
      }),
    };
    const result = encodeIncoming(identity, batch(1, 16), broken);
    expect(result).toMatchObject({
      ok: true,
      events: 16,
      hits: [],
      detectionError: 'detection failed: rule bug',
    });
    expect(result.ok && result.hitGroups).toBeUndefined();
  });
});
