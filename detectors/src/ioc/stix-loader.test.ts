import { describe, expect, it } from 'vitest';
import { IocSet } from './ioc-set.js';
import { IocFeedError } from './ioc-types.js';
import { loadStix } from './stix-loader.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const SHA256 = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';

function indicator(
  id: string,
  pattern: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${id}`,
    created: '2025-01-01T00:00:00.000Z',
    modified: '2025-01-01T00:00:00.000Z',
    valid_from: '2025-01-01T00:00:00Z',
    pattern_type: 'stix',
    pattern,
    ...extra,
  };
}

const bundle = {
  type: 'bundle',
  id: 'bundle--1',
  objects: [
    { type: 'identity', id: 'identity--1', name: 'ACME CERT' },
    indicator('ip', "[ipv4-addr:value = '198.51.100.1']", {
      name: 'C2',
      confidence: 85,
      valid_until: '2027-01-01T00:00:00Z',
    }),
    indicator('v6', "[ipv6-addr:value = '2001:0db8:0000::0001']"),
    indicator(
      'net',
      "[ipv4-addr:value ISSUBSET '203.0.113.0/24'] OR [ipv6-addr:value ISSUBSET '2001:db8:beef::/48']",
    ),
    indicator('dom', "[domain-name:value = 'Evil.COM']", { description: 'phishing' }),
    indicator('url', "[url:value = 'https://login.bad.example/x']"),
    indicator(
      'hash',
      `[file:hashes.'SHA-256' = '${SHA256}' OR file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']`,
    ),
    indicator('partial', "[domain-name:value = 'mixed.example' OR process:name = 'evil.exe']"),
    indicator('and', "[file:hashes.MD5 = '0cc175b9c0f1b6a831c399e269772661' AND file:name = 'a.exe']"),
    indicator('like', "[domain-name:value LIKE '%.evil.net']"),
    indicator('within', "[ipv4-addr:value = '192.0.2.1'] WITHIN 60 SECONDS"),
    indicator('sigma', 'title: x', { pattern_type: 'sigma' }),
    indicator('ssdeep', "[file:hashes.SSDEEP = '3:a:b']"),
    indicator('revoked', "[ipv4-addr:value = '192.0.2.66']", { revoked: true }),
    indicator('expired', "[ipv4-addr:value = '192.0.2.77']", { valid_until: '2025-12-31T23:59:59Z' }),
    indicator('syntax', "[ipv4-addr:value = '192.0.2.88'"),
    indicator('badvalue', "[ipv4-addr:value = '192.0.2.300']"),
    indicator('badhash', "[file:hashes.'SHA-256' = 'd41d8cd98f00b204e9800998ecf8427e']"),
    indicator('nopattern', '', { pattern: 42 }),
    'not an object',
  ],
};

describe('loadStix', () => {
  const set = new IocSet('stix-feed');
  const report = loadStix(set, JSON.stringify(bundle), { now: NOW });

  it('loads the supported indicators with id, name or description, confidence and valid_until', () => {
    expect(report.loaded).toEqual({ ip: 2, cidr: 2, domain: 3, hash: 2 });
    expect(set.match('ip', '198.51.100.1')).toMatchObject({
      set: 'stix-feed',
      id: 'indicator--ip',
      description: 'C2',
      confidence: 85,
      validUntil: Date.parse('2027-01-01T00:00:00Z'),
    });
    expect(set.match('ip', '2001:db8::1')?.id).toBe('indicator--v6');
    expect(set.match('ip', '203.0.113.254')?.indicator).toBe('203.0.113.0/24');
    expect(set.match('ip', '2001:db8:beef:1::1')?.indicator).toBe('2001:db8:beef::/48');
    expect(set.match('domain', 'x.evil.com')).toMatchObject({
      id: 'indicator--dom',
      description: 'phishing',
    });
    expect(set.match('domain', 'login.bad.example')?.id).toBe('indicator--url');
    expect(set.match('hash', SHA256.toLowerCase())?.id).toBe('indicator--hash');
    expect(set.match('hash', 'D41D8CD98F00B204E9800998ECF8427E')?.id).toBe('indicator--hash');
  });

  it('loads the supported terms of an OR and reports the others', () => {
    expect(set.match('domain', 'mixed.example')?.id).toBe('indicator--partial');
    expect(report.issues).toContainEqual({
      severity: 'unsupported',
      objectId: 'indicator--partial',
      value: "process:name = 'evil.exe'",
      reason: 'object path process:name is not supported',
    });
  });

  it('counts revoked and expired indicators and does not load them', () => {
    expect(report.revoked).toBe(1);
    expect(report.expired).toBe(1);
    expect(set.match('ip', '192.0.2.66')).toBeUndefined();
    expect(set.match('ip', '192.0.2.77')).toBeUndefined();
  });

  it('reports each unsupported and invalid object by id with the reason', () => {
    const byId = Object.fromEntries(
      report.issues.map((issue) => [issue.objectId, `${issue.severity}: ${issue.reason}`]),
    );
    expect(byId).toMatchObject({
      'indicator--and': expect.stringMatching(/^unsupported: AND/),
      'indicator--like': 'unsupported: operator LIKE is not supported',
      'indicator--within': "unsupported: qualifier 'WITHIN 60 SECONDS' is not supported",
      'indicator--sigma': "unsupported: pattern_type 'sigma' is not supported",
      'indicator--ssdeep': 'unsupported: hash algorithm SSDEEP is not supported',
      'indicator--syntax': expect.stringMatching(/^invalid: pattern syntax: expected '\]'/),
      'indicator--badvalue': expect.stringMatching(/^invalid: .*not an IP address/),
      'indicator--badhash': expect.stringMatching(/^invalid: sha256 must have 64 hex digits/),
      'indicator--nopattern': 'invalid: pattern missing',
      'objects[19]': 'invalid: not a JSON object',
    });
    expect(report.unsupported).toBe(6);
    expect(report.invalid).toBe(5);
    expect(set.match('ip', '192.0.2.1')).toBeUndefined();
    expect(set.match('hash', '0cc175b9c0f1b6a831c399e269772661')).toBeUndefined();
  });

  it('accepts an array of objects or a single indicator, and refuses what is not STIX', () => {
    const other = new IocSet('x');
    expect(loadStix(other, [indicator('a', "[ipv4-addr:value = '1.1.1.1']")]).loaded.ip).toBe(1);
    expect(loadStix(other, indicator('b', "[ipv4-addr:value = '2.2.2.2']")).loaded.ip).toBe(1);
    expect(() => loadStix(other, '{not json')).toThrow(IocFeedError);
    expect(() => loadStix(other, { type: 'bundle', objects: 3 })).toThrow(/not an array/);
    expect(() => loadStix(other, { type: 'malware' })).toThrow(IocFeedError);
  });
});
