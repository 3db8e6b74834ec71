import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InosecError } from '@inosec/protos';
import type { CorrelationReads, IocMatcher, RuleSet, RuleText } from '@inosec/detectors';
import type { Logger } from 'pino';
import { BinaryRows } from '../storage/binary-copy.js';
import { TABLE_NAMES, type EncodedRows } from '../storage/event-rows.js';
import { encodeIncoming, type EncodeResult } from './batch-encoder.js';
import type { AgentIdentity } from './batch-validator.js';
import {
  WORKER_READY,
  type CorrelationReadsMessage,
  type EncodeJob,
  type EncodeReply,
  type EncoderWorkerData,
  type TenantRulesMessage,
} from './encoder-protocol.js';

export interface BatchEncoderOptions extends EncoderWorkerData {
  /** Worker threads; 0 encodes on the calling thread. */
  threads: number;
  logger: Logger;
  /** The compiled worker script; by default encode-worker.js next to this module. */
  workerUrl?: URL;
  /**
   * The rules loaded from `ruleDirs` on this thread: detection when encoding here (no workers, or degraded).
   * Workers load `ruleDirs` themselves.
   */
  ruleSet?: RuleSet;
  /** A tenant's own rules compiled on this thread (detection when encoding here). */
  tenantRuleSet?: (tenantId: string) => RuleSet | undefined;
  /** The feeds of `iocFeeds` loaded on this thread. */
  iocMatcher?: IocMatcher;
}

/** Decodes, validates and encodes received batches (batch-encoder.ts), on worker threads. */
export interface BatchEncoder {
  /** Worker threads in use (0: the calling thread). */
  readonly threads: number;
  encode(identity: AgentIdentity, bytes: Uint8Array, nowUs: number): Promise<EncodeResult>;
  /** Resolves once every worker has loaded (its rules included), or the pool fell back to this thread. */
  ready(): Promise<void>;
  /** Gives the workers a tenant's own rules (none: drop them); they apply to batches encoded after. */
  setTenantRules(tenantId: string, texts: readonly RuleText[]): void;
  /**
   * What the correlations read (AlertBuilder.correlationReads) of a tenant with rules of its own, or (null)
   * of every other tenant: the hits of the other rules are aggregated where they are matched. Reads null
   * forgets them (a tenant falls back to the shared reads; without shared reads every hit keeps its view).
   * They apply to batches encoded after.
   */
  setCorrelationReads(tenantId: string | null, reads: CorrelationReads | null): void;
  close(): Promise<void>;
}

/** A worker died or threw while encoding: the batch was not judged, so the agent resends it. */
export class EncoderFailedError extends InosecError {
  constructor(message: string) {
    super('encoder_failed', message);
  }
}

/** Worker deaths within a minute past which the pool stops replacing them and encodes on the main thread. */
const MAX_RESTARTS_PER_MINUTE = 5;

interface PendingJob {
  job: EncodeJob;
  resolve: (result: EncodeResult) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  jobs: Map<number, PendingJob>;
}

/**
 * Starts the batch encoder. With threads > 0 and the compiled worker script present, batches are encoded on
 * worker threads (least busy first) so that the event loop stays free for the transports and the database
 * connections; a worker that dies fails only its batches in progress and is replaced. Without the compiled
 * script (the TypeScript sources run under a test runner) it encodes on the calling thread.
 */
