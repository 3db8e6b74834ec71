import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../control/atomic-file.js';

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/**
 * The text of an environment file with `updates` applied: a variable set to a string replaces its existing
 * assignment (the first; later duplicates are dropped) or is appended; one set to undefined is removed.
 * Comments, blank lines and every other variable stay as they were. Values are written unquoted, so they must be
 * single-line and free of spaces, quotes and `#` (URLs and paths the agent writes are).
 */
export function applyEnvUpdates(text: string, updates: Readonly<Record<string, string | undefined>>): string {
  for (const [name, value] of Object.entries(updates)) {
    if (value !== undefined && !/^[^\s"'`#\\]*$/.test(value)) {
      throw new TypeError(`${name}: the value cannot be written unquoted in an environment file`);
    }
  }
  const done = new Set<string>();
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const name = LINE.exec(line)?.[1];
    if (name === undefined || !(name in updates)) {
      lines.push(line);
      continue;
    }
    const value = updates[name];
    if (value !== undefined && !done.has(name)) lines.push(`${name}=${value}`);
    done.add(name);
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  for (const [name, value] of Object.entries(updates)) {
    if (value !== undefined && !done.has(name)) lines.push(`${name}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Applies `updates` to the environment file `file` atomically, keeping its mode (0600 for a new file: it may
 * hold secrets).
 */
export async function updateEnvFile(
  file: string,
  updates: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  let text = '';
  let mode = 0o600;
  try {
    text = await readFile(file, 'utf8');
    mode = (await stat(file)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFileAtomic(file, applyEnvUpdates(text, updates), mode);
}
