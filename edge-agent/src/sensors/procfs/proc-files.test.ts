import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProcFile, readProcTable } from './proc-files.js';
import { ProcfsReadError } from './procfs-errors.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inosec-procfiles-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Local ports (decimal) of the lines of a /proc/net table. */
function ports(table: string): Set<number> {
  const found = new Set<number>();
  for (const line of table.split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    if (local) found.add(parseInt(local.split(':')[1] ?? '', 16));
  }
  return found;
}

describe('readProcFile and readProcTable', () => {
  it('read files longer than their buffer whole, and give null for a missing file', async () => {
    const file = join(dir, 'long');
    const text = Array.from({ length: 3_000 }, (_, i) => `line ${i} ${'x'.repeat(60)}`).join('\n');
    await writeFile(file, text);
    expect(readProcFile(file)).toBe(text);
    expect(readProcTable(file)).toBe(text);
    expect(readProcFile(join(dir, 'missing'))).toBeNull();
    expect(readProcTable(join(dir, 'missing'))).toBeNull();
    expect(() => readProcFile(dir)).toThrow(ProcfsReadError); // EISDIR
  });

  it('read /proc/self/stat as readFileSync does', () => {
    const text = readProcFile('/proc/self/stat');
    expect(text?.split(' ')[0]).toBe(String(process.pid));
    expect(text?.split(' ').length).toBe(readFileSync('/proc/self/stat', 'utf8').split(' ').length);
  });

  it('read a /proc/net/tcp that spans several kernel pages to its end', async () => {
    // 100 listeners: about 15 KB of lines, so the table comes in several reads.
    const servers: Server[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const server = createServer();
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        servers.push(server);
      }
      const table = readProcTable('/proc/net/tcp') ?? '';
      expect(table.length).toBeGreaterThan(3 * 4_096);
      const seen = ports(table);
      for (const server of servers) {
        const address = server.address();
        expect(typeof address === 'object' && address !== null && seen.has(address.port)).toBe(true);
      }
      expect(table.endsWith('\n')).toBe(true);
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});
