import { describe, expect, it } from 'vitest';
import { applyEnvUpdates } from './env-file.js';

describe('applyEnvUpdates', () => {
  const text =
    '# agent\nLOG_LEVEL=debug\nINOSEC_TRANSPORT=nats://old:4222\n\nINOSEC_ENROLL_TOKEN=abc\nexport INOSEC_TRANSPORT=dup\n';

  it('replaces, appends and removes variables and keeps everything else', () => {
    const out = applyEnvUpdates(text, {
      INOSEC_TRANSPORT: 'grpcs://c:50051',
      INOSEC_CONTROL_URL: 'grpcs://cp:443',
      INOSEC_ENROLL_TOKEN: undefined,
      INOSEC_AGENT_ID: undefined,
    });
    expect(out).toBe(
      '# agent\nLOG_LEVEL=debug\nINOSEC_TRANSPORT=grpcs://c:50051\nINOSEC_CONTROL_URL=grpcs://cp:443\n',
    );
  });

  it('starts a new file and refuses values that cannot be written unquoted', () => {
    expect(applyEnvUpdates('', { A: '1' })).toBe('A=1\n');
    expect(() => applyEnvUpdates('', { A: 'two words' })).toThrow(/unquoted/);
    expect(() => applyEnvUpdates('', { A: 'x#y' })).toThrow(/unquoted/);
    expect(() => applyEnvUpdates('', { A: 'line\nB=2' })).toThrow(/unquoted/);
  });
});
