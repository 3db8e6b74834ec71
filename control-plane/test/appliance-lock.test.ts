// The data directory lock under racing starts, with real processes whose argv looks like the supervisor's.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPid } from './support/processes.js';

const LOCK_MODULE = pathToFileURL(
  path.resolve(import.meta.dirname, '../dist/appliance/appliance-lock.js'),
).href;
let dir: string;
let entry: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-lock-'));
  // A stand-in supervisor: takes the lock, says whether it got it, holds it until told to go.
  entry = path.join(dir, 'bin', 'appliance', 'main.js');
  await mkdir(path.dirname(entry), { recursive: true });
  await writeFile(
    entry,
    `import { ApplianceLock } from ${JSON.stringify(LOCK_MODULE)};
     process.stdout.write('ready\\n');
     // All contenders start acquiring at the same moment, when the test says go.
     await new Promise((resolve) => process.stdin.once('data', resolve));
     try {
       const lock = await ApplianceLock.acquire(process.argv[2]);
       process.stdout.write('acquired\\n');
       process.stdin.once('data', async () => { await lock.stop(); process.exit(0); });
     } catch (error) {
       process.stdout.write(error.code === 'appliance_locked' ? 'locked\\n' : 'error ' + error.message + '\\n');
       process.exit(0);
     }`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Contender {
  ready: Promise<void>;
  go: () => void;
  answer: Promise<string>;
  release: () => Promise<void>;
}

function contender(dataDir: string): Contender {
  const child = spawn(process.execPath, [entry, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A contender that lost exits at once; writing to it then is not an error of the test.
  child.stdin.on('error', () => undefined);
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve) => {
      const line = lines.shift();
      if (line !== undefined) resolve(line);
      else waiters.push(resolve);
    });
  const ready = nextLine().then(() => undefined);
  return {
    ready,
    go: () => child.stdin.write('go\n'),
    answer: ready.then(nextLine),
    release: async () => {
      child.stdin.end('release\n');
      await exited;
    },
  };
}

describe('ApplianceLock', () => {
  it('lets exactly one of three racing starts win, on a fresh and on a stale lock, round after round', async () => {
    for (let round = 0; round < 12; round += 1) {
      const dataDir = path.join(dir, `round-${round}`);
      await mkdir(dataDir);
      if (round % 2 === 1) await writeFile(path.join(dataDir, 'appliance.pid'), `${await deadPid()}\n`);
      const racers = [contender(dataDir), contender(dataDir), contender(dataDir)];
      await Promise.all(racers.map((r) => r.ready));
      for (const racer of racers) racer.go();
      const answers = await Promise.all(racers.map((r) => r.answer));
      expect(answers.sort(), `round ${round}`).toEqual(['acquired', 'locked', 'locked']);
      await Promise.all(racers.map((r) => r.release()));
      // Released cleanly: no lock and no temporary files left behind.
      expect(await readdir(dataDir)).toEqual([]);
    }
  }, 120_000);
});
