#!/usr/bin/env node
// Measures the idle footprint of an inosec-agent binary: it runs with the default policy (its sensors read
// this machine), and after a warm-up samples VmRSS (with its anonymous and file-backed parts) from
// /proc/<pid>/status every second and the CPU time (utime + stime from /proc/<pid>/stat) over the window; the
// agent's JavaScript heap comes from its status.json at the end.
//
// Usage: node edge-agent/scripts/measure-idle.mjs [--binary FILE] [--warmup S] [--seconds S] [--label TEXT]
//                                                  [--collector down|stub|tls] [--node-arg FLAG]...
//   --binary     the agent: a single executable (default dist-bin/inosec-agent-linux-x64), or a bundle
//                (.cjs/.js, e.g. edge-agent/.cache/sea/inosec-agent.cjs) run by this Node with --node-arg flags,
//                which lets V8 flags be compared without rebuilding the binary
//   --collector  down (default): grpc://127.0.0.1:1, the transport retries with backoff;
//                stub: a gRPC server in this process acknowledges every batch as stored, as a collector does;
//                tls: the same over mTLS (grpcs://, a throwaway CA made with the openssl CLI), as the benchmark
//                in collector/bench/ingest.bench.ts runs the agent against the real collector
//   --unit       a systemd unit whose [Service] Environment= lines the agent runs with, as systemd would start
//                it (default installers/linux/inosec-agent.service: MALLOC_* and NODE_OPTIONS); --unit none: without
// Extra Node flags, the libuv pool size and glibc malloc settings go through the environment (NODE_OPTIONS,
// UV_THREADPOOL_SIZE, MALLOC_*, GLIBC_TUNABLES), over the unit's:
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
    label: { type: 'string' },
    collector: { type: 'string', default: 'down' },
    unit: {
      type: 'string',
      default: path.resolve(import.meta.dirname, '../../installers/linux/inosec-agent.service'),
    },
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});
const warmup = Number(values.warmup);
const seconds = Number(values.seconds);
const nodeArgs = values['node-arg'];
const label =
  values.label ?? ([process.env.NODE_OPTIONS, ...nodeArgs].filter(Boolean).join(' ') || 'default');
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
if (!['down', 'stub', 'tls'].includes(values.collector))
  throw new Error('--collector must be down, stub or tls');

/**
 * The variables set by the Environment= lines of a unit's [Service] section, as systemd reads them (the same
 * rules as unitEnvironment() in collector/test/support/agent-process-unit.ts, which the benchmark uses): lines
 * accumulate, later wins, an empty Environment= clears, '…'/"…" quote, `\` takes the next character as is,
 * `\` at a line's end continues it, `%%` is %; other specifiers throw (their value depends on the host).
 */
function unitEnvironment(file) {
  const env = {};
  let section = '';
  for (const [index, raw] of readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n').entries()) {
    const line = raw.trim();
    const where = `${file}:${index + 1}`;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1];
    const assignment = /^Environment\s*=\s*(.*)$/.exec(line);
    if (header || section !== 'Service' || !assignment) continue;
    if (assignment[1] === '') {
      for (const key of Object.keys(env)) delete env[key];
      continue;
    }
    if (/%[^%]/.test(assignment[1].replace(/%%/g, '')))
      throw new Error(`${where}: specifiers are not supported`);
    const value = assignment[1].replace(/%%/g, '%');
    const words = [];
    let word;
    let quote;
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (c === '\\' && i + 1 < value.length) {
        word = (word ?? '') + value[++i];
      } else if (quote) {
        if (c === quote) quote = undefined;
        else word = (word ?? '') + c;
      } else if (c === '"' || c === "'") {
        quote = c;
        word ??= '';
      } else if (c === ' ' || c === '\t') {
        if (word !== undefined) words.push(word);
        word = undefined;
      } else {
        word = (word ?? '') + c;
      }
    }
    if (quote) throw new Error(`${where}: unterminated ${quote}`);
    if (word !== undefined) words.push(word);
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq <= 0) throw new Error(`${where}: "${w}" is not NAME=VALUE`);
      env[w.slice(0, eq)] = w.slice(eq + 1);
    }
  }
  return env;
}

/** VmRSS, RssAnon and RssFile in MiB, and the thread count. */
function memory(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)?.[1] ?? Number.NaN);
  return {
    rss: field('VmRSS') / 1024,
    anon: field('RssAnon') / 1024,
    file: field('RssFile') / 1024,
    threads: field('Threads'),
  };
}
/** utime + stime in clock ticks (fields 14 and 15; the command name in field 2 may hold spaces). */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
const round = (n) => Math.round(n * 10) / 10;

/** A throwaway PKI in `dir` (openssl CLI): a CA, a server certificate for 127.0.0.1, a client one for `agentId`. */
function makePki(dir, agentId) {
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name) =>
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(`${name}.key`));
  key('ca');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-subj',
    '/CN=idle-ca',
    '-days',
    '1',
    '-out',
    file('ca.crt'),
  );
  for (const [name, subject, ext] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['agent', `/CN=${agentId}`, 'extendedKeyUsage=clientAuth\n'],
  ]) {
    key(name);
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', '-new', '-key', file(`${name}.key`), '-subj', subject, '-out', file(`${name}.csr`));
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    );
  }
  const read = (name) => readFileSync(file(name));
  return { ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), file };
}

