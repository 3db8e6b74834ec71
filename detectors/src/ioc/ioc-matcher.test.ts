import { describe, expect, it } from 'vitest';
import { IocMatcher } from './ioc-matcher.js';
import { IocSet } from './ioc-set.js';
import type { FieldKinds } from './ioc-types.js';

function feed(name: string, ...values: string[]): IocSet {
  const set = new IocSet(name);
  for (const value of values) set.add(value);
  return set;
}

const FIELDS: FieldKinds = {
  'source.ip': 'ip',
  'destination.ip': 'ip',
  'dns.question.name': 'domain',
  'url.full': 'url',
  'file.hash.sha256': 'hash',
  'dns.answers.data': 'ip',
};

const SHA = 'a'.repeat(64);

describe('IocMatcher', () => {
  const matcher = new IocMatcher([
    feed('abuse', '203.0.113.5', 'evil.com'),
    feed('internal', '203.0.113.0/24', SHA),
  ]);

  it('returns the first set with a match, or every set with matchAll', () => {
    expect(matcher.match('ip', '203.0.113.5')).toMatchObject({ set: 'abuse', kind: 'ip' });
    expect(matcher.match('ip', '203.0.113.6')).toMatchObject({ set: 'internal', kind: 'cidr' });
    expect(matcher.matchAll('ip', '203.0.113.5').map((m) => m.set)).toEqual(['abuse', 'internal']);
    expect(matcher.match('ip', '203.0.114.5')).toBeUndefined();
    expect(matcher.matchAll('ip', 'nonsense')).toEqual([]);
  });

  it('finds every hit in a flat event, naming the field', () => {
    const hits = matcher.matchEvent(
      {
        'source.ip': '10.0.0.1',
        'destination.ip': '203.0.113.5',
        'dns.question.name': 'c2.EVIL.com.',
        'file.hash.sha256': SHA.toUpperCase(),
      },
      FIELDS,
    );
    expect(hits.map((h) => `${h.field}:${h.set}:${h.indicator}`)).toEqual([
      'destination.ip:abuse:203.0.113.5',
      'destination.ip:internal:203.0.113.0/24',
      'dns.question.name:abuse:evil.com',
      `file.hash.sha256:internal:${SHA}`,
    ]);
    expect(hits[2]?.value).toBe('c2.EVIL.com.');
  });

  it('reads nested objects and arrays', () => {
    const hits = matcher.matchEvent(
      {
        url: { full: 'https://evil.com/a' },
        dns: { answers: [{ data: '198.51.100.1' }, { data: '203.0.113.200' }] },
      },
      FIELDS,
    );
    expect(hits.map((h) => `${h.field}:${h.indicator}`)).toEqual([
      'url.full:evil.com',
      'dns.answers.data:203.0.113.0/24',
    ]);
  });

  it('returns the same empty array when nothing matches, and ignores non-strings', () => {
    const first = matcher.matchEvent({ 'source.ip': '10.0.0.1', 'destination.ip': 42 }, FIELDS);
    const second = matcher.matchEvent({}, FIELDS);
    expect(first).toHaveLength(0);
    expect(first).toBe(second);
  });
});
