// The linux/file_event view of a file change, and which file_* variants each action feeds.
import { FileEventAction, type IFileEvent } from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { positive, text } from './view-values.js';

/** The log-source keys a file action feeds: file_event (Sysmon FileCreate semantics) and its variant. */
const KEYS_BY_ACTION: Readonly<Record<number, readonly string[]>> = {
  [FileEventAction.ACTION_CREATED]: ['linux/file_event', 'linux/file_create'],
  [FileEventAction.ACTION_MODIFIED]: ['linux/file_event', 'linux/file_change'],
  [FileEventAction.ACTION_RENAMED]: ['linux/file_event', 'linux/file_rename'],
  [FileEventAction.ACTION_DELETED]: ['linux/file_delete'],
  [FileEventAction.ACTION_ATTRIBUTES_CHANGED]: ['linux/file_change'],
};

/** The log-source keys a FileEvent feeds (none for an unspecified action). */
export function fileEventKeys(event: IFileEvent): readonly string[] {
  return KEYS_BY_ACTION[event.action ?? 0] ?? [];
}

/** The file view of a FileEvent: one object, shared by every key the event feeds. */
export function fileEventView(event: IFileEvent): SigmaEvent {
  return {
    TargetFilename: text(event.path),
    SourceFilename: text(event.previousPath),
    Image: text(event.process?.executable),
    ProcessId: positive(event.process?.pid),
    User: text(event.user?.name) ?? text(event.process?.user?.name),
  };
}
