#!/usr/bin/env node
// Measures the idle footprint of an inosec-agent binary: it runs with the default policy (its sensors read
// this machine) against a collector that is down, and after a warm-up samples VmRSS from /proc/<pid>/status
// every second and the CPU time (utime + stime from /proc/<pid>/stat) over the window.
// Usage: node edge-agent/scripts/measure-idle.mjs [--binary FILE] [--warmup S] [--seconds S] [--label TEXT]
// Extra V8 / Node flags and glibc malloc settings go through the environment (NODE_OPTIONS, MALLOC_*):
//   NODE_OPTIONS="--max-semi-space-size=1" node edge-agent/scripts/measure-idle.mjs

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    binary: {
      type: 'string',
      default: path.resolve(import.meta.dirname, '../dist-bin/inosec-agent-linux-x64'),
    },
    warmup: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    label: { type: 'string', default: process.env.NODE_OPTIONS ?? 'default' },
  },
});
const warmup = Number(values.warmup);
const seconds = Number(values.seconds);
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
/** utime + stime in clock ticks (fields 14 and 15; the command name in field 2 may hold spaces). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'inosec-idle-'));
const config = path.join(stateDir, 'agent.env');
writeFileSync(config, `INOSEC_AGENT_STATE_DIR=${stateDir}\nLOG_LEVEL=error\n`);
const env = { PATH: process.env.PATH, INOSEC_TRANSPORT: 'grpc://127.0.0.1:1', INOSEC_AGENT_ID: 'idle-bench' };
for (const [name, value] of Object.entries(process.env)) {
  if (name === 'NODE_OPTIONS' || name.startsWith('MALLOC_')) env[name] = value;
}
const child = spawn(values.binary, ['run', '--config', config], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});

try {
  await sleep(warmup * 1000);
  if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode} during the warm-up`);
  const startTicks = cpuTicks(child.pid);
  const started = process.hrtime.bigint();
  const samples = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    samples.push(rssKb(child.pid) / 1024);
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuPercent = ((cpuTicks(child.pid) - startTicks) / ticksPerSecond / elapsed) * 100;
  const average = samples.reduce((a, b) => a + b, 0) / samples.length;
  const round = (n) => Math.round(n * 10) / 10;
  const extra = { label: values.label, window_s: seconds, warmup_s: warmup };
  console.log(
    `idle ${values.label}: RSS avg ${round(average)} MiB, max ${round(Math.max(...samples))} MiB; CPU ${round(cpuPercent)}% of a core`,
  );
  console.log(
    `BENCH ${JSON.stringify({ name: 'agent.idle_rss_mib', value: round(average), unit: 'MiB', max: round(Math.max(...samples)), ...extra })}`,
  );
  console.log(
    `BENCH ${JSON.stringify({ name: 'agent.idle_cpu_pct', value: Math.round(cpuPercent * 100) / 100, unit: '%', ...extra })}`,
  );
} finally {
  child.kill('SIGTERM');
  if (child.exitCode === null && child.signalCode === null)
    await new Promise((resolve) => child.once('exit', resolve));
  rmSync(stateDir, { recursive: true, force: true });
}