export function createBatchEncoder(options: BatchEncoderOptions): BatchEncoder {
  const workerUrl = options.workerUrl ?? new URL('./encode-worker.js', import.meta.url);
  // What correlations read, kept here for the batches encoded on this thread and for replacement workers.
  let sharedReads: CorrelationReads | undefined;
  const tenantReads = new Map<string, CorrelationReads>();
  const keepReads = (tenantId: string | null, reads: CorrelationReads | null): void => {
    if (tenantId === null) sharedReads = reads ?? undefined;
    else if (reads) tenantReads.set(tenantId, reads);
    else tenantReads.delete(tenantId);
  };
  const inline: BatchEncoder = {
    threads: 0,
    encode: (identity, bytes, nowUs) =>
      Promise.resolve(
        encodeIncoming(identity, bytes, {
          maxBatchBytes: options.maxBatchBytes,
          limits: options.limits,
          nowUs,
          ruleSet: options.ruleSet,
          tenantRuleSet: options.tenantRuleSet?.(identity.tenantId),
          iocMatcher: options.iocMatcher,
          correlationReads: tenantReads.get(identity.tenantId) ?? sharedReads,
        }),
      ),
    ready: () => Promise.resolve(),
    setTenantRules: () => undefined,
    setCorrelationReads: keepReads,
    close: () => Promise.resolve(),
  };
  if (options.threads <= 0) return inline;
  if (!existsSync(fileURLToPath(workerUrl))) {
    options.logger.info(
      { worker: fileURLToPath(workerUrl) },
      'No compiled encode worker: batches are encoded on the main thread',
    );
    return inline;
  }
  const data: EncoderWorkerData = {
    maxBatchBytes: options.maxBatchBytes,
    limits: options.limits,
    ...(options.ruleDirs ? { ruleDirs: [...options.ruleDirs] } : {}),
    ...(options.iocFeeds ? { iocFeeds: [...options.iocFeeds] } : {}),
  };
  const workers: PoolWorker[] = [];
  let nextId = 1;
  let closing = false;
  // Set when workers cannot run (their script fails to load, or they keep dying): encode here instead.
  let degraded = false;
  const restarts: number[] = [];
  // Workers that have not posted WORKER_READY yet; `ready()` waits for none (or for the fallback).
  let starting = options.threads;
  let onReady: (() => void) | undefined;
  const allReady = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const markReady = () => {
    starting--;
    if (starting <= 0) onReady?.();
  };
  // Every tenant's own rules, given again to a worker that replaces a dead one.
  const tenantTexts = new Map<string, RuleText[]>();

  const spawn = (slot: number, initial = true): void => {
    // The compiled worker imports compiled packages: no source-resolution conditions (a test runner's).
    const execArgv = process.execArgv.filter(
      (arg, i, all) =>
        !arg.startsWith('--conditions') &&
        all[i - 1] !== '--conditions' &&
        arg !== '-C' &&
        all[i - 1] !== '-C',
    );
    const entry: PoolWorker = {
      worker: new Worker(workerUrl, { workerData: data, execArgv }),
      jobs: new Map(),
    };
    // Set by the worker's first message, sent once its module has loaded.
    let ready = false;
    // Whether this worker counted towards `ready()` (a replacement worker does not).
    let counted = initial === false;
    workers[slot] = entry;
    entry.worker.unref();
    entry.worker.on('message', (reply: EncodeReply | typeof WORKER_READY) => {
      if (reply === WORKER_READY) {
        if (!ready && !counted) {
          counted = true;
          markReady();
        }
        ready = true;
        return;
      }
      const job = entry.jobs.get(reply.id);
      if (!job) return;
      entry.jobs.delete(reply.id);
      if (reply.error !== undefined)
        job.reject(new EncoderFailedError(`batch encoding failed: ${reply.error}`));
      else job.resolve(fromReply(reply.result));
    });
    const fail = (why: string) => {
      const pending = [...entry.jobs.values()];
      entry.jobs.clear();
      // Whether this worker's own death (not another's) is why its batches did not come back.
      let died = false;
      if (!closing && workers[slot] === entry && !degraded) {
        died = true;
        const now = Date.now();
        while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift();
        restarts.push(now);
        if (!ready || restarts.length > MAX_RESTARTS_PER_MINUTE) {
          degraded = true;
          onReady?.();
          options.logger.error({ slot }, `${why}; batches are encoded on the main thread from now on`);
          for (const other of workers) if (other !== entry) void other.worker.terminate();
        } else {
          options.logger.error({ slot }, `${why}; a new one takes its place`);
          spawn(slot, false);
        }
      }
      for (const { job, resolve, reject } of pending) {
        // Batches of a worker that never ran (its script did not load) or was stopped because others kept
        // dying are encoded here. A worker that died while encoding fails its batches (the agents resend
        // them): a batch that kills workers does not get to take the main thread down too.
        if (degraded && !closing && (!ready || !died)) {
          inline.encode(job.identity, job.bytes, job.nowUs).then(resolve, reject);
        } else reject(new EncoderFailedError(why));
      }
    };
    for (const [tenantId, texts] of tenantTexts) {
      const message: TenantRulesMessage = { tenantRules: { tenantId, texts } };
      entry.worker.postMessage(message);
    }
    const reads: Array<[string | null, CorrelationReads]> = [...tenantReads];
    if (sharedReads) reads.push([null, sharedReads]);
    for (const [tenantId, tenant] of reads) {
      const message: CorrelationReadsMessage = { correlationReads: { tenantId, reads: tenant } };
      entry.worker.postMessage(message);
    }
    entry.worker.on('error', (error) => fail(`encode worker failed: ${error.message}`));
    entry.worker.on('exit', (code) => fail(`encode worker exited with code ${code}`));
  };
  for (let slot = 0; slot < options.threads; slot++) spawn(slot);

  return {
    threads: options.threads,
    encode(identity, bytes, nowUs) {
      if (degraded) return inline.encode(identity, bytes, nowUs);
      let target = workers[0] as PoolWorker;
      for (const entry of workers) if (entry.jobs.size < target.jobs.size) target = entry;
      const id = nextId++;
      // Just these bytes (a view may sit on a larger shared buffer, which cloning would copy whole); kept
      // here too, to encode them on this thread if the worker turns out unable to.
      const job: EncodeJob = { id, identity, bytes: new Uint8Array(bytes), nowUs };
      return new Promise<EncodeResult>((resolve, reject) => {
        target.jobs.set(id, { job, resolve, reject });
        target.worker.postMessage(job);
      });
    },
    ready: () => allReady,
    setTenantRules(tenantId, texts) {
      if (texts.length === 0) tenantTexts.delete(tenantId);
      else tenantTexts.set(tenantId, [...texts]);
      const message: TenantRulesMessage = { tenantRules: { tenantId, texts: [...texts] } };
      for (const entry of workers) entry.worker.postMessage(message);
    },
    setCorrelationReads(tenantId, reads) {
      keepReads(tenantId, reads);
      const message: CorrelationReadsMessage = { correlationReads: { tenantId, reads } };
      for (const entry of workers) entry.worker.postMessage(message);
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  };
}

function fromReply(result: NonNullable<Extract<EncodeReply, { error?: undefined }>['result']>): EncodeResult {
  if (!result.ok) return result;
  const rows = {} as EncodedRows;
  for (const table of TABLE_NAMES) rows[table] = BinaryRows.fromParts(result.rows[table]);
  return { ...result, rows };
}
