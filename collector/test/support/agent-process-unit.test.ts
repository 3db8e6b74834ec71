import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitEnvironment } from './agent-process-unit.js';

describe('unitEnvironment', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-unit-env-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function unit(text: string): Promise<string> {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.service`);
    await writeFile(file, text);
    return file;
  }

  it("reads the installed agent unit's process environment", () => {
    expect(unitEnvironment()).toEqual({
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
      MALLOC_TRIM_THRESHOLD_: '131072',
      NODE_OPTIONS: '--v8-pool-size=1',
    });
  });

  it('reads Environment= of [Service] only, as systemd does: quoting, several per line, later wins, reset', async () => {
    const file = await unit(
      [
        '[Unit]',
        'Environment=IGNORED=1',
        '[Service]',
        '# Environment=COMMENTED=1',
        'Environment=DROPPED=1',
        'Environment=',
        'Environment=A=1 "B=two words" \'C=it"s\'',
        'Environment=A=3 D=100%% \\',
        '  E=continued',
        'EnvironmentFile=-/etc/inosec-agent/agent.env',
        '[Install]',
        'Environment=ALSO_IGNORED=1',
      ].join('\n'),
    );
    expect(unitEnvironment(file)).toEqual({ A: '3', B: 'two words', C: 'it"s', D: '100%', E: 'continued' });
  });

  it('fails when the unit is missing', () => {
    expect(() => unitEnvironment(path.join(dir, 'missing.service'))).toThrow(/ENOENT/);
  });

  it.each([
    ['Environment=HOME_DIR=%h', /specifiers are not supported/],
    ['Environment="A=1', /unterminated "/],
    ['Environment=JUSTAWORD', /"JUSTAWORD" is not NAME=VALUE/],
  ])('refuses %s rather than guess', async (line, error) => {
    const file = await unit(`[Service]\n${line}\n`);
    expect(() => unitEnvironment(file)).toThrow(error);
  });
});
