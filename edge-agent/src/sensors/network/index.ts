// The netfs sensor: TCP connections, listening sockets and flow summaries from polling /proc/net.
export { communityId, type FlowTuple } from './community-id.js';
export {
  ConnectionTracker,
  connectionEvent,
  connectionKey,
  flowEvent,
  listenEvent,
  ownerProcess,
  type ConnectionDiff,
  type TrackedConnection,
} from './connection-tracker.js';
export { ipBytes, ipv4Text, ipv6Text, isIpv4Mapped, unmapIpv4 } from './ip-text.js';
export { listListeningServices } from './listening-services.js';
export {
  createNetworkSensor,
  type NetworkSensor,
  type NetworkSensorOptions,
  type NetworkSensorStats,
} from './network-sensor.js';
export {
  decodeHexAddress,
  isListening,
  parseProcNet,
  readSockets,
  socketStateName,
  type SocketEntry,
} from './proc-net.js';
export { SocketOwnerIndex, socketOwners, type OwnerScanStats, type SocketOwner } from './socket-owners.js';
export {
  SsCommandError,
  findOnPath,
  parseSsOutput,
  readSsByteCounters,
  type SocketBytes,
} from './ss-byte-counters.js';
