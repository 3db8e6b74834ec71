import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InosecError } from '@inosec/protos';

/** `ss` failed, timed out or printed more than the agent accepts. */
export class SsCommandError extends InosecError {
  constructor(ssPath: string, options?: ErrorOptions) {
    super('ss_failed', `${ssPath} -tinHOe failed`, options);
  }
}

/** Byte counters of one TCP socket as `ss -i` reports them (tcp_info). */
export interface SocketBytes {
  /**
   * Bytes sent and acknowledged by the peer (tcpi_bytes_acked). On the side that opened the connection it
   * includes the SYN, counted as one byte; on the accepting side it does not.
   */
  acked: number;
  /** Bytes received (tcpi_bytes_received). */
  received: number;
}

/** Finds an executable on PATH without spawning anything; undefined when absent. */
export function findOnPath(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Parses `ss -tinHOe` output (one socket per line thanks to -O): inode from `ino:N`, counters from
 * `bytes_acked:N` and `bytes_received:N`. Lines without an inode are skipped; missing counters are 0 (kernels
 * before 4.1 lack them).
 */
export function parseSsOutput(text: string): Map<number, SocketBytes> {
  const result = new Map<number, SocketBytes>();
  for (const line of text.split('\n')) {
    const ino = / ino:(\d+)/.exec(line);
    if (!ino?.[1]) continue;
    const inode = Number(ino[1]);
    if (inode === 0) continue;
    const acked = /\bbytes_acked:(\d+)/.exec(line)?.[1];
    const received = /\bbytes_received:(\d+)/.exec(line)?.[1];
    result.set(inode, { acked: Number(acked ?? 0), received: Number(received ?? 0) });
  }
  return result;
}

/**
 * Runs `ss -tinHOe state established` once and returns per-inode byte counters. This spawns a process, which
 * is why the network sensor only does it when `options.byte_counters=true` and only when it tracks connections.
 */
export function readSsByteCounters(ssPath: string, timeoutMs = 2_000): Promise<Map<number, SocketBytes>> {
  return new Promise((resolve, reject) => {
    execFile(
      ssPath,
      ['-tinHOe', 'state', 'established'],
      { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => {
        if (error) reject(new SsCommandError(ssPath, { cause: error }));
        else resolve(parseSsOutput(stdout));
      },
    );
  });
}
