import { afterAll, bench, describe } from 'vitest';
import { ConnectionTracker, SocketOwnerIndex, readSockets } from '../network/index.js';
import { ExecutableHasher } from './executable-hasher.js';
import { ProcessPoller } from './process-poller.js';

// Steady-state cost of one poll of each sensor on this machine's real /proc (after the baseline poll).
// Run: npx vitest bench --run --project edge-agent edge-agent/src/sensors/process/process-poll.bench.ts

const counters = { inc: (): void => undefined };
const poller = new ProcessPoller({
  hasher: new ExecutableHasher(),
  hashWaitMs: 250,
  baselineHashWaitMs: 10_000,
  counters,
});
const tracker = new ConnectionTracker();
const owners = new SocketOwnerIndex();
const samples = {
  procfs: [] as number[],
  procfsCpu: [] as number[],
  netfs: [] as number[],
  netfsCpu: [] as number[],
};
let processes = 0;
let sockets = 0;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function line(name: string, value: number, unit: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(
    `BENCH ${JSON.stringify({ name, value: Number(value.toFixed(3)), unit, ...extra })}\n`,
  );
}

describe('sensor polls', () => {
  bench(
    'procfs poll',
    async () => {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const result = await poller.poll(false);
      samples.procfs.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      samples.procfsCpu.push((used.user + used.system) / 1000);
      processes = result.processes;
    },
    { time: 1_500, setup: async () => void (await poller.poll(false)) },
  );

  bench(
    'netfs poll',
    () => {
      const cpu = process.cpuUsage();
      const start = performance.now();
      const table = readSockets();
      tracker.update(table, Date.now() * 1000);
      samples.netfs.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      samples.netfsCpu.push((used.user + used.system) / 1000);
      sockets = table.length;
    },
    { time: 1_000 },
  );

  bench(
    'netfs owner scan (all sockets, cold cache)',
    async () => {
      owners.prune(new Set());
      await owners.owners(readSockets().map((s) => s.inode));
    },
    { time: 1_000 },
  );
});

afterAll(() => {
  line('agent.procfs.poll_ms', median(samples.procfs), 'ms', { processes });
  line('agent.procfs.poll_cpu_ms', median(samples.procfsCpu), 'ms', { processes, interval_ms: 1000 });
  line('agent.netfs.poll_ms', median(samples.netfs), 'ms', { sockets });
  line('agent.netfs.poll_cpu_ms', median(samples.netfsCpu), 'ms', { sockets, interval_ms: 5000 });
  if (owners.lastScan) {
    line('agent.netfs.owner_scan_ms', owners.lastScan.ms, 'ms', {
      processes: owners.lastScan.processes,
      fds: owners.lastScan.fds,
    });
  }
});
