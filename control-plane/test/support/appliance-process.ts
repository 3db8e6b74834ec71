import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/appliance/main.js', import.meta.url));

export interface ApplianceProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the URL once the appliance prints that it is running; rejects if it exits first. */
  ready: Promise<string>;
  exited: Promise<number | null>;
}

/** Runs the built appliance (`control-plane/dist/appliance/main.js`) as `npm start` does. */
export function runAppliance(env: Record<string, string>): ApplianceProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd: path.dirname(MAIN),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const match = /InoSec appliance is running: (http:\/\/\S+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`appliance exited with ${code} before ready:\n${text}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => text, ready, exited };
}

/** Parsed JSON log lines of an appliance's output. */
export function logLines(output: string): { msg?: string; level?: string; [key: string]: unknown }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string });
}
