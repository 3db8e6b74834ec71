// toSigmaEvents: the flat Sigma view(s) of one InoSec event, one per log source it feeds. A view is one small
// object (shared by every key that uses the same view), holding references to the event's strings: no copies.
import { ProcessEventAction, type IEvent } from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { auditAuthView, auditExecViews, auditRecordViews } from './auditd-views.js';
import { authEventKeys, authEventView } from './auth-views.js';
import { fileEventKeys, fileEventView } from './file-views.js';
import { logEventKeys, logTextView } from './log-views.js';
import { isConnection, networkConnectionView } from './network-views.js';
import { processCreationView } from './process-views.js';

/** One Sigma view of an event: the log source it feeds and the flat event the rules of that source see. */
export interface SigmaView {
  logsourceKey: string;
  event: SigmaEvent;
}

const AUDITD_KEY = 'linux/auditd';
const AUDITD_SENSOR = 'auditd';

function push(views: SigmaView[], keys: readonly string[], event: SigmaEvent): SigmaView[] {
  for (const key of keys) views.push({ logsourceKey: key, event });
  return views;
}

/**
 * The Sigma views of one InoSec event, for each log source it feeds (docs/detection-logsources.md):
 * - a process start → linux/process_creation (and, from the auditd sensor, the linux/auditd exec records);
 * - a network connection → linux/network_connection;
 * - a file change → linux/file_event and its file_create / file_change / file_delete / file_rename variant;
 * - an auth-log AuthEvent → linux/auth, linux/syslog, linux/* and linux/sshd or linux/sudo;
 *   an auditd AuthEvent → linux/auditd;
 * - an auditd LogEvent → one linux/auditd view per record, and linux/*;
 * - another log line → linux/syslog, linux/*, linux/auth (auth log) and its program's service.
 * Metrics, inventory, OT transactions, process exits, flows and listening sockets feed nothing: [].
 */
export function toSigmaEvents(event: IEvent): SigmaView[] {
  const views: SigmaView[] = [];
  if (event.process) {
    if (event.process.action !== ProcessEventAction.ACTION_START) return views;
    views.push({ logsourceKey: 'linux/process_creation', event: processCreationView(event.process) });
    if (event.sensor === AUDITD_SENSOR) {
      for (const record of auditExecViews(event.process))
        views.push({ logsourceKey: AUDITD_KEY, event: record });
    }
    return views;
  }
  if (event.network) {
    if (isConnection(event.network)) {
      views.push({ logsourceKey: 'linux/network_connection', event: networkConnectionView(event.network) });
    }
    return views;
  }
  if (event.file) {
    const keys = fileEventKeys(event.file);
    return keys.length ? push(views, keys, fileEventView(event.file)) : views;
  }
  if (event.auth) {
    if (event.sensor === AUDITD_SENSOR) {
      return push(views, [AUDITD_KEY], auditAuthView(event.auth));
    }
    return push(views, authEventKeys(event.auth), authEventView(event.auth));
  }
  if (event.log) {
    const log = event.log;
    if (log.parser === 'auditd') {
      for (const record of auditRecordViews(log)) views.push({ logsourceKey: AUDITD_KEY, event: record });
      views.push({ logsourceKey: 'linux/*', event: logTextView(log) });
      return views;
    }
    const keys = logEventKeys(log, event.sensor);
    return keys.length ? push(views, keys, logTextView(log)) : views;
  }
  return views;
}
