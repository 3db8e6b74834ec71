// The process environment the installed agent runs with: the Environment= lines of its systemd unit
// (installers/linux/inosec-agent.service), so that benchmarks start the agent as systemd would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './agent-process.js';

/** The agent's systemd unit in this repository. */
export const AGENT_UNIT = path.join(REPO_ROOT, 'installers/linux/inosec-agent.service');

/** Splits an Environment= value into its assignments: words separated by spaces, '…' and "…" quoting, \ taking the next character as is. */
function words(value: string, where: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && i + 1 < value.length) {
      word = (word ?? '') + value[++i];
    } else if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`${where}: unterminated ${quote}`);
  if (word !== undefined) out.push(word);
  return out;
}

/**
 * The variables the Environment= lines of a unit's [Service] section set, as systemd reads them: lines
 * accumulate, a later assignment of a variable wins, an empty `Environment=` clears the list, `\` at a line's
 * end continues it. `%%` is a literal %; any other specifier (%h, %S, …) throws, since its value depends on
 * the host: the caller would measure something other than what is installed.
 */
export function unitEnvironment(file: string = AGENT_UNIT): Record<string, string> {
  const lines = readFileSync(file, 'utf8').replace(/\\\n/g, ' ').split('\n');
  const env: Record<string, string> = {};
  let section = '';
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const where = `${file}:${index + 1}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      return;
    }
    const assignment = /^Environment\s*=\s*(.*)$/.exec(line);
    if (section !== 'Service' || !assignment) return;
    const value = assignment[1] as string;
    if (value === '') {
      for (const key of Object.keys(env)) delete env[key];
      return;
    }
    if (/%[^%]/.test(value.replace(/%%/g, ''))) throw new Error(`${where}: specifiers are not supported`);
    for (const word of words(value.replace(/%%/g, '%'), where)) {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new Error(`${where}: "${word}" is not NAME=VALUE`);
      env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  });
  return env;
}
