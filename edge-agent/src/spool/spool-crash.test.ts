// kill -9 test: a child process appends with fsync 'always' and prints every resolved append; it is
// SIGKILLed mid-stream, and the spool reopened here must hold every reported seq exactly once, in order.
//
// The child runs the real Spool. Node 20 cannot run TypeScript, and tsx is not installed, so the spool's
// sources are bundled with esbuild (a root devDependency, also used by the single-binary build) into one
// ESM file in a temp dir: no dependency on a prior `tsc -b`, on dist/ being fresh, or on a loader hook.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spool } from './index.js';

const work = await mkdtemp(path.join(os.tmpdir(), 'inosec-spool-kill-'));
const childScript = path.join(work, 'child.mjs');

const CHILD = `
import { Spool } from './spool.mjs';
const spool = await Spool.open({ dir: process.argv[2], maxBytes: 64 << 20, segmentBytes: 64 << 10, fsync: 'always' });
const payload = (seq) => Buffer.from(('seq=' + seq + ';').padEnd(40 + (seq % 200), 'x'));
let round = 0;
async function writer() {
  for (;;) {
    const count = 1 + (round++ % 9);
    const { firstSeq, lastSeq } = await spool.append(Array.from({ length: count }, (_, i) => i), (_, seq) => payload(seq));
    process.stdout.write(firstSeq + ' ' + lastSeq + '\\n');
  }
}
await Promise.all([writer(), writer(), writer(), writer()]);
`;

beforeAll(async () => {
  await build({
    entryPoints: [path.join(import.meta.dirname, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['inosec-source'],
    outfile: path.join(work, 'spool.mjs'),
    logLevel: 'error',
    // CommonJS dependencies bundled into ESM call require() for node builtins.
    banner: {
      js: "import { createRequire as inosecCreateRequire } from 'node:module'; const require = inosecCreateRequire(import.meta.url);",
    },
  });
  await writeFile(childScript, CHILD);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs the child on `dir` until it has reported `records` durable records, then SIGKILLs it. */
function runAndKill(dir: string, records: number): Promise<Array<[number, number]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const reported: Array<[number, number]> = [];
    let pending = '';
    let stderr = '';
    let durable = 0;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? ''; // a line cut by the kill is not a report
      for (const line of lines) {
        const [first, last] = line.split(' ').map(Number) as [number, number];
        reported.push([first, last]);
        durable += last - first + 1;
      }
      if (durable >= records && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(reported);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

describe('spool under kill -9', () => {
  it('keeps every append reported durable, exactly once and in order, across three kills', async () => {
    const dir = path.join(work, 'spool');
    let floor = 0;
    for (let round = 1; round <= 3; round++) {
      const reported = await runAndKill(dir, 1500);
      expect(reported.length).toBeGreaterThan(0);
      const spool = await Spool.open({ dir, maxBytes: 64 << 20, segmentBytes: 64 << 10, fsync: 'never' });
      const seqs: number[] = [];
      for (let after = 0; ;) {
        const batch = await spool.read(after, 5000, 8 << 20);
        if (batch.length === 0) break;
        for (const record of batch) {
          expect(record.payload.toString().startsWith(`seq=${record.seq};`)).toBe(true);
          seqs.push(record.seq);
        }
        after = seqs[seqs.length - 1] as number;
      }
      // Contiguous from 1: nothing lost, nothing duplicated, in order (no drops happen in this test).
      expect(seqs[0]).toBe(1);
      expect(seqs.every((seq, index) => seq === index + 1)).toBe(true);
      const present = new Set(seqs);
      for (const [first, last] of reported)
        for (let seq = first; seq <= last; seq++) expect(present.has(seq)).toBe(true);
      const maxReported = Math.max(...reported.map(([, last]) => last));
      const lastSeq = seqs[seqs.length - 1] as number;
      expect(lastSeq).toBeGreaterThanOrEqual(maxReported);
      expect(lastSeq).toBeGreaterThan(floor);
      expect(spool.stats()).toMatchObject({ lastSeq, droppedRecords: 0 });
      floor = lastSeq;
      await spool.close();
    }
  });
});
