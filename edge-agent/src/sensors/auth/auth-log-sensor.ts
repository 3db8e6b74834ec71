import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { FileTailer, tailPolicyOf, tailStateFileName, type TailStatus } from '../logtail/index.js';
import type { EventDraft, Sensor, SensorContext, SensorHealth } from '../sensor.js';
import { AUTHLOG_SENSOR, parseAuthLine, parseJournalLine } from './auth-line-parser.js';
import { JournalFollower } from './journal-follower.js';

/** Where the auth log lives on Debian/Ubuntu and on RHEL/SUSE. */
export const DEFAULT_AUTH_LOG_PATHS: readonly string[] = ['/var/log/auth.log', '/var/log/secure'];

/** journalctl matches: the auth and authpriv facilities, or one of the programs the parsers know. */
export const JOURNAL_AUTH_MATCHES: readonly string[] = [
  'SYSLOG_FACILITY=4',
  'SYSLOG_FACILITY=10',
  '+',
  ...[
    'sshd',
    'sudo',
    'su',
    'login',
    'doas',
    'dropbear',
    'useradd',
    'usermod',
    'userdel',
    'groupadd',
    'groupmod',
    'groupdel',
    'gpasswd',
    'passwd',
    'chpasswd',
    'chage',
  ].map((id) => `SYSLOG_IDENTIFIER=${id}`),
];

export interface AuthLogSensorOptions {
  /** Candidate files, the first existing one is tailed (default /var/log/auth.log, /var/log/secure). */
  readonly candidates?: readonly string[];
  /** journalctl to follow when no file exists: a path, or false for none; default: `journalctl` found on PATH. */
  readonly journalctl?: string | false;
  /** First restart delay of an exited journalctl (default 2000 ms). */
  readonly journalRestartDelayMs?: number;
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * The `authlog` sensor: tails the authentication log (policy `paths`, else the first existing of
 * /var/log/auth.log and /var/log/secure), or follows journald when no such file exists, and turns every
 * line into one event (AuthEvent when recognised, else LogEvent). Policy options: `from_start`,
 * `poll_interval_ms`, `max_line_bytes`, `journald` ("off" never falls back to journald).
 */
export function createAuthLogSensor(options: AuthLogSensorOptions = {}): Sensor {
  const tailers: FileTailer[] = [];
  let journal: JournalFollower | undefined;
  let journalProblem: string | undefined;
  let fixed: SensorHealth | undefined;
  let ctxRef: SensorContext | undefined;
  let noSource: string | undefined;

  async function emitLines(ctx: SensorContext, lines: readonly string[], source: string): Promise<void> {
    const nowUs = Date.now() * 1000;
    const events: EventDraft[] = [];
    let auth = 0;
    for (const line of lines) {
      const event = parseAuthLine(line, { source, nowUs });
      if (event.auth) auth++;
      else if (event.log?.parser === 'raw') ctx.counters.inc('authlog_unparsed_lines');
      events.push(event);
    }
    await ctx.emit(events);
    ctx.counters.inc('authlog_auth_events', auth);
    ctx.counters.inc('authlog_log_events', events.length - auth);
  }

  async function emitJournal(ctx: SensorContext, lines: readonly string[]): Promise<string | undefined> {
    const nowUs = Date.now() * 1000;
    const events: EventDraft[] = [];
    let cursor: string | undefined;
    for (const line of lines) {
      const parsed = parseJournalLine(line, { nowUs });
      if (parsed.cursor) cursor = parsed.cursor;
      if (parsed.event.log?.parser === 'raw') ctx.counters.inc('authlog_unparsed_lines');
      events.push(parsed.event);
    }
    await ctx.emit(events);
    return cursor;
  }

  async function stop(): Promise<void> {
    await Promise.all(tailers.map((t) => t.stop()));
    await journal?.stop();
    ctxRef?.log.debug('authlog: stopped');
  }

  function health(): SensorHealth {
    if (fixed) return fixed;
    if (journal)
      return journalProblem ? { state: 'degraded', message: journalProblem } : { state: 'running' };
    const problems = tailers
      .map((t): [string, TailStatus] => [t.path, t.status])
      .filter(([, s]) => s.state === 'missing' || s.state === 'unreadable')
      .map(([p, s]) => (s.state === 'unreadable' ? s.message : `${p} does not exist`));
    if (problems.length > 0 && noSource) return { state: 'degraded', message: noSource };
    return problems.length > 0 ? { state: 'degraded', message: problems.join('; ') } : { state: 'running' };
  }

  return {
    name: AUTHLOG_SENSOR,
    health,
    async start(ctx: SensorContext): Promise<void> {
      ctxRef = ctx;
      if (ctx.policy.enabled === false) {
        fixed = { state: 'running', message: 'disabled by policy' };
        return;
      }
      const tail = tailPolicyOf(ctx.policy);
      const policyPaths = (ctx.policy.paths ?? []).filter((p) => p.trim() !== '');
      let paths: string[];
      if (policyPaths.length > 0) {
        paths = policyPaths;
      } else {
        const candidates = options.candidates ?? DEFAULT_AUTH_LOG_PATHS;
        let found: string | undefined;
        for (const candidate of candidates) {
          if (await exists(candidate)) {
            found = candidate;
            break;
          }
        }
        const journalctl =
          options.journalctl === false || ctx.policy.options?.['journald'] === 'off'
            ? undefined
            : (options.journalctl ?? (await onPath('journalctl')));
        if (!found && journalctl) {
          journal = new JournalFollower({
            command: journalctl,
            matches: JOURNAL_AUTH_MATCHES,
            cursorFile: path.join(ctx.stateDir, 'journal.cursor'),
            fromStart: tail.fromStart,
            maxLineBytes: tail.maxLineBytes,
            restartDelayMs: options.journalRestartDelayMs,
            onLines: (lines) => emitJournal(ctx, lines),
            onStatus: (running, message) => {
              journalProblem = running ? undefined : message;
            },
            counters: ctx.counters,
            log: ctx.log,
          });
          await journal.start();
          ctx.signal.addEventListener('abort', () => void stop(), { once: true });
          ctx.log.info({ journalctl }, 'authlog: no auth log file, following journald');
          return;
        }
        // No file yet and no journal: wait for the first candidate to appear (health says degraded meanwhile).
        if (!found) {
          noSource = `none of ${candidates.join(', ')} exists and journalctl is not available`;
          ctx.log.warn(noSource);
        }
        paths = [found ?? candidates[0] ?? DEFAULT_AUTH_LOG_PATHS[0] ?? '/var/log/auth.log'];
      }
      ctx.signal.addEventListener('abort', () => void stop(), { once: true });
      for (const file of paths) {
        const tailer = new FileTailer({
          path: file,
          stateFile: path.join(ctx.stateDir, tailStateFileName(file)),
          fromStart: tail.fromStart,
          pollIntervalMs: tail.pollIntervalMs,
          maxLineBytes: tail.maxLineBytes,
          onLines: (lines, source) => emitLines(ctx, lines, source),
          onStatus: (status) => ctx.log.debug({ path: file, status }, 'authlog: tail status'),
          counters: ctx.counters,
          log: ctx.log,
        });
        tailers.push(tailer);
      }
      await Promise.all(tailers.map((t) => t.start()));
    },
    stop,
  };
}
