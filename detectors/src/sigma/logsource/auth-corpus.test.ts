// Real auth.log / syslog lines (Wazuh ruleset tests), parsed by the agent's own auth-log parser, reach the
// Sigma auth views: unparsed lines with their original text, parsed records with verbatim parsed values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// Test only (the brief allows it): the agent's parser builds the events exactly as the authlog sensor does.
// eslint-disable-next-line inosec/workspace-boundaries -- a test may import the agent's parser
import { parseAuthLine } from '../../../../edge-agent/src/sensors/auth/auth-line-parser.js';
import { corpusPresent, corpusRoot } from './logsource-test-helpers.js';
import { toSigmaEvents } from './sigma-events.js';

const file = path.join(corpusRoot, 'linux-telemetry/wazuh-ruleset-tests/expected_matches.jsonl');
const present = corpusPresent(file);

interface WazuhCase {
  decoder: string;
  logs: string[];
}

function cases(): WazuhCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as WazuhCase)
    .filter((c) => c.decoder !== 'auditd');
}

describe.skipIf(!present)('Wazuh auth.log lines through the Sigma auth views', () => {
  const lines = present ? cases().flatMap((c) => c.logs.map((log) => ({ decoder: c.decoder, log }))) : [];
  const options = { nowUs: 1_700_000_000_000_000, source: '/var/log/auth.log' };

  it('every line reaches linux/auth and linux/*; unparsed lines keep their exact original text', () => {
    expect(lines.length).toBe(91);
    let logLines = 0;
    let authRecords = 0;
    for (const { log } of lines) {
      const draft = parseAuthLine(log, options);
      const views = toSigmaEvents(draft);
      const keys = views.map((v) => v.logsourceKey);
      expect(keys, log).toContain('linux/auth');
      expect(keys, log).toContain('linux/*');
      const auth = views.find((v) => v.logsourceKey === 'linux/auth')?.event ?? {};
      if (draft.log) {
        logLines++;
        expect(auth['original'], log).toBe(log);
      } else {
        authRecords++;
        expect(auth['original'], log).toBeUndefined(); // AuthEvent carries no original line (contract gap)
      }
    }
    // eslint-disable-next-line no-console -- the corpus test reports what it saw
    console.info(`[auth corpus] ${lines.length} lines: ${logLines} log lines, ${authRecords} auth records`);
    expect(logLines).toBeGreaterThan(0);
    expect(authRecords).toBeGreaterThan(0);
  });

  it("parsed records' searchable values are verbatim parts of their line (so keywords find only real text)", () => {
    const notVerbatim: string[] = [];
    for (const { log } of lines) {
      const draft = parseAuthLine(log, options);
      if (!draft.auth) continue;
      const view = toSigmaEvents(draft)[0]?.event ?? {};
      for (const [field, value] of Object.entries(view)) {
        if (value === undefined || field === 'event.outcome') continue;
        if (typeof value !== 'string' && typeof value !== 'number')
          throw new Error(`${field} is not a scalar`);
        if (!log.includes(String(value))) notVerbatim.push(`${field}=${String(value)} | ${log}`);
      }
    }
    // The parser normalises two values to its own phrases, which keyword searches therefore also see:
    // event.reason ('invalid user' for "Invalid user"/"nonexistent user", 'authentication failure') and
    // auth.method (dropbear's password attempts). Every other value is verbatim text of the line.
    const normalised = notVerbatim.filter((entry) => /^(event\.reason|auth\.method)=/.test(entry));
    const unexpected = notVerbatim.filter((entry) => !normalised.includes(entry));
    expect(normalised.length).toBeGreaterThan(0);
    expect(unexpected).toEqual([]);
  });

  it('sshd lines reach linux/sshd and sudo lines linux/sudo (near miss: su lines reach neither)', () => {
    const byDecoder = (decoder: string) => lines.filter((l) => l.decoder === decoder);
    const keysOf = (log: string) => toSigmaEvents(parseAuthLine(log, options)).map((v) => v.logsourceKey);
    expect(byDecoder('sshd').length).toBe(40);
    for (const { log } of byDecoder('sshd')) expect(keysOf(log), log).toContain('linux/sshd');
    for (const { log } of byDecoder('sudo')) expect(keysOf(log), log).toContain('linux/sudo');
    for (const { log } of byDecoder('su')) {
      expect(keysOf(log), log).not.toContain('linux/sudo');
      expect(keysOf(log), log).not.toContain('linux/sshd');
    }
  });
});
