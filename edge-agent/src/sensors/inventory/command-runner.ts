import { execFile } from 'node:child_process';
import { InosecError } from '@inosec/protos';

/** Runs a program (no shell) and resolves with its stdout. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string>;

/** A helper program (systemctl, rpm) failed, timed out or is missing. */
export class InventoryCommandError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('inventory_command_failed', message, options);
  }
}

/**
 * The default runner: execFile with a timeout, a bounded output buffer and the C locale, so the output format does
 * not depend on the host's language settings.
 */
export function execRunner(timeoutMs = 15_000, maxBuffer = 32 * 1024 * 1024): CommandRunner {
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(
        file,
        [...args],
        {
          timeout: timeoutMs,
          maxBuffer,
          encoding: 'utf8',
          env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' },
        },
        (err, stdout, stderr) => {
          if (err) {
            const detail = stderr.trim().split('\n')[0] ?? '';
            reject(
              new InventoryCommandError(`${file} ${args.join(' ')} failed: ${detail || err.message}`, {
                cause: err,
              }),
            );
          } else {
            resolve(stdout);
          }
        },
      );
    });
}
