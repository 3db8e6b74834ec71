// The payloads detection reads (SIGMA_PAYLOADS, IOC_PAYLOADS): the collector decodes only these events for
// matching, so every other payload kind must feed no Sigma view and no IOC lookup.
import { Event, inosec, type IEvent } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { IocMatcher, IocSet, loadCsv } from '../ioc/index.js';
import { toSigmaEvents } from '../sigma/logsource/index.js';
import { detectedPayloads, isDetected, payloadKind } from './detection-payloads.js';
import type { SigmaHit } from './detection-types.js';
import { SIGMA_PAYLOADS } from './event-matcher.js';
import { IOC_PAYLOADS, matchIocs } from './ioc-matching.js';

const v1 = inosec.v1;
const LISTED = '198.51.100.23';
const HASH = '4f1d6b3c0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c';

/** One event of each payload kind, each carrying the listed address or hash where it has a place for one. */
const EVENTS: Record<string, IEvent> = {
  process: {
    process: {
      action: v1.ProcessEvent.Action.ACTION_START,
      process: { executable: '/usr/bin/curl', hash: { sha256: HASH } },
    },
  },
  network: {
    network: { kind: v1.NetworkEvent.Kind.KIND_CONNECTION, destination: { ip: LISTED, port: 443 } },
  },
  file: {
    file: { action: v1.FileEvent.Action.ACTION_CREATED, path: '/tmp/x', hash: { sha256: HASH } },
  },
  auth: {
    auth: {
      kind: v1.AuthEvent.Kind.KIND_SSH,
      outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
      service: 'sshd',
      source: { ip: LISTED },
    },
  },
  log: { log: { message: `connection from ${LISTED}`, program: 'sshd', source: '/var/log/auth.log' } },
  metric: { metric: { name: 'system.cpu.utilization', value: 1, attributes: { ip: LISTED } } },
  ot: {
    ot: {
      protocol: v1.OtTransaction.Protocol.PROTOCOL_MODBUS,
      source: { ip: LISTED, port: 502 },
      destination: { ip: LISTED, port: 502 },
      functionName: 'write_single_register',
    },
  },
  inventory: {
    inventory: { os: { name: 'Debian' }, packages: [{ name: 'curl', version: '8.0' }] },
  },
};

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 127) {
    out.push((rest & 127) | 128);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

describe('the payloads detection reads', () => {
  it('covers every payload kind of the Event contract', () => {
    for (const [kind, event] of Object.entries(EVENTS)) expect(Event.create(event).payload).toBe(kind);
    // A payload kind added to the contract must be added here (and to SIGMA_PAYLOADS if views read it): each
    // field number, sent as an empty message, decodes to the payload it is (or to none).
    const kinds: string[] = [];
    for (let no = 1; no < 64; no++) {
      const payload = Event.decode(Uint8Array.from([...varint(no * 8 + 2), 0])).payload;
      if (payload !== undefined) kinds.push(payload);
    }
    expect(kinds.sort()).toEqual(Object.keys(EVENTS).sort());
  });

  it('makes Sigma views of the SIGMA_PAYLOADS kinds only', () => {
    for (const [kind, event] of Object.entries(EVENTS)) {
      expect({ kind, views: toSigmaEvents(event).length > 0 }).toEqual({
        kind,
        views: SIGMA_PAYLOADS.has(kind),
      });
    }
  });

  it('looks up the indicators of the IOC_PAYLOADS kinds only', () => {
    const set = new IocSet('feed');
    loadCsv(set, `indicator,type\n${LISTED},ip\n${HASH},sha256\n`);
    const matcher = new IocMatcher([set]);
    for (const [kind, event] of Object.entries(EVENTS)) {
      const hits: SigmaHit[] = [];
      matchIocs(matcher, 'agent', event, hits);
      expect({ kind, hits: hits.length > 0 }).toEqual({ kind, hits: IOC_PAYLOADS.has(kind) });
    }
  });

  it('selects exactly the process actions and network kinds Sigma views are made of, every event for IOC feeds', () => {
    const sigma = detectedPayloads({ sigma: true, ioc: false });
    const both = detectedPayloads({ sigma: true, ioc: true });
    const ioc = detectedPayloads({ sigma: false, ioc: true });
    expect(detectedPayloads({ sigma: false, ioc: false })).toBeUndefined();
    const variants: IEvent[] = [];
    for (let value = 0; value < 6; value++) {
      variants.push({ ...EVENTS['process'], process: { ...EVENTS['process']?.process, action: value } });
      variants.push({ ...EVENTS['network'], network: { ...EVENTS['network']?.network, kind: value } });
      variants.push({ ...EVENTS['file'], file: { ...EVENTS['file']?.file, action: value } });
    }
    variants.push(...Object.values(EVENTS));
    let skipped = 0;
    for (const event of variants) {
      const payload = Event.create(event).payload;
      const kind = payloadKind(event);
      const views = toSigmaEvents(event).length > 0;
      // Nothing Sigma could match is skipped; what is read but makes no view is only a file action feeding no key.
      expect({ payload, kind, views, read: views && isDetected(sigma!, payload, kind) }).toEqual({
        payload,
        kind,
        views,
        read: views,
      });
      if (!isDetected(sigma!, payload, kind)) skipped++;
      else if (!views) expect(payload).toBe('file');
      expect(isDetected(both!, payload, kind)).toBe(
        isDetected(sigma!, payload, kind) || IOC_PAYLOADS.has(payload ?? ''),
      );
      expect(isDetected(ioc!, payload, kind)).toBe(IOC_PAYLOADS.has(payload ?? ''));
    }
    expect(skipped).toBe(5 + 5 + 3); // other process actions, other network kinds, metric, ot, inventory
  });
});
