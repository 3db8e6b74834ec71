import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIocFile } from './ioc-file.js';
import { IocFeedError } from './ioc-types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadIocFile', () => {
  it('reads a list feed, naming the set after the file', async () => {
    const file = path.join(dir, 'blocklist.txt');
    await writeFile(file, '1.2.3.4\nevil.com\n');
    const { set, report } = await loadIocFile(file);
    expect(set.name).toBe('blocklist');
    expect(report.loaded).toMatchObject({ ip: 1, domain: 1 });
  });

  it('reads STIX when the content is JSON, under the given name', async () => {
    const file = path.join(dir, 'feed.json');
    const bundle = {
      type: 'bundle',
      objects: [
        {
          type: 'indicator',
          id: 'indicator--1',
          pattern_type: 'stix',
          pattern: "[domain-name:value = 'x.org']",
        },
      ],
    };
    await writeFile(file, `  ${JSON.stringify(bundle)}`);
    const { set } = await loadIocFile(file, { name: 'cti' });
    expect(set.match('domain', 'a.x.org')).toMatchObject({ set: 'cti', id: 'indicator--1' });
  });

  it('names the file when it cannot be read or is not a feed', async () => {
    await expect(loadIocFile(path.join(dir, 'missing.csv'))).rejects.toThrow(IocFeedError);
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"type": "bundle", "objects": {}}');
    await expect(loadIocFile(file)).rejects.toThrow(/broken\.json: STIX bundle: objects is not an array/);
  });
});
