// The real edge agent as a separate process (the built `edge-agent/dist/cli/main.js`, or the single binary
// when INOSEC_AGENT_BINARY names one), producing synthetic events through its spool and transport.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENT_MAIN = path.join(REPO_ROOT, 'edge-agent/dist/cli/main.js');

export interface AgentProcessOptions {
  env: Record<string, string>;
  /** Synthetic events per run and their rate (0: as fast as possible); unset: the real sensors. */
  synthetic?: number;
  rate?: number;
  binary?: string;
  /**
   * Variables of the agent process's own environment besides PATH, read at exec by glibc and Node
   * (MALLOC_ARENA_MAX, NODE_OPTIONS, ...): e.g. the installed unit's, from unitEnvironment().
   */
  processEnv?: Record<string, string>;
}

export interface AgentStatusFile {
  running: boolean;
  spool: { lastSeq: number; ackedSeq: number; queueDepth: number; droppedRecords: number; tornTails: number };
  transport: { lastAckedSeq: number; connected: boolean; reconnects: number; batchesRejected: number };
  sensors: Array<{ name: string; counters: Record<string, number> }>;
  process: { rssBytes: number; cpuPercent: number };
}

export class AgentProcess {
  readonly stateDir: string;
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    private readonly options: AgentProcessOptions,
  ) {
    this.stateDir = path.join(dir, 'state');
  }

  static async create(options: AgentProcessOptions): Promise<AgentProcess> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-agent-'));
    const agent = new AgentProcess(dir, options);
    const lines = Object.entries({
      INOSEC_AGENT_STATE_DIR: agent.stateDir,
      LOG_LEVEL: 'info',
      ...options.env,
    })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    await writeFile(path.join(dir, 'agent.env'), `${lines}\n`);
    return agent;
  }

  get logs(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const binary = this.options.binary ?? process.env['INOSEC_AGENT_BINARY'];
    const args = ['run', '--config', path.join(this.dir, 'agent.env')];
    if (this.options.synthetic !== undefined) args.push('--synthetic', String(this.options.synthetic));
    if (this.options.rate) args.push('--rate', String(this.options.rate));
    if (!binary && !existsSync(AGENT_MAIN)) throw new Error(`${AGENT_MAIN} is missing: run npm run build`);
    const env = { ...this.options.processEnv, PATH: process.env['PATH'] ?? '' };
    const child = binary
      ? spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
      : // INOSEC_AGENT_NODE_ARGS: extra node flags for the agent process (`--cpu-prof` to profile a run).
        spawn(
          process.execPath,
          [...(process.env['INOSEC_AGENT_NODE_ARGS']?.split(' ').filter(Boolean) ?? []), AGENT_MAIN, ...args],
          { stdio: ['ignore', 'pipe', 'pipe'], env },
        );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
  }

  async status(): Promise<AgentStatusFile | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.stateDir, 'status.json'), 'utf8')) as AgentStatusFile;
    } catch {
      return undefined;
    }
  }

  /** Stops the agent: SIGTERM waits for its clean stop, SIGKILL does not let it do anything. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` holds. */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
