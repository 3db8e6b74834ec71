import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inosec, type IFileEvent, type ISensorPolicy } from '@inosec/protos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sensorHarness } from '../../../test/support/sensor-harness.js';
import type { EventDraft } from '../sensor.js';
import { BASELINE_FILE } from './baseline-store.js';
import { createFimSensor, type FimSensor } from './fim-sensor.js';

const A = inosec.v1.FileEvent.Action;

/** The FIM sensor keeps its baseline in the state directory: each test gives its own. */
const harness = (stateDir: string, policy: ISensorPolicy) => sensorHarness(policy, stateDir);

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function fileEvents(events: readonly EventDraft[]): IFileEvent[] {
  return events.flatMap((e) => (e.file ? [e.file] : []));
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 4000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting for the expected event');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function findEvent(
  events: readonly EventDraft[],
  action: inosec.v1.FileEvent.Action,
  p: string,
): IFileEvent | undefined {
  return fileEvents(events).find((f) => f.action === action && f.path === p);
}

describe('FimSensor', () => {
  let tmp: string;
  let tree: string;
  let stateDir: string;
  const sensors: FimSensor[] = [];

  beforeEach(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'inosec-fim-'));
    tree = path.join(tmp, 'tree');
    stateDir = path.join(tmp, 'state');
    await fsp.mkdir(path.join(tree, 'sub', 'deep'), { recursive: true });
    await fsp.mkdir(stateDir);
    await fsp.writeFile(path.join(tree, 'a.txt'), 'alpha\n');
    await fsp.writeFile(path.join(tree, 'sub', 'b.txt'), 'bravo\n', { mode: 0o644 });
    await fsp.writeFile(path.join(tree, 'sub', 'deep', 'c.txt'), 'charlie\n');
  });

  afterEach(async () => {
    for (const s of sensors.splice(0)) await s.stop();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  async function startSensor(options: Record<string, string> = {}, extra: Partial<ISensorPolicy> = {}) {
    const h = harness(stateDir, {
      paths: [tree],
      intervalSeconds: 3600,
      options: { debounce_ms: '40', persist_interval_seconds: '0', ...options },
      ...extra,
    });
    const sensor = createFimSensor();
    sensors.push(sensor);
    await sensor.start(h.ctx);
    await sensor.whenReady();
    return { sensor, ...h };
  }

  it('records a first baseline without FileEvents, with one summary LogEvent, and persists it', async () => {
    const { events, counters, sensor } = await startSensor();
    expect(fileEvents(events)).toHaveLength(0);
    const logs = events.filter((e) => e.log);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.log?.fields?.['fim.scan']).toBe('baseline');
    // tree, sub, deep + 3 files
    expect(logs[0]?.log?.fields?.['fim.files']).toBe('3');
    expect(logs[0]?.log?.fields?.['fim.directories']).toBe('3');
    expect(counters.get('fim.files_hashed')).toBe(3);
    expect(sensor.health().state).toBe('running');
    const stat = await fsp.stat(path.join(stateDir, BASELINE_FILE));
    expect(stat.size).toBeGreaterThan(0);
  });

  it('reports creations, modifications, attribute changes, deletions and renames in real time', async () => {
    const { events } = await startSensor();
    const newFile = path.join(tree, 'new.txt');
    await fsp.writeFile(newFile, 'fresh content');
    const created = await waitFor(() => findEvent(events, A.ACTION_CREATED, newFile));
    expect(created.type).toBe('file');
    expect(created.hash?.sha256).toBe(sha256('fresh content'));
    expect(created.size).toBe(13);
    const st = await fsp.stat(newFile);
    expect(created.inode).toBe(String(st.ino));
    expect(created.owner?.id).toBe(String(st.uid));

    const a = path.join(tree, 'a.txt');
    await fsp.appendFile(a, 'more\n');
    const modified = await waitFor(() => findEvent(events, A.ACTION_MODIFIED, a));
    expect(modified.hash?.sha256).toBe(sha256('alpha\nmore\n'));
    expect(modified.previousHash?.sha256).toBe(sha256('alpha\n'));
    expect(modified.changedAttributes).toEqual(expect.arrayContaining(['size', 'hash']));

    const b = path.join(tree, 'sub', 'b.txt');
    await fsp.chmod(b, 0o600);
    const chmodded = await waitFor(() => findEvent(events, A.ACTION_ATTRIBUTES_CHANGED, b));
    expect(chmodded.mode).toBe('0600');
    expect(chmodded.changedAttributes).toEqual(['mode']);
    expect(chmodded.hash?.sha256).toBe(sha256('bravo\n'));

    if (process.getuid?.() === 0) {
      await fsp.chown(b, 1, 1);
      const chowned = await waitFor(() =>
        fileEvents(events).find((f) => f.path === b && f.changedAttributes?.includes('uid')),
      );
      expect(chowned.action).toBe(A.ACTION_ATTRIBUTES_CHANGED);
      expect(chowned.changedAttributes).toEqual(['uid', 'gid']);
      expect(chowned.owner?.id).toBe('1');
    }

    const c = path.join(tree, 'sub', 'deep', 'c.txt');
    await fsp.rm(c);
    const deleted = await waitFor(() => findEvent(events, A.ACTION_DELETED, c));
    expect(deleted.hash).toBeFalsy();
    expect(deleted.previousHash?.sha256).toBe(sha256('charlie\n'));

    const renamedTo = path.join(tree, 'sub', 'b-renamed.txt');
    await fsp.rename(b, renamedTo);
    const renamed = await waitFor(() => findEvent(events, A.ACTION_RENAMED, renamedTo));
    expect(renamed.previousPath).toBe(b);
    expect(findEvent(events, A.ACTION_DELETED, b)).toBeUndefined();

    // A directory created with content: the new directory is scanned and watched.
    const dir = path.join(tree, 'newdir');
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, 'inner.txt'), 'inner');
    await waitFor(() => findEvent(events, A.ACTION_CREATED, path.join(dir, 'inner.txt')));
    expect(findEvent(events, A.ACTION_CREATED, dir)?.type).toBe('dir');
    await fsp.writeFile(path.join(dir, 'later.txt'), 'later');
    const later = await waitFor(() => findEvent(events, A.ACTION_CREATED, path.join(dir, 'later.txt')));
    expect(later.hash?.sha256).toBe(sha256('later'));
    await fsp.rm(dir, { recursive: true });
    await waitFor(() => findEvent(events, A.ACTION_DELETED, dir));
    await waitFor(() => findEvent(events, A.ACTION_DELETED, path.join(dir, 'later.txt')));
    expect(findEvent(events, A.ACTION_DELETED, path.join(dir, 'inner.txt'))?.previousHash?.sha256).toBe(
      sha256('inner'),
    );

    // Symlinks are recorded, never followed.
    const link = path.join(tree, 'link-to-etc');
    await fsp.symlink('/etc', link);
    const linkEvent = await waitFor(() => findEvent(events, A.ACTION_CREATED, link));
    expect(linkEvent.type).toBe('symlink');
    await new Promise((r) => setTimeout(r, 150));
    expect(fileEvents(events).some((f) => f.path?.startsWith(`${link}/`))).toBe(false);
  });

  it('reports at the next start what changed while it was stopped', async () => {
    await fsp.writeFile(path.join(tree, 'untouched.txt'), 'stays');
    const first = await startSensor();
    await first.sensor.stop();

    await fsp.writeFile(path.join(tree, 'a.txt'), 'alpha changed\n');
    await fsp.rm(path.join(tree, 'sub', 'deep', 'c.txt'));
    await fsp.writeFile(path.join(tree, 'sub', 'added.txt'), 'added while stopped');
    await fsp.chmod(path.join(tree, 'sub', 'b.txt'), 0o640);

    const second = await startSensor();
    const files = fileEvents(second.events);
    expect(files).toHaveLength(4);
    const a = findEvent(second.events, A.ACTION_MODIFIED, path.join(tree, 'a.txt'));
    expect(a?.hash?.sha256).toBe(sha256('alpha changed\n'));
    expect(a?.previousHash?.sha256).toBe(sha256('alpha\n'));
    expect(findEvent(second.events, A.ACTION_DELETED, path.join(tree, 'sub', 'deep', 'c.txt'))).toBeDefined();
    const added = findEvent(second.events, A.ACTION_CREATED, path.join(tree, 'sub', 'added.txt'));
    expect(added?.hash?.sha256).toBe(sha256('added while stopped'));
    const b = findEvent(second.events, A.ACTION_ATTRIBUTES_CHANGED, path.join(tree, 'sub', 'b.txt'));
    expect(b?.mode).toBe('0640');
    const summary = second.events.find((e) => e.log)?.log?.fields;
    expect(summary?.['fim.scan']).toBe('restart_compare');
    // Unchanged files kept their stored hash instead of being read again.
    expect(Number(summary?.['fim.hash_reused'])).toBe(1);
  });

  it('caps its watches at max_watches, degrades, and catches the unwatched part on rescan', async () => {
    for (const d of ['d1', 'd2', 'd3', 'd4']) await fsp.mkdir(path.join(tree, d));
    const { sensor, events, counters } = await startSensor({ max_watches: '2' });
    // Watched: tree, d1. Unwatched: d2, d3, d4, sub, sub/deep.
    expect(counters.get('fim.watch_limit_reached')).toBe(1);
    expect(counters.get('fim.unwatched_dirs')).toBe(5);
    const health = sensor.health();
    expect(health.state).toBe('degraded');
    expect(health.message).toContain('max_watches=2');
    expect(health.message).toContain('5 directories');

    const missed = path.join(tree, 'd4', 'sneaky.txt');
    await fsp.writeFile(missed, 'not seen in real time');
    await new Promise((r) => setTimeout(r, 300));
    expect(findEvent(events, A.ACTION_CREATED, missed)).toBeUndefined();

    await sensor.rescanNow();
    const found = findEvent(events, A.ACTION_CREATED, missed);
    expect(found?.hash?.sha256).toBe(sha256('not seen in real time'));
    expect(events.filter((e) => e.log?.fields?.['fim.scan'] === 'rescan')).toHaveLength(1);
    // The watched part still works in real time.
    const seen = path.join(tree, 'd1', 'seen.txt');
    await fsp.writeFile(seen, 'x');
    await waitFor(() => findEvent(events, A.ACTION_CREATED, seen));
  });

  it('honours exclusions, the size limit and the depth bound', async () => {
    await fsp.writeFile(path.join(tree, 'big.bin'), Buffer.alloc(4096, 1));
    await fsp.mkdir(path.join(tree, 'ignored'));
    const { events, counters } = await startSensor(
      { max_file_bytes: '1024', max_depth: '2' },
      { excludePaths: ['*.swp', `${tree}/ignored`] },
    );
    expect(counters.get('fim.hash_skipped_large')).toBe(1);
    const summary = events.find((e) => e.log)?.log?.fields;
    // depth 2: tree (0); a.txt, big.bin, sub (1); b.txt, deep (2); c.txt at depth 3 and ignored/ are out.
    expect(summary?.['fim.files']).toBe('3');
    expect(summary?.['fim.directories']).toBe('3');

    await fsp.writeFile(path.join(tree, 'x.swp'), 'swap');
    await fsp.writeFile(path.join(tree, 'ignored', 'y.txt'), 'ignored');
    await fsp.writeFile(path.join(tree, 'big.bin'), Buffer.alloc(4097, 2));
    const big = await waitFor(() => findEvent(events, A.ACTION_MODIFIED, path.join(tree, 'big.bin')));
    expect(big.hash).toBeFalsy();
    expect(big.size).toBe(4097);
    await new Promise((r) => setTimeout(r, 150));
    const paths = fileEvents(events).map((f) => f.path);
    expect(paths).not.toContain(path.join(tree, 'x.swp'));
    expect(paths).not.toContain(path.join(tree, 'ignored', 'y.txt'));
  });

  it('reports a moved directory as renames of it and its content, and keeps watching it', async () => {
    const { events } = await startSensor();
    const from = path.join(tree, 'sub');
    const to = path.join(tree, 'moved');
    await fsp.rename(from, to);
    await waitFor(() => findEvent(events, A.ACTION_RENAMED, path.join(to, 'deep', 'c.txt')));
    const renames = fileEvents(events).filter((f) => f.action === A.ACTION_RENAMED);
    expect(renames.map((f) => [f.previousPath, f.path]).sort()).toEqual(
      [
        [from, to],
        [path.join(from, 'b.txt'), path.join(to, 'b.txt')],
        [path.join(from, 'deep'), path.join(to, 'deep')],
        [path.join(from, 'deep', 'c.txt'), path.join(to, 'deep', 'c.txt')],
      ].sort(),
    );
    expect(fileEvents(events).filter((f) => f.action !== A.ACTION_RENAMED)).toEqual([]);
    const inside = path.join(to, 'deep', 'new.txt');
    await fsp.writeFile(inside, 'n');
    const created = await waitFor(() => findEvent(events, A.ACTION_CREATED, inside));
    expect(created.hash?.sha256).toBe(sha256('n'));
  });

  it('notices a missing root when it appears', async () => {
    const ssh = path.join(tmp, 'ssh');
    const h = harness(stateDir, {
      paths: [ssh],
      intervalSeconds: 3600,
      options: { debounce_ms: '40' },
    });
    const sensor = createFimSensor();
    sensors.push(sensor);
    await sensor.start(h.ctx);
    await sensor.whenReady();
    await fsp.mkdir(ssh);
    await fsp.writeFile(path.join(ssh, 'authorized_keys'), 'ssh-ed25519 AAAA test');
    await waitFor(() => findEvent(h.events, A.ACTION_CREATED, path.join(ssh, 'authorized_keys')));
  });
});
