// The linux/process_creation view of a process start (Sysmon-for-Linux field names).
import type { IProcess, IProcessEvent } from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { positive, text } from './view-values.js';

const NO_PROCESS: IProcess = {};

/** The command line, else the arguments joined by spaces (as Sysmon for Linux writes CommandLine). */
export function commandLineOf(process: IProcess): string | undefined {
  if (process.commandLine) return process.commandLine;
  return process.args?.length ? process.args.join(' ') : undefined;
}

/** The process_creation view of a ProcessEvent (call only for ACTION_START). */
export function processCreationView(event: IProcessEvent): SigmaEvent {
  const process = event.process ?? NO_PROCESS;
  const parent = event.parent ?? NO_PROCESS;
  return {
    Image: text(process.executable),
    CommandLine: commandLineOf(process),
    ProcessId: positive(process.pid),
    ProcessGuid: text(process.entityId),
    User: text(process.user?.name),
    CurrentDirectory: text(process.workingDirectory),
    ParentImage: text(parent.executable),
    ParentCommandLine: commandLineOf(parent),
    ParentProcessId: positive(parent.pid) ?? positive(process.ppid),
    ParentProcessGuid: text(parent.entityId),
    ParentUser: text(parent.user?.name),
  };
}
