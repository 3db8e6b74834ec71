import path from 'node:path';
import { FileTailer, tailPolicyOf, tailStateFileName } from '../logtail/index.js';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { AuditEventAssembler } from './audit-event-assembler.js';
import { AUDITD_SENSOR, mapAuditEvent } from './audit-event-mapper.js';
import { parseAuditLine } from './audit-record-parser.js';

/** Where auditd writes by default. */
export const DEFAULT_AUDIT_LOG_PATH = '/var/log/audit/audit.log';

export interface AuditdSensorOptions {
  /** The audit log when the policy names none (default /var/log/audit/audit.log). */
  readonly path?: string;
  /** An event without EOE or a following record is completed this long after its last record (default 500 ms). */
  readonly flushDelayMs?: number;
}

interface Source {
  readonly tailer: FileTailer;
  readonly assembler: AuditEventAssembler;
}

/**
 * The `auditd` sensor: tails raw audit.log (policy `paths`, else /var/log/audit/audit.log), groups the
 * records of each audit event and emits ProcessEvent (execve), AuthEvent (user/credential and account
 * records) or LogEvent (everything else). An unreadable or missing log makes the sensor `degraded` with the
 * reason; it keeps polling cheaply and starts reading when the file becomes readable.
 */
export function createAuditdSensor(options: AuditdSensorOptions = {}): Sensor {
  const flushDelayMs = options.flushDelayMs ?? 500;
  const sources: Source[] = [];
  let context: SensorContext | undefined;
  let fixed: SensorHealth | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  // Emissions (tailer batches and timed flushes) are serialised so events keep their order.
  let chain: Promise<void> = Promise.resolve();

  function serialise(task: () => Promise<void>): Promise<void> {
    const next = chain.then(task);
    chain = next.catch(() => undefined);
    return next;
  }

  function mapped(
    ctx: SensorContext,
    done: Parameters<typeof mapAuditEvent>[0],
    source: string,
    nowUs: number,
  ): EventDraft {
    const event = mapAuditEvent(done, { nowUs, source });
    ctx.counters.inc(
      event.process ? 'auditd_process_events' : event.auth ? 'auditd_auth_events' : 'auditd_log_events',
    );
    return event;
  }

  function scheduleFlush(): void {
    if (flushTimer || !sources.some((s) => s.assembler.pending)) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      void serialise(() => flushDue(false)).catch((error: unknown) =>
        context?.log.warn({ err: error }, 'auditd: emitting a held event failed'),
      );
    }, flushDelayMs);
    flushTimer.unref();
  }

  /** Completes held events whose last record is older than the delay (all of them when `all`). */
  async function flushDue(all: boolean): Promise<void> {
    const ctx = context;
    if (!ctx) return;
    const nowMs = Date.now();
    const events: EventDraft[] = [];
    for (const { tailer, assembler } of sources) {
      if (!assembler.pending || (!all && nowMs - assembler.lastPushAtMs < flushDelayMs)) continue;
      const done = assembler.flush();
      if (done) events.push(mapped(ctx, done, tailer.path, nowMs * 1000));
    }
    if (events.length > 0) await ctx.emit(events);
    if (!all) scheduleFlush();
  }

  async function onLines(
    ctx: SensorContext,
    assembler: AuditEventAssembler,
    lines: readonly string[],
    source: string,
  ): Promise<void> {
    await serialise(async () => {
      const nowMs = Date.now();
      const events: EventDraft[] = [];
      for (const line of lines) {
        const records = parseAuditLine(line);
        if (records.length === 0) {
          ctx.counters.inc('auditd_unparsed_lines');
          continue;
        }
        ctx.counters.inc('auditd_records', records.length);
        for (const record of records) {
          const done = assembler.push(record, nowMs);
          if (done) events.push(mapped(ctx, done, source, nowMs * 1000));
        }
      }
      if (events.length === 0) return;
      try {
        await ctx.emit(events);
      } catch (error) {
        // The tailer re-reads these lines; records held from earlier batches cannot be re-read: dropped, counted.
        if (assembler.flush()) ctx.counters.inc('auditd_events_dropped');
        throw error;
      }
    });
    scheduleFlush();
  }

  function health(): SensorHealth {
    if (fixed) return fixed;
    const problems: string[] = [];
    for (const { tailer } of sources) {
      const status = tailer.status;
      if (status.state === 'unreadable')
        problems.push(`${status.message} (the agent needs read access to the audit log)`);
      else if (status.state === 'missing')
        problems.push(`${tailer.path} does not exist (is auditd installed and running?)`);
    }
    return problems.length > 0 ? { state: 'degraded', message: problems.join('; ') } : { state: 'running' };
  }

  async function stop(): Promise<void> {
    await Promise.all(sources.map((s) => s.tailer.stop()));
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    await serialise(() => flushDue(true)).catch((error: unknown) =>
      context?.log.warn({ err: error }, 'auditd: emitting held events at stop failed'),
    );
  }

  return {
    name: AUDITD_SENSOR,
    health,
    stop,
    async start(ctx: SensorContext): Promise<void> {
      context = ctx;
      if (ctx.policy.enabled === false) {
        fixed = { state: 'running', message: 'disabled by policy' };
        return;
      }
      const tail = tailPolicyOf(ctx.policy);
      const policyPaths = (ctx.policy.paths ?? []).filter((p) => p.trim() !== '');
      const paths = policyPaths.length > 0 ? policyPaths : [options.path ?? DEFAULT_AUDIT_LOG_PATH];
      for (const file of paths) {
        const assembler = new AuditEventAssembler();
        const tailer = new FileTailer({
          path: file,
          stateFile: path.join(ctx.stateDir, tailStateFileName(file)),
          fromStart: tail.fromStart,
          pollIntervalMs: tail.pollIntervalMs,
          maxLineBytes: tail.maxLineBytes,
          onLines: (lines, source) => onLines(ctx, assembler, lines, source),
          counters: ctx.counters,
          log: ctx.log,
        });
        sources.push({ tailer, assembler });
      }
      ctx.signal.addEventListener('abort', () => void stop(), { once: true });
      await Promise.all(sources.map((s) => s.tailer.start()));
      const h = health();
      if (h.state !== 'running') ctx.log.warn({ reason: h.message }, 'auditd sensor degraded');
    },
  };
}
