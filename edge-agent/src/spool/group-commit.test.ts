import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A sync that takes a macrotask and records which generations were written when it started. */
function slowSync(): { sync: () => Promise<void>; starts: number[]; wrote: { value: () => number } } {
  const starts: number[] = [];
  const wrote = { value: () => 0 };
  return {
    starts,
    wrote,
    sync: async () => {
      starts.push(wrote.value());
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
  };
}

describe('GroupCommit', () => {
  it('serves many concurrent waiters with at most two syncs', async () => {
    const probe = slowSync();
    let written = 0;
    probe.wrote.value = () => written;
    const commit = new GroupCommit(probe.sync);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      written = commit.wrote();
      waits.push(commit.waitFor(written));
    }
    await Promise.all(waits);
    expect(probe.starts).toEqual([1, 20]); // the first sync starts at once; the 19 others share the next
    expect(commit.dirty).toBe(false);
  });

  it('runs one more sync for writes that arrive while a sync is running, never resolving them early', async () => {
    const probe = slowSync();
    let written = 0;
    probe.wrote.value = () => written;
    const commit = new GroupCommit(probe.sync);
    written = commit.wrote();
    const first = commit.waitFor(written);
    const resolved: number[] = [];
    void first.then(() => resolved.push(1));
    written = commit.wrote(); // during the first sync
    const second = commit.waitFor(written).then(() => resolved.push(2));
    await first;
    expect(resolved).toEqual([1]);
    await second;
    expect(probe.starts).toEqual([1, 2]);
    expect(await commit.flush()).toBeUndefined();
    expect(probe.starts).toHaveLength(2); // nothing dirty: no sync
  });

  it('rejects the waiters of a failed sync and recovers on the next one', async () => {
    let fail = true;
    const commit = new GroupCommit(async () => {
      if (fail) throw new Error('EIO');
    });
    await expect(commit.waitFor(commit.wrote())).rejects.toThrow('EIO');
    expect(commit.dirty).toBe(true);
    fail = false;
    await expect(commit.flush()).resolves.toBeUndefined();
    expect(commit.dirty).toBe(false);
  });
});
