// Detection throughput on a realistic Linux event mix: InoSec events (process starts, outbound connections,
// SSH authentication failures, syslog and cron lines, file changes) turned into their Sigma views and run
// through the whole rule set the product ships (SigmaHQ's Linux, network and web rules; each view meets the
// rules of its log source only), and through a rule set of one rule; memory of the compiled set.
// Run: npm run bench:detect. Prints BENCH lines; asserts no timing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type IEvent, inosec } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import {
  loadRuleSet,
  RuleSet,
  SHIPPED_SIGMA_RULES_DIR,
  toSigmaEvents,
  type SigmaEvent,
} from '../src/index.js';

const RULE_DIRS = [SHIPPED_SIGMA_RULES_DIR];
const v1 = inosec.v1;
const SECONDS = Number(process.env['INOSEC_BENCH_SECONDS'] ?? 3);

function figure(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  const rounded = Math.round(value * 100) / 100;
  process.stdout.write(`BENCH ${JSON.stringify({ name, value: rounded, unit, ...extra })}\n`);
}

const COMMANDS = [
  '/usr/bin/curl -fsS https://updates.example.com/feed/{n}',
  'systemctl status nginx.service',
  'python3 /opt/app/worker.py --queue jobs-{n}',
  'bash -c echo ZWNobyBoaQ== | base64 -d | sh',
  'sudo -u postgres psql -c select 1',
  'tar czf /var/backups/etc-{n}.tgz /etc',
  'chmod +x /tmp/.x{n}',
  'crontab -l',
];

/** One event of the mix (the agent's synthetic load, with varied command lines). */
function event(n: number): IEvent {
  const time = 1_790_000_000_000_000 + n;
  const base = { seq: n + 1, timeUnixUs: time, sensor: 'bench' };
  const command = (COMMANDS[n % COMMANDS.length] as string).replace('{n}', String(n));
  switch (n % 6) {
    case 0:
      return {
        ...base,
        process: {
          action: v1.ProcessEvent.Action.ACTION_START,
          process: {
            pid: 10_000 + n,
            executable: `/usr/bin/${command.split(' ')[0]?.split('/').pop() ?? 'sh'}`,
            name: 'proc',
            commandLine: command,
            workingDirectory: '/home/deploy',
            user: { id: '1000', name: 'deploy' },
          },
          parent: { pid: 1, executable: '/usr/lib/systemd/systemd', commandLine: '/sbin/init' },
        },
      };
    case 1:
      return {
        ...base,
        network: {
          kind: v1.NetworkEvent.Kind.KIND_CONNECTION,
          transport: v1.NetworkEvent.Transport.TRANSPORT_TCP,
          direction: v1.NetworkEvent.Direction.DIRECTION_OUTBOUND,
          source: { ip: '10.20.0.15', port: 32_768 + (n % 28_000) },
          destination: { ip: `93.184.${n % 250}.34`, port: n % 7 === 0 ? 4444 : 443 },
          process: { pid: 10_000 + n, name: 'curl', executable: '/usr/bin/curl' },
        },
      };
    case 2:
      return {
        ...base,
        auth: {
          kind: v1.AuthEvent.Kind.KIND_SSH,
          action: v1.AuthEvent.Action.ACTION_LOGON,
          outcome: v1.AuthEvent.Outcome.OUTCOME_FAILURE,
          user: { name: n % 3 ? 'admin' : 'root' },
          source: { ip: `203.0.113.${n % 200}`, port: 40_000 + (n % 20_000) },
          method: 'password',
          service: 'sshd',
          reason: 'invalid user',
          process: { pid: 812, name: 'sshd' },
        },
      };
    case 3:
      return {
        ...base,
        log: {
          original: `Nov 21 10:00:00 web-01 CRON[${n % 30_000}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)`,
          message: '(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)',
          program: 'CRON',
          pid: n % 30_000,
          source: '/var/log/syslog',
        },
      };
    case 4:
      return {
        ...base,
        log: {
          original: `Nov 21 10:00:01 web-01 kernel: [${n}.000] audit: type=1400 apparmor="ALLOWED" operation="open"`,
          message: `[${n}.000] audit: type=1400 apparmor="ALLOWED" operation="open"`,
          program: 'kernel',
          source: '/var/log/syslog',
        },
      };
    default:
      return {
        ...base,
        file: {
          action: v1.FileEvent.Action.ACTION_MODIFIED,
          path: n % 5 ? `/etc/app/conf.d/${n % 100}.conf` : '/etc/cron.d/backup',
          type: 'file',
          hash: { sha256: '9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab' },
          owner: { id: '0', name: 'root' },
          mode: '0644',
          size: 1_024 + (n % 512),
        },
      };
  }
}

/** The Sigma views of `count` events of the mix, with their log sources. */
function views(count: number): Array<{ event: SigmaEvent; keys: string[] }> {
  const out: Array<{ event: SigmaEvent; keys: string[] }> = [];
  for (let n = 0; n < count; n++) {
    for (const view of toSigmaEvents(event(n))) out.push({ event: view.event, keys: [view.logsourceKey] });
  }
  return out;
}

/** Events/s of a rule set over the views, for about SECONDS seconds after a warm-up; and the matches. */
function measure(
  ruleSet: RuleSet,
  input: ReturnType<typeof views>,
  events: number,
): { rate: number; matches: number } {
  let matches = 0;
  const onMatch = (): void => {
    matches++;
  };
  for (const view of input) ruleSet.evaluate(view.event, view.keys, onMatch); // warm-up
  matches = 0;
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    for (const view of input) ruleSet.evaluate(view.event, view.keys, onMatch);
    rounds++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { rate: (rounds * events) / seconds, matches: matches / rounds };
}

describe('detection benchmarks', () => {
  it('events/s per core with the whole rule set and with one rule, and the compiled set’s memory', async () => {
    // A full collection before and after loading, so the heap difference is what the rule set keeps.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const { ruleSet, report } = await loadRuleSet(RULE_DIRS);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    expect(report.errors).toEqual([]);
    const EVENTS = 6_000;
    const input = views(EVENTS);
    const all = measure(ruleSet, input, EVENTS);
    const base64Rule = ruleSet.rulesOf('linux/process_creation').find((rule) => /base64/i.test(rule.title));
    const one = measure(new RuleSet(base64Rule ? [base64Rule] : []), input, EVENTS);
    figure('detect.rules_loaded', report.loaded, 'rules', {
      unsupported: report.unsupported.length,
      errors: report.errors.length,
      rule_set: 'shipped',
    });
    figure('detect.all_rules.events_per_s', all.rate, 'events/s', {
      events: EVENTS,
      views: input.length,
      matches_per_pass: all.matches,
      one_core: true,
    });
    figure('detect.one_rule.events_per_s', one.rate, 'events/s', { rule: base64Rule?.title ?? null });
    figure('detect.compiled_mb', (heapAfter - heapBefore) / 1_048_576, 'MB', {
      includes: 'rule documents and compiled rules',
    });
  });
});
