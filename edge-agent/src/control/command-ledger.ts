import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ICommandResult } from '@inosec/protos';
import { writeFileAtomic } from './atomic-file.js';

/** Ids of commands already run and results not yet reported, kept across restarts (a RESTART command's result). */
export const CONTROL_STATE_FILE = 'control-state.json';

const MAX_REMEMBERED = 512;

interface LedgerFile {
  seen: string[];
  pending: ICommandResult[];
}

/**
 * The commands an agent has run: each id runs at most once (agent_control.proto) and its result is reported
 * once, in the next heartbeat that succeeds. Saved in the state directory so a command that restarts the agent
 * is neither run again nor left unreported.
 */
export class CommandLedger {
  private constructor(
    private readonly file: string,
    private readonly seenIds: string[],
    private pending: ICommandResult[],
  ) {}

  /** Reads the ledger of `stateDir` (empty when absent or unreadable: a lost ledger only risks a re-run). */
  static async load(stateDir: string): Promise<CommandLedger> {
    const file = path.join(stateDir, CONTROL_STATE_FILE);
    try {
      const json = JSON.parse(await readFile(file, 'utf8')) as Partial<LedgerFile>;
      const seen = Array.isArray(json.seen) ? json.seen.filter((id) => typeof id === 'string') : [];
      const pending = Array.isArray(json.pending)
        ? json.pending.filter(
            (r): r is ICommandResult =>
              typeof r === 'object' && r !== null && typeof r.commandId === 'string',
          )
        : [];
      return new CommandLedger(file, seen.slice(-MAX_REMEMBERED), pending);
    } catch {
      return new CommandLedger(file, [], []);
    }
  }

  /** Whether the command with this id already ran (or was refused). */
  has(id: string): boolean {
    return this.seenIds.includes(id);
  }

  /** Records a command's outcome: its id is remembered and its result queued for the next heartbeat. */
  record(commandId: string, success: boolean, message: string): void {
    if (!this.has(commandId)) {
      this.seenIds.push(commandId);
      if (this.seenIds.length > MAX_REMEMBERED) this.seenIds.splice(0, this.seenIds.length - MAX_REMEMBERED);
    }
    this.pending.push({ commandId, success, message });
  }

  /** The results to send in the next heartbeat. */
  results(): ICommandResult[] {
    return [...this.pending];
  }

  /** Drops the results a heartbeat delivered. */
  delivered(results: readonly ICommandResult[]): void {
    if (results.length === 0) return;
    this.pending = this.pending.filter((r) => !results.includes(r));
  }

  async save(): Promise<void> {
    const content: LedgerFile = { seen: this.seenIds, pending: this.pending };
    await writeFileAtomic(this.file, `${JSON.stringify(content)}\n`, 0o600);
  }
}
