// The inosec-agent single executable (scripts/build-binary.mjs) runs with nothing but PATH in its
// environment: no Node.js, no npm, no node_modules. It prints its version, reports "not running", and ships
// synthetic events to a real gRPC server until SIGTERM stops it cleanly. The arm64 build runs under qemu.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { decodeEventBatch, ingestPushRawDefinition, inosec, type IPushAck } from '@inosec/protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const edgeDir = path.resolve(import.meta.dirname, '..');
const binDir = path.join(edgeDir, 'dist-bin');
const x64Binary = path.join(binDir, 'inosec-agent-linux-x64');
const arm64Binary = path.join(binDir, 'inosec-agent-linux-arm64');
const { version } = JSON.parse(readFileSync(path.join(edgeDir, 'package.json'), 'utf8')) as {
  version: string;
};
const PATH_ONLY = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** Newest modification time of the files the binary is built from (tests excluded). */
async function newestSource(): Promise<number> {
  const roots = [
    path.join(edgeDir, 'src'),
    path.join(edgeDir, '../protos/src'),
    path.join(edgeDir, 'scripts'),
    path.join(edgeDir, 'package.json'),
  ];
  let newest = 0;
  for (const root of roots) {
    const info = await stat(root);
    const files = info.isDirectory()
      ? (await readdir(root, { recursive: true, withFileTypes: true }))
          .filter((entry) => entry.isFile() && !entry.name.endsWith('.test.ts'))
          .map((entry) => path.join(entry.parentPath, entry.name))
      : [root];
    for (const file of files) newest = Math.max(newest, (await stat(file)).mtimeMs);
  }
  return newest;
}

async function mtime(file: string): Promise<number | undefined> {
  return stat(file).then(
    (info) => info.mtimeMs,
    () => undefined,
  );
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `command` with exactly `env`; `exited` settles with its exit code and output. */
function start(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, exited };
}

/** A collector stand-in: stores the seqs of every batch and acks each batch in order. */
async function startCollector() {
  const seqs = new Set<number>();
  const agentIds = new Set<string>();
  let events = 0;
  let onEvents: (() => void) | undefined;
  const server = new grpc.Server();
  server.addService(ingestPushRawDefinition, {
    push: (call: grpc.ServerDuplexStream<Buffer, IPushAck>) => {
      const header = call.metadata.get('x-inosec-agent-id')[0];
      agentIds.add(String(header));
      call.on('data', (bytes: Buffer) => {
        const batch = decodeEventBatch(bytes);
        let lastSeq = 0;
        for (const event of batch.events) {
          lastSeq = Number(event.seq);
          seqs.add(lastSeq);
          events++;
        }
        call.write({
          agentId: batch.agentId,
          batchId: batch.batchId,
          status: inosec.v1.PushAck.Status.STATUS_STORED,
          ackedSeq: lastSeq,
        });
        onEvents?.();
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    seqs,
    agentIds,
    events: () => events,
    /** Resolves once `count` distinct seqs arrived; rejects after `timeoutMs`. */
    waitForSeqs(count: number, timeoutMs: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${seqs.size} of ${count} seqs after ${timeoutMs} ms`)),
          timeoutMs,
        );
        onEvents = () => {
          if (seqs.size < count) return;
          clearTimeout(timer);
          resolve();
        };
        onEvents();
      });
    },
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'inosec-bin-'));
  const built = await mtime(x64Binary);
  if (built === undefined || built < (await newestSource())) {
    // Throws (and fails every test below) when the x64 binary cannot be built.
    await promisify(execFile)(process.execPath, [path.join(edgeDir, 'scripts/build-binary.mjs')], {
      maxBuffer: 16 * 1024 * 1024,
    });
  }
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('inosec-agent single executable (linux-x64)', () => {
  it('prints the package version with only PATH in its environment', async () => {
    const { exited } = start(x64Binary, ['--version'], PATH_ONLY);
    const result = await exited;
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('reports "not running" with exit code 3 for a state directory without status', async () => {
    const stateDir = await mkdtemp(path.join(tmp, 'state-'));
    const config = path.join(tmp, 'status.env');
    await writeFile(config, `INOSEC_TRANSPORT=grpc://127.0.0.1:1\nINOSEC_AGENT_STATE_DIR=${stateDir}\n`);
    const { exited } = start(x64Binary, ['status', '--config', config], PATH_ONLY);
    const result = await exited;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`No agent status at ${path.join(stateDir, 'status.json')}`);
  });

  it('ships 5,000 synthetic events to a gRPC collector and exits 0 on SIGTERM', async () => {
    const collector = await startCollector();
    const stateDir = await mkdtemp(path.join(tmp, 'state-'));
    const config = path.join(tmp, 'run.env');
    await writeFile(config, `INOSEC_AGENT_STATE_DIR=${stateDir}\nLOG_LEVEL=warn\n`);
    const { child, exited } = start(x64Binary, ['run', '--config', config, '--synthetic', '5000'], {
      ...PATH_ONLY,
      INOSEC_TRANSPORT: `grpc://127.0.0.1:${collector.port}`,
      INOSEC_AGENT_ID: 'bin-test',
    });
    try {
      await Promise.race([
        collector.waitForSeqs(5_000, 20_000),
        exited.then((result) => {
          throw new Error(`the agent exited early (${result.code}): ${result.stdout}${result.stderr}`);
        }),
      ]);
      child.kill('SIGTERM');
      const result = await exited;
      expect(result.code, result.stdout + result.stderr).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await collector.stop();
    }
    const expected = Array.from({ length: 5_000 }, (_, i) => i + 1);
    expect([...collector.seqs].sort((a, b) => a - b)).toEqual(expected);
    expect(collector.events()).toBeGreaterThanOrEqual(5_000);
    expect([...collector.agentIds]).toEqual(['bin-test']);

    // The stopped agent left a status the binary's own `status` reads back.
    const status = start(x64Binary, ['status', '--json', '--config', config], {
      ...PATH_ONLY,
      INOSEC_TRANSPORT: `grpc://127.0.0.1:${collector.port}`,
    });
    const shown = await status.exited;
    expect(shown.code).toBe(3);
    expect(JSON.parse(shown.stdout)).toMatchObject({ agentId: 'bin-test', version, running: false });
  }, 40_000);
});

describe('inosec-agent single executable (linux-arm64)', () => {
  it('prints the package version under qemu-aarch64-static', async (ctx) => {
    const qemu = spawnSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' });
    const missing =
      (await mtime(arm64Binary)) === undefined
        ? `${path.relative(edgeDir, arm64Binary)} was not built`
        : qemu.status !== 0
          ? 'qemu-aarch64-static is not installed (apt-get install qemu-user-static)'
          : undefined;
    if (missing) {
      if (process.env.CI) throw new Error(`the arm64 binary must be checked in CI: ${missing}`);
      ctx.skip(`arm64 binary not checked: ${missing}`);
    }
    const { exited } = start('qemu-aarch64-static', ['-L', '/', arm64Binary, '--version'], PATH_ONLY);
    const result = await exited;
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});
