// IOC matching at feed scale: builds sets of 1,000,000 random IPv4 addresses, 1,000,000 domains and
// 1,000,000 SHA-256 digests, prints each set's load time and memory, then measures lookups per second for
// hits and misses. Run: npx vitest bench --run --project detectors detectors/src/ioc/ioc.bench.ts
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { bench, describe } from 'vitest';
import { loadCsv } from './csv-loader.js';
import { IocSet } from './ioc-set.js';
import type { LoadReport, LookupKind } from './ioc-types.js';

const SIZE = Number(process.env['INOSEC_IOC_BENCH_SIZE'] ?? 1_000_000);
const PROBES = 100_000;
const BATCH = 1_000;

// A full collection before each memory reading: `--expose-gc` set at run time, `gc` taken from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function collect(): void {
  for (let i = 0; i < 2; i++) gc();
}

function memory(): number {
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function print(line: string): void {
  process.stdout.write(`BENCH ioc ${line}\n`);
}

// A seeded xorshift generator: reproducible sets, and no per-value Buffer whose backing store would be
// freed only after the memory reading.
let seed = 0x2545f491;
function random32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

function hex(words: number): string {
  let out = '';
  for (let i = 0; i < words; i++) out += random32().toString(16).padStart(8, '0');
  return out;
}

function randomIPv4(): string {
  const n = random32();
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function randomDomain(i: number): string {
  return `${hex(1)}${i}.${['com', 'net', 'org', 'ru', 'xyz'][i % 5] as string}`;
}

function randomSha256(): string {
  return hex(8);
}

interface Fixture {
  readonly set: IocSet;
  readonly hits: readonly string[];
  readonly misses: readonly string[];
}

interface Loaded {
  readonly set: IocSet;
  readonly report: LoadReport;
  readonly seconds: number;
}

/** Loads `SIZE` generated indicators written as a list feed; the feed text dies with this frame. */
function load(name: string, make: (i: number) => string): Loaded {
  const text = Array.from({ length: SIZE }, (_, i) => make(i)).join('\n');
  const started = performance.now();
  const set = new IocSet(name);
  const report = loadCsv(set, text);
  return { set, report, seconds: (performance.now() - started) / 1000 };
}

/** Builds one set, printing load time, memory and lookups per second for hits and misses. */
function build(
  name: string,
  kind: LookupKind,
  make: (i: number) => string,
  miss: (i: number) => string,
  hit: (value: string) => string = (value) => value,
): Fixture {
  const first = seed;
  const before = memory();
  const { set, report, seconds } = load(name, make);
  const bytes = memory() - before;
  // Hits replay the generator from where the set began: the first PROBES values are in the set.
  const next = seed;
  seed = first;
  const hits = Array.from({ length: PROBES }, (_, i) => hit(make(i)));
  seed = next;
  const misses = Array.from({ length: PROBES }, (_, i) => miss(i));
  const loaded = report.loaded.ip + report.loaded.domain + report.loaded.hash;
  print(
    `${name}: loaded ${loaded} (${report.duplicates} duplicates) in ${seconds.toFixed(2)} s, ` +
      `${(loaded / seconds / 1e6).toFixed(2)} M/s; memory ${(bytes / 2 ** 20).toFixed(1)} MiB ` +
      `(${(bytes / loaded).toFixed(0)} B/indicator)`,
  );
  for (const [label, probes] of [
    ['hits', hits],
    ['misses', misses],
  ] as const) {
    let found = 0;
    const start = performance.now();
    for (let round = 0; round < 5; round++) for (const value of probes) if (set.match(kind, value)) found++;
    const perSecond = (5 * probes.length) / ((performance.now() - start) / 1000);
    print(`${name}: ${label} ${(perSecond / 1e6).toFixed(2)} M lookups/s (${found} found)`);
  }
  return { set, hits, misses };
}

function lookups(fixture: Fixture, kind: LookupKind, which: 'hits' | 'misses'): () => void {
  const probes = fixture[which];
  let offset = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) fixture.set.match(kind, probes[(offset + i) % probes.length] as string);
    offset = (offset + BATCH) % probes.length;
  };
}

// IPv4 misses are fresh random addresses (one in ~4,300 is in the set); domain hits are subdomains of listed
// domains (one label more to walk), domain misses have three labels; SHA-256 misses are upper case.
const ipv4 = build('ipv4', 'ip', randomIPv4, () => randomIPv4());
const domains = build(
  'domains',
  'domain',
  randomDomain,
  (i) => `www.${hex(1)}x${i}.com`,
  (value) => `cdn.${value}`,
);
const hashes = build('sha256', 'hash', randomSha256, () => randomSha256().toUpperCase());

describe(`IOC lookups (${BATCH} per op, ${SIZE} indicators per set)`, () => {
  bench('ipv4 hits', lookups(ipv4, 'ip', 'hits'));
  bench('ipv4 misses', lookups(ipv4, 'ip', 'misses'));
  bench('subdomain of listed domain', lookups(domains, 'domain', 'hits'));
  bench('domain misses (3 labels)', lookups(domains, 'domain', 'misses'));
  bench('sha256 hits', lookups(hashes, 'hash', 'hits'));
  bench('sha256 misses', lookups(hashes, 'hash', 'misses'));
});