/** A collector stand-in on loopback that acknowledges every batch as stored (over mTLS when `pki` is given). */
async function startStubCollector(pki) {
  const grpc = await import('@grpc/grpc-js');
  const { decodeEventBatch, ingestPushRawDefinition, inosec } = await import('@inosec/protos');
  const server = new grpc.Server();
  let events = 0;
  server.addService(ingestPushRawDefinition, {
    push: (call) => {
      call.on('data', (bytes) => {
        const batch = decodeEventBatch(bytes);
        events += batch.events.length;
        call.write({
          agentId: batch.agentId,
          batchId: batch.batchId,
          status: inosec.v1.PushAck.Status.STATUS_STORED,
          ackedSeq: Number(batch.events.at(-1)?.seq ?? 0),
        });
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      pki
        ? grpc.ServerCredentials.createSsl(
            pki.ca,
            [{ cert_chain: pki.serverCert, private_key: pki.serverKey }],
            true,
          )
        : grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return {
    url: `${pki ? 'grpcs' : 'grpc'}://127.0.0.1:${port}`,
    events: () => events,
    stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'inosec-idle-'));
const config = path.join(stateDir, 'agent.env');
const pki = values.collector === 'tls' ? makePki(stateDir, 'idle-bench') : undefined;
const tlsLines = pki
  ? `INOSEC_AGENT_TLS_CA=${pki.file('ca.crt')}\nINOSEC_AGENT_TLS_CERT=${pki.file('agent.crt')}\nINOSEC_AGENT_TLS_KEY=${pki.file('agent.key')}\n`
  : '';
writeFileSync(config, `INOSEC_AGENT_STATE_DIR=${stateDir}\nLOG_LEVEL=error\n${tlsLines}`);
const stub = values.collector === 'down' ? undefined : await startStubCollector(pki);
const unitEnv = values.unit === 'none' ? {} : unitEnvironment(values.unit);
const env = {
  ...unitEnv,
  PATH: process.env.PATH,
  INOSEC_TRANSPORT: stub?.url ?? 'grpc://127.0.0.1:1',
  INOSEC_AGENT_ID: 'idle-bench',
};
for (const [name, value] of Object.entries(process.env)) {
  if (/^(NODE_OPTIONS|UV_THREADPOOL_SIZE|MALLOC_.*|GLIBC_TUNABLES)$/.test(name)) env[name] = value;
}
const isBundle = /\.[cm]?js$/.test(values.binary);
const [command, args] = isBundle
  ? [process.execPath, [...nodeArgs, values.binary, 'run', '--config', config]]
  : [values.binary, ['run', '--config', config]];
const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });

try {
  await sleep(warmup * 1000);
  if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode} during the warm-up`);
  const startTicks = cpuTicks(child.pid);
  const started = process.hrtime.bigint();
  const samples = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    samples.push(memory(child.pid));
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuPercent = ((cpuTicks(child.pid) - startTicks) / ticksPerSecond / elapsed) * 100;
  const rss = samples.map((s) => s.rss);
  const status = JSON.parse(readFileSync(path.join(stateDir, 'status.json'), 'utf8'));
  const heapUsed = status.process.heapUsedBytes / 1_048_576;
  const heapTotal = status.process.heapTotalBytes / 1_048_576;
  const unitLabel = Object.entries(unitEnv)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  const extra = {
    label,
    window_s: seconds,
    warmup_s: warmup,
    collector: values.collector,
    unit_env: unitLabel,
  };
  console.log(
    `idle ${label}: RSS median ${round(median(rss))} MiB, max ${round(Math.max(...rss))}, avg ${round(rss.reduce((a, b) => a + b, 0) / rss.length)} ` +
      `(anonymous ${round(median(samples.map((s) => s.anon)))}, file ${round(median(samples.map((s) => s.file)))}; ` +
      `JS heap ${round(heapUsed)} of ${round(heapTotal)}; ${samples.at(-1).threads} threads); ` +
      `CPU ${Math.round(cpuPercent * 100) / 100}% of a core` +
      (stub ? `; ${stub.events()} events stored, spool depth ${status.spool.queueDepth}` : ''),
  );
  console.log(
    `BENCH ${JSON.stringify({ name: 'agent.idle_rss_mib', value: round(median(rss)), unit: 'MiB', max: round(Math.max(...rss)), ...extra })}`,
  );
  console.log(
    `BENCH ${JSON.stringify({ name: 'agent.idle_cpu_pct', value: Math.round(cpuPercent * 100) / 100, unit: '%', ...extra })}`,
  );
} finally {
  child.kill('SIGTERM');
  if (child.exitCode === null && child.signalCode === null)
    await new Promise((resolve) => child.once('exit', resolve));
  await stub?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
