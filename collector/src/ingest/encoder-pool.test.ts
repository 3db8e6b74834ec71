// The batch encoder on real worker threads (the compiled worker from `npm run build`, which `npm test` runs
// first), against encoding on the calling thread, and what happens when workers cannot run.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlertBuilder, DEFAULT_RULE_DIRS, alertRuleInfo, loadInosecRuleSet } from '@inosec/detectors';
import { EventBatch, inosec, type IEvent } from '@inosec/protos';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../storage/event-rows.js';
import type { EncodeResult } from './batch-encoder.js';
import { DEFAULT_LIMITS } from './batch-validator.js';
import { createBatchEncoder, EncoderFailedError } from './encoder-pool.js';

const compiledWorker = new URL('../../dist/ingest/encode-worker.js', import.meta.url);
const identity = { agentId: 'pool-agent', tenantId: '0b6f4e3c-2f7e-4d52-9b8f-8a1c3e5d7f90' };
const logger = pino({ level: 'silent' });
const base = { maxBatchBytes: 4 * 1_048_576, limits: DEFAULT_LIMITS, logger };

function batchBytes(firstSeq: number, count: number): Uint8Array {
  const now = Date.now() * 1000;
  const events: IEvent[] = [];
  for (let i = 0; i < count; i++) {
    const seq = firstSeq + i;
    events.push(
      i % 2 === 0
        ? { agentId: identity.agentId, seq, timeUnixUs: now, sensor: 's', log: { message: `line ${seq}` } }
        : {
            agentId: identity.agentId,
            seq,
            timeUnixUs: now,
            sensor: 's',
            network: { kind: 1, source: { ip: '10.0.0.1', port: 1 }, destination: { ip: '::1', port: seq } },
          },
    );
  }
  return EventBatch.encode({
    agentId: identity.agentId,
    batchId: `b${firstSeq}`,
    firstSeq,
    events: events.map((e) => inosec.v1.Event.create(e)),
  }).finish();
}

/** Curl starts and SSH login failures (a rule no correlation reads, and one correlations read). */
function detectionBytes(firstSeq: number, count: number): Uint8Array {
  const now = Date.now() * 1000;
  const v1 = inosec.v1;
  const events: IEvent[] = [];
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    const base = { agentId: identity.agentId, seq, timeUnixUs: now - 1_000_000 + seq, sensor: 's' };
    events.push(
      seq % 2
        ? {
            ...base,
            process: {
              action: v1.ProcessEvent.Action.ACTION_START,
              process: { executable: '/usr/bin/curl', commandLine: `curl https://example.com/${seq}` },
            },
          }
        : {
            ...base,
            auth: {
              kind: v1.AuthEvent.Kind.KIND_SSH,
              outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
              user: { name: 'root' },
              source: { ip: '203.0.113.45' },
              service: 'sshd',
              reason: 'invalid user',
            },
          },
    );
  }
  return EventBatch.encode({
    agentId: identity.agentId,
    batchId: `d${firstSeq}`,
    firstSeq,
    host: { hostname: 'web-01' },
    events: events.map((e) => inosec.v1.Event.create(e)),
  }).finish();
}

/** A result's detection: hit rules with their seqs, and groups with their refs as a plain array. */
function detectionOf(result: EncodeResult): unknown {
  if (!result.ok) throw new Error(result.rejection.message);
  return {
    hits: result.hits?.map((hit) => [hit.ruleId, hit.ref.seq, hit.view]),
    groups: result.hitGroups?.map((group) => {
      expect(group.refs).toBeInstanceOf(Float64Array);
      return [group.ruleId, group.hostName, Array.from(group.refs)];
    }),
  };
}

function rowsOf(result: EncodeResult): Record<string, string> {
  if (!result.ok) throw new Error(result.rejection.message);
  return Object.fromEntries(TABLE_NAMES.map((t) => [t, result.rows[t].bytes().toString('hex')]));
}

