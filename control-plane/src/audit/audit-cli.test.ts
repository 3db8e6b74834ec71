import { describe, expect, it } from 'vitest';
import { main, parseArgs } from './audit-cli.js';

describe('inosec-audit arguments', () => {
  it('parses the targets and defaults to every chain', () => {
    expect(parseArgs(['verify'])).toEqual({ target: { kind: 'all' }, json: false });
    expect(parseArgs(['verify', '--platform', '--json'])).toEqual({
      target: { kind: 'platform' },
      json: true,
    });
    expect(parseArgs(['verify', '--tenant', '0F8FAD5B-D9CB-469F-A165-70867728950E'])).toEqual({
      target: { kind: 'tenant', tenantId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      json: false,
    });
  });

  it('refuses a missing command, unknown options, a bad tenant id and two targets', () => {
    expect(parseArgs([])).toEqual({ error: 'no command' });
    expect(parseArgs(['check'])).toEqual({ error: 'unknown command check' });
    expect(parseArgs(['verify', '--tenant'])).toHaveProperty('error');
    expect(parseArgs(['verify', '--tenant', 'acme'])).toHaveProperty('error');
    expect(parseArgs(['verify', '--all', '--platform'])).toHaveProperty('error');
    expect(parseArgs(['verify', '--force'])).toHaveProperty('error');
  });

  it('exits 2 on usage errors and without DATABASE_URL, printing the usage', async () => {
    const err: string[] = [];
    expect(
      await main(
        ['nope'],
        {},
        () => undefined,
        (l) => err.push(l),
      ),
    ).toBe(2);
    expect(err.join('\n')).toContain('usage: inosec-audit verify');
    expect(
      await main(
        ['verify'],
        {},
        () => undefined,
        (l) => err.push(l),
      ),
    ).toBe(2);
    expect(err.at(-1)).toContain('DATABASE_URL');
  });

  it('exits 2 when the database cannot be reached, without printing the URL password', async () => {
    const err: string[] = [];
    const code = await main(
      ['verify'],
      { DATABASE_URL: 'postgres://auditor:s3cret-pw@127.0.0.1:1/inosec' },
      () => undefined,
      (l) => err.push(l),
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('verification failed');
    expect(err.join('\n')).not.toContain('s3cret-pw');
  });
});
