// The worker thread of the batch encoder (encoder-pool.ts): decodes, validates and encodes received batches
// off the collector's event loop, and hands the encoded rows back without copying them.
import { parentPort, workerData } from 'node:worker_threads';
import {
  loadIocMatcher,
  loadInosecRuleSet,
  loadInosecRuleTexts,
  type CorrelationReads,
  type RuleSet,
} from '@inosec/detectors';
import type { BinaryRowsParts } from '../storage/binary-copy.js';
import { TABLE_NAMES, type TelemetryTable } from '../storage/event-rows.js';
import { encodeIncoming } from './batch-encoder.js';
import {
  WORKER_READY,
  type CorrelationReadsMessage,
  type EncodeJob,
  type EncodeReply,
  type EncoderWorkerData,
  type TenantRulesMessage,
} from './encoder-protocol.js';

const { maxBatchBytes, limits, ruleDirs, iocFeeds } = workerData as EncoderWorkerData;
const port = parentPort;
if (!port) throw new Error('encode-worker runs as a worker thread only');

// Each worker compiles its own copy of the rules (compiled rules are closures: they cannot be shared).
// Problems in rule files were reported by the main thread, which loaded the same directories.
const ruleSet: RuleSet | undefined =
  ruleDirs && ruleDirs.length > 0 ? (await loadInosecRuleSet(ruleDirs)).ruleSet : undefined;
const iocMatcher = iocFeeds && iocFeeds.length > 0 ? (await loadIocMatcher(iocFeeds)).matcher : undefined;

// Tenants' own rules, compiled here too (the main thread validated and reported them).
const tenantRuleSets = new Map<string, RuleSet>();
// What correlations read (the main thread's AlertBuilder decides): the shared reads and tenants' own.
let sharedReads: CorrelationReads | undefined;
const tenantReads = new Map<string, CorrelationReads>();

port.on('message', (message: EncodeJob | TenantRulesMessage | CorrelationReadsMessage) => {
  if ('tenantRules' in message) {
    const { tenantId, texts } = message.tenantRules;
    if (texts.length === 0) tenantRuleSets.delete(tenantId);
    else tenantRuleSets.set(tenantId, loadInosecRuleTexts(texts).ruleSet);
    return;
  }
  if ('correlationReads' in message) {
    const { tenantId, reads } = message.correlationReads;
    if (tenantId === null) sharedReads = reads ?? undefined;
    else if (reads) tenantReads.set(tenantId, reads);
    else tenantReads.delete(tenantId);
    return;
  }
  const job = message;
  let reply: EncodeReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = encodeIncoming(job.identity, job.bytes, {
      maxBatchBytes,
      limits,
      nowUs: job.nowUs,
      ruleSet,
      tenantRuleSet: tenantRuleSets.get(job.identity.tenantId),
      iocMatcher,
      correlationReads: tenantReads.get(job.identity.tenantId) ?? sharedReads,
    });
    if (result.ok) {
      const rows = {} as Record<TelemetryTable, BinaryRowsParts>;
      for (const table of TABLE_NAMES) {
        const moved = result.rows[table].toParts();
        rows[table] = moved.parts;
        transfer.push(...moved.transfer);
      }
      for (const group of result.hitGroups ?? []) transfer.push(group.refs.buffer as ArrayBuffer);
      reply = { id: job.id, result: { ...result, rows } };
    } else {
      reply = { id: job.id, result };
    }
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply, transfer);
});
port.postMessage(WORKER_READY);
