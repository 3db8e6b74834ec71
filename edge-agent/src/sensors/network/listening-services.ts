import { type ISystemService, inosec } from '@inosec/protos';
import { DEFAULT_PROC_ROOT, readPidCmdline } from '../procfs/index.js';
import { isListening, readSockets } from './proc-net.js';
import { socketOwners } from './socket-owners.js';

/**
 * Listening sockets as inventory records (inosec.v1.SystemService-compatible): one per listening socket, named
 * after the owning process, with its pid and command line, type "listening-socket", state RUNNING and the
 * bound address as sub-state ("tcp 0.0.0.0:22"). Sockets whose owner cannot be seen (another user's process
 * when the agent is not root) are named "<protocol>/<port>" with pid 0.
 */
export async function listListeningServices(procRoot: string = DEFAULT_PROC_ROOT): Promise<ISystemService[]> {
  const listeners = readSockets(procRoot).filter(isListening);
  const owners = await socketOwners(
    listeners.map((s) => s.inode),
    procRoot,
  );
  const seen = new Set<string>();
  const services: ISystemService[] = [];
  for (const s of listeners) {
    const owner = owners.get(s.inode);
    const address = s.family === 6 ? `[${s.localIp}]:${s.localPort}` : `${s.localIp}:${s.localPort}`;
    const key = `${owner?.pid ?? 0}|${s.protocol}|${address}`;
    if (seen.has(key)) continue; // SO_REUSEPORT groups: one record per process and address
    seen.add(key);
    const args = owner ? (readPidCmdline(owner.pid, procRoot) ?? []) : [];
    services.push({
      name: owner?.name ?? `${s.protocol}/${s.localPort}`,
      state: inosec.v1.SystemService.State.STATE_RUNNING,
      subState: `${s.protocol} ${address}`,
      enabled: false,
      type: 'listening-socket',
      pid: owner?.pid ?? 0,
      command: args.length > 0 ? args.join(' ') : (owner?.executable ?? ''),
    });
  }
  return services;
}
