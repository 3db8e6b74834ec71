import { createHash } from 'node:crypto';

/**
 * The entity_id of a process: base64url of the first 16 bytes of sha256("<salt>|<boot id>|<pid>|<start ticks>").
 * (pid, start ticks) identifies a process within one boot, the boot id makes it unique across reboots, and
 * nothing in it depends on the agent's own lifetime, so it is the same after an agent restart. `salt` (the
 * agent id, when the agent passes it) keeps ids of cloned machines with equal boot ids apart.
 */
export function processEntityId(bootId: string, pid: number, startTimeTicks: number, salt = ''): string {
  return createHash('sha256')
    .update(`${salt}|${bootId}|${pid}|${startTimeTicks}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
