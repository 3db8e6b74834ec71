import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcFixture } from '../procfs/index.js';
import { ExecutableHasher } from './executable-hasher.js';

describe('ExecutableHasher', () => {
  let fixture: ProcFixture;
  let dir: string;
  beforeEach(async () => {
    fixture = await ProcFixture.create();
    dir = await mkdtemp(join(tmpdir(), 'inosec-hash-'));
  });
  afterEach(async () => {
    await fixture.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes through /proc/<pid>/exe and reads each file identity once', async () => {
    const file = join(dir, 'prog');
    const content = Buffer.alloc(700_000, 7); // several 256 KiB chunks
    await writeFile(file, content);
    for (const pid of [10, 11, 12])
      await fixture.addProcess({ pid, comm: 'p', ppid: 1, startTimeTicks: 1, exe: file });
    const hasher = new ExecutableHasher({ procRoot: fixture.root });
    const results = await Promise.all([hasher.hash(10), hasher.hash(11), hasher.hash(12)]);
    const expected = createHash('sha256').update(content).digest('hex');
    expect(results).toEqual([{ sha256: expected }, { sha256: expected }, { sha256: expected }]);
    expect(hasher.filesHashed).toBe(1);
    // a new version of the file is a new identity
    await writeFile(file, 'v2');
    expect(await hasher.hash(10)).toEqual({ sha256: createHash('sha256').update('v2').digest('hex') });
    expect(hasher.filesHashed).toBe(2);
  });

  it('skips files above the size cap and reports gone processes', async () => {
    const file = join(dir, 'big');
    await writeFile(file, Buffer.alloc(2048));
    await fixture.addProcess({ pid: 20, comm: 'p', ppid: 1, startTimeTicks: 1, exe: file });
    const hasher = new ExecutableHasher({ procRoot: fixture.root, maxBytes: 1024 });
    expect(await hasher.hash(20)).toEqual({ reason: 'too_large' });
    expect(await hasher.hash(21)).toEqual({ reason: 'gone' });
    expect(hasher.filesHashed).toBe(0);
  });

  it('hashes the real executable of this process', async () => {
    const hasher = new ExecutableHasher({ maxBytes: 512 * 1024 * 1024 });
    const expected = createHash('sha256')
      .update(readFileSync(realpathSync('/proc/self/exe')))
      .digest('hex');
    expect(await hasher.hash(process.pid)).toEqual({ sha256: expected });
  });

  it('evicts the least recently used entry past the cache size', async () => {
    const hasher = new ExecutableHasher({ procRoot: fixture.root, cacheEntries: 2 });
    for (const [pid, name] of [
      [30, 'a'],
      [31, 'b'],
      [32, 'c'],
    ] as const) {
      await writeFile(join(dir, name), name);
      await fixture.addProcess({ pid, comm: name, ppid: 1, startTimeTicks: 1, exe: join(dir, name) });
      await hasher.hash(pid);
    }
    expect(hasher.cacheSize).toBe(2);
    await hasher.hash(30); // evicted: read again
    expect(hasher.filesHashed).toBe(4);
  });
});