describe('batch encoder', () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(compiledWorker))
      throw new Error('dist/ingest/encode-worker.js is missing: run npm run build');
    dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-encoder-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('encodes on worker threads exactly what the calling thread encodes, and refuses the same', async () => {
    const pool = createBatchEncoder({ ...base, threads: 2, workerUrl: compiledWorker });
    const inline = createBatchEncoder({ ...base, threads: 0 });
    try {
      expect(pool.threads).toBe(2);
      const nowUs = Date.now() * 1000;
      const inputs = [batchBytes(1, 50), batchBytes(51, 7), batchBytes(58, 500)];
      const onWorkers = await Promise.all(inputs.map((bytes) => pool.encode(identity, bytes, nowUs)));
      const here = await Promise.all(inputs.map((bytes) => inline.encode(identity, bytes, nowUs)));
      expect(onWorkers.map(rowsOf)).toEqual(here.map(rowsOf));
      expect(onWorkers[2]).toMatchObject({ ok: true, firstSeq: 58, lastSeq: 557, events: 500 });
      // Rows came back with their seqs: a partly stored batch can still be cut.
      const third = onWorkers[2] as Extract<EncodeResult, { ok: true }>;
      expect(third.rows.events.select((seq) => seq >= 556).count).toBe(1);

      const garbage = Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
      expect(await pool.encode(identity, garbage, nowUs)).toEqual(
        await inline.encode(identity, garbage, nowUs),
      );
      expect(await pool.encode(identity, garbage, nowUs)).toMatchObject({
        ok: false,
        rejection: { code: 'malformed' },
      });
    } finally {
      await pool.close();
    }
  });

  it('aggregates detection hits on the workers as on the calling thread, with the reads it was given', async () => {
    const loaded = await loadInosecRuleSet(DEFAULT_RULE_DIRS);
    const reads = new AlertBuilder({
      rules: alertRuleInfo(loaded.ruleSet.rules),
      correlations: loaded.correlations,
    }).correlationReads();
    const pool = createBatchEncoder({
      ...base,
      threads: 1,
      workerUrl: compiledWorker,
      ruleDirs: DEFAULT_RULE_DIRS,
    });
    const inline = createBatchEncoder({ ...base, threads: 0, ruleSet: loaded.ruleSet });
    const other = { ...identity, tenantId: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' };
    try {
      await pool.ready();
      const nowUs = Date.now() * 1000;
      const bytes = detectionBytes(1, 20);
      const both = async (who = identity) =>
        [await pool.encode(who, bytes, nowUs), await inline.encode(who, bytes, nowUs)].map(detectionOf);
      // No reads yet: every hit with its whole view.
      const [plain] = await both();
      expect(plain).toMatchObject({ groups: undefined });
      expect((plain as { hits: unknown[] }).hits).toHaveLength(20);
      for (const encoder of [pool, inline]) {
        encoder.setCorrelationReads(null, reads);
        encoder.setCorrelationReads(other.tenantId, new Map());
      }
      const [onWorker, here] = await both();
      expect(onWorker).toEqual(here);
      const ssh = 'fff2c2b1-aa9a-42c4-92e8-b6576228c07e';
      expect(onWorker).toMatchObject({
        hits: Array.from({ length: 10 }, (_, i) => [
          ssh,
          2 + 2 * i,
          { 'source.ip': '203.0.113.45', 'user.name': 'root' },
        ]),
        groups: [['ea34fb97-e2c4-4afb-810f-785e4459b194', 'web-01', expect.any(Array)]],
      });
      // A tenant whose own correlations read nothing: its SSH failures are aggregated too.
      const [tenantWorker, tenantHere] = await both(other);
      expect(tenantWorker).toEqual(tenantHere);
      expect(tenantWorker).toMatchObject({ hits: [], groups: [expect.any(Array), expect.any(Array)] });
      // Forgotten: back to the shared reads, then to whole views.
      for (const encoder of [pool, inline]) encoder.setCorrelationReads(other.tenantId, null);
      expect((await both(other))[0]).toEqual(onWorker);
      for (const encoder of [pool, inline]) encoder.setCorrelationReads(null, null);
      expect((await both())[0]).toEqual(plain);
    } finally {
      await pool.close();
    }
  });

  it('falls back to the calling thread when the worker script cannot load', async () => {
    const broken = path.join(dir, 'broken-worker.mjs');
    await writeFile(broken, "throw new Error('cannot load');\n");
    const pool = createBatchEncoder({ ...base, threads: 1, workerUrl: pathToFileURL(broken) });
    try {
      // Batches sent to the worker before it failed to load are encoded here, and so are later ones.
      const nowUs = Date.now() * 1000;
      const early = await Promise.all([
        pool.encode(identity, batchBytes(1, 3), nowUs),
        pool.encode(identity, batchBytes(4, 3), nowUs),
      ]);
      expect(early).toMatchObject([
        { ok: true, firstSeq: 1 },
        { ok: true, firstSeq: 4 },
      ]);
      expect(await pool.encode(identity, batchBytes(7, 3), nowUs)).toMatchObject({ ok: true, events: 3 });
    } finally {
      await pool.close();
    }
  });

  it('fails only the batches of a worker that dies, and replaces it', async () => {
    const dying = path.join(dir, 'dying-worker.mjs');
    // Dies on its first batch; the replacement (a fresh module) dies too, until the pool gives up on workers.
    await writeFile(
      dying,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\nparentPort.postMessage('ready');\n",
    );
    const pool = createBatchEncoder({ ...base, threads: 1, workerUrl: pathToFileURL(dying) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const outcomes: string[] = [];
      for (let i = 0; i < 8; i++) {
        const result = await pool.encode(identity, batchBytes(1 + i * 3, 3), Date.now() * 1000).then(
          (r) => (r.ok ? 'encoded' : 'refused'),
          (e: unknown) => (e instanceof EncoderFailedError ? 'failed' : 'other'),
        );
        outcomes.push(result);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Five replacements a minute, then the sixth death turns encoding to the calling thread.
      expect(outcomes).toEqual([
        'failed',
        'failed',
        'failed',
        'failed',
        'failed',
        'failed',
        'encoded',
        'encoded',
      ]);
    } finally {
      await pool.close();
    }
  });
});
