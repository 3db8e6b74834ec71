import { appendFile, chmod, mkdtemp, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asUnprivileged } from '../../../test/support/as-unprivileged.js';
import { FileTailer, type FileTailerOptions, type TailStatus } from './file-tailer.js';
import { tailStateFileName } from './tail-state.js';

let dir: string;
let file: string;
let stateFile: string;
const tailers: FileTailer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-logtail-'));
  file = path.join(dir, 'auth.log');
  stateFile = path.join(dir, tailStateFileName(file));
});

afterEach(async () => {
  await Promise.all(tailers.splice(0).map((t) => t.stop()));
  await rm(dir, { recursive: true, force: true });
});

interface Harness {
  readonly tailer: FileTailer;
  readonly lines: string[];
  readonly counts: Map<string, number>;
  readonly statuses: TailStatus['state'][];
}

function tail(options: Partial<FileTailerOptions> = {}): Harness {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  const statuses: TailStatus['state'][] = [];
  const tailer = new FileTailer({
    path: file,
    stateFile,
    pollIntervalMs: 60_000,
    watch: false,
    onLines: async (batch) => {
      lines.push(...batch);
    },
    onStatus: (s) => statuses.push(s.state),
    counters: { inc: (name, by = 1) => counts.set(name, (counts.get(name) ?? 0) + by) },
    ...options,
  });
  tailers.push(tailer);
  return { tailer, lines, counts, statuses };
}

async function stopped(h: Harness): Promise<void> {
  await h.tailer.stop();
  tailers.splice(tailers.indexOf(h.tailer), 1);
}

describe('FileTailer', () => {
  it('starts at the end of an existing file when there is no stored position', async () => {
    await writeFile(file, 'old 1\nold 2\n');
    const h = tail();
    await h.tailer.start();
    await appendFile(file, 'new 1\n');
    await h.tailer.pollNow();
    expect(h.lines).toEqual(['new 1']);
    expect(h.statuses).toContain('following');
  });

  it('reads from the start with fromStart, strips CR and drops empty lines', async () => {
    await writeFile(file, 'a\r\n\nb\n');
    const h = tail({ fromStart: true });
    await h.tailer.start();
    expect(h.lines).toEqual(['a', 'b']);
  });

  it('holds a partial last line until its newline arrives', async () => {
    await writeFile(file, '');
    const h = tail();
    await h.tailer.start();
    await appendFile(file, 'first half');
    await h.tailer.pollNow();
    expect(h.lines).toEqual([]);
    await appendFile(file, ' second half\nnext\n');
    await h.tailer.pollNow();
    expect(h.lines).toEqual(['first half second half', 'next']);
  });

  it('cuts a line over the bound, counts it and skips its rest, also across reads', async () => {
    await writeFile(file, '');
    const h = tail({ maxLineBytes: 16, readChunkBytes: 8 });
    await h.tailer.start();
    await appendFile(file, `${'x'.repeat(40)}\nok\n${'y'.repeat(20)}`);
    await h.tailer.pollNow();
    await appendFile(file, 'yyyy\nafter\n');
    await h.tailer.pollNow();
    expect(h.lines).toEqual(['x'.repeat(16), 'ok', 'y'.repeat(16), 'after']);
    expect(h.counts.get('logtail_lines_truncated')).toBe(2);
  });

  it('resumes exactly where it stopped after a restart: nothing lost, nothing twice', async () => {
    await writeFile(file, '');
    const first = tail();
    await first.tailer.start();
    await appendFile(file, 'one\ntwo\npart');
    await first.tailer.pollNow();
    await stopped(first);
    expect(first.lines).toEqual(['one', 'two']);
    const stored = JSON.parse(await readFile(stateFile, 'utf8')) as { offset: number };
    expect(stored.offset).toBe('one\ntwo\n'.length);

    await appendFile(file, 'ial\nthree\n');
    const second = tail();
    await second.tailer.start();
    expect(second.lines).toEqual(['partial', 'three']);
  });

  it('does not advance the offset when handing on fails, and delivers the lines again', async () => {
    await writeFile(file, '');
    let fail = true;
    const delivered: string[] = [];
    const h = tail({
      onLines: async (batch) => {
        if (fail) {
          fail = false;
          throw new Error('spool full');
        }
        delivered.push(...batch);
      },
    });
    await h.tailer.start();
    await appendFile(file, 'a\nb\n');
    await h.tailer.pollNow();
    expect(delivered).toEqual([]);
    expect(h.counts.get('logtail_errors')).toBe(1);
    await h.tailer.pollNow();
    expect(delivered).toEqual(['a', 'b']);
  });

  it('finishes the old inode on rename rotation, then reads the new file from its start', async () => {
    await writeFile(file, '');
    const h = tail();
    await h.tailer.start();
    await appendFile(file, 'before\n');
    await h.tailer.pollNow();
    await rename(file, `${file}.1`);
    await appendFile(`${file}.1`, 'late write to the old file\nno newline at the end');
    await writeFile(file, 'in the new file\n');
    await h.tailer.pollNow();
    expect(h.lines).toEqual([
      'before',
      'late write to the old file',
      'no newline at the end',
      'in the new file',
    ]);
    expect(h.counts.get('logtail_rotations')).toBe(1);
    expect(h.counts.get('logtail_partial_lines_at_rotation')).toBe(1);
  });

  it('restarts at 0 after copytruncate', async () => {
    await writeFile(file, '');
    const h = tail();
    await h.tailer.start();
    await appendFile(file, 'a long line before the truncation\n');
    await h.tailer.pollNow();
    await truncate(file, 0);
    await appendFile(file, 'short\n');
    await h.tailer.pollNow();
    expect(h.lines).toEqual(['a long line before the truncation', 'short']);
    expect(h.counts.get('logtail_truncations')).toBe(1);
  });

  it('waits for a file that does not exist yet and reads it from its start', async () => {
    const h = tail();
    await h.tailer.start();
    expect(h.tailer.status.state).toBe('missing');
    await writeFile(file, 'created later\n');
    await h.tailer.pollNow();
    expect(h.lines).toEqual(['created later']);
    expect(h.tailer.status.state).toBe('following');
  });

  it('finishes a file rotated while the agent was stopped', async () => {
    await writeFile(file, '');
    const first = tail();
    await first.tailer.start();
    await appendFile(file, 'seen\n');
    await first.tailer.pollNow();
    await stopped(first);

    await appendFile(file, 'written while stopped\n');
    await rename(file, `${file}.1`);
    await writeFile(file, 'new file\n');
    const second = tail();
    await second.tailer.start();
    expect(second.lines).toEqual(['written while stopped', 'new file']);
  });

  it('reports an unreadable file instead of failing', async () => {
    await writeFile(file, 'secret\n', { mode: 0o000 });
    await chmod(path.dirname(file), 0o755);
    const h = tail();
    // As root every file is readable: the start runs as nobody then.
    await asUnprivileged(() => h.tailer.start());
    expect(h.tailer.status).toEqual({ state: 'unreadable', message: `${file}: permission denied` });
  });

  it('is woken by fs.watch long before the poll interval', async () => {
    await writeFile(file, '');
    const h = tail({ watch: true, pollIntervalMs: 60_000 });
    await h.tailer.start();
    await appendFile(file, 'woken\n');
    const deadline = Date.now() + 5_000;
    while (h.lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(h.lines).toEqual(['woken']);
  });
});
