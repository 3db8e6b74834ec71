// A real nats-server (Debian package) in operator mode on a loopback port, configured by the control plane's
// renderNatsServerConfig, JetStream in a temporary store; reload() re-reads the configuration (SIGHUP).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { NatsAuthority } from '../../src/nats-auth/nats-authority.js';
import {
  writeNatsServerConfig,
  type NatsServerConfigOptions,
} from '../../src/nats-auth/nats-server-config.js';
import { freePort } from './processes.js';

export interface OperatorNatsServer {
  url: string;
  dir: string;
  configFile: string;
  /** Rewrites the configuration (e.g. with new revocations) and makes the running server reload it. */
  reconfigure(options?: Partial<NatsServerConfigOptions>): Promise<void>;
  /** The server's log so far (stderr), for diagnostics and reload confirmation. */
  log(): string;
  destroy(): Promise<void>;
}

async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** Starts nats-server with the configuration writeNatsServerConfig renders for `authority`. */
export async function startOperatorNatsServer(
  authority: NatsAuthority,
  overrides: Partial<NatsServerConfigOptions> = {},
): Promise<OperatorNatsServer> {
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-nats-auth-'));
  const port = await freePort();
  const configFile = path.join(dir, 'nats-server.conf');
  let options: NatsServerConfigOptions = {
    host: '127.0.0.1',
    port,
    jetstream: { storeDir: path.join(dir, 'store') },
    resolver: { type: 'memory' },
    ...overrides,
  };
  await writeNatsServerConfig(configFile, authority, options);
  const child: ChildProcess = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${binary}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${stderr}`)));
  });
  failed.catch(() => undefined);
  await Promise.race([waitFor(() => listening(port), `nats-server did not listen on ${port}`), failed]);
  return {
    url: `nats://127.0.0.1:${port}`,
    dir,
    configFile,
    log: () => stderr,
    async reconfigure(changes = {}) {
      options = { ...options, ...changes };
      await writeNatsServerConfig(configFile, authority, options);
      const before = (stderr.match(/Reloaded server configuration/g) ?? []).length;
      child.kill('SIGHUP');
      await waitFor(
        () => (stderr.match(/Reloaded server configuration/g) ?? []).length > before,
        `nats-server did not reload: ${stderr.slice(-2_000)}`,
      );
    },
    async destroy() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
