// The standalone collector (`collector/dist/main.js run`) as a separate process, so a test can kill -9 it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, until } from './agent-process.js';

export const COLLECTOR_MAIN = path.join(REPO_ROOT, 'collector/dist/main.js');

export class CollectorProcess {
  private child: ChildProcess | undefined;
  private output = '';

  constructor(
    private readonly env: Record<string, string>,
    readonly grpcPort: number,
    readonly httpPort: number,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (!existsSync(COLLECTOR_MAIN)) throw new Error(`${COLLECTOR_MAIN} is missing: run npm run build`);
    // INOSEC_COLLECTOR_NODE_ARGS: extra node flags for the collector process (`--cpu-prof` to profile a run).
    const nodeArgs = process.env['INOSEC_COLLECTOR_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, COLLECTOR_MAIN, 'run'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        ...this.env,
        INOSEC_GRPC_PORT: String(this.grpcPort),
        INOSEC_COLLECTOR_HTTP_PORT: String(this.httpPort),
      },
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          if (child.exitCode !== null) resolve(false);
          const socket = net.connect(this.grpcPort, '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
        }),
      20_000,
      `collector listening on ${this.grpcPort}`,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${this.output}`);
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text();
  }
}
