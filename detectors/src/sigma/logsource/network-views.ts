// The linux/network_connection view of a connection (Sysmon-for-Linux field names).
import { NetworkEventDirection, NetworkEventKind, type INetworkEvent } from '@inosec/protos';
import type { SigmaEvent } from '../sigma-types.js';
import { positive, text } from './view-values.js';

const TRANSPORTS: readonly (string | undefined)[] = [undefined, 'tcp', 'udp', 'icmp', 'ipv6-icmp', 'sctp'];

/** True for the network events that feed network_connection: opened connections only. */
export function isConnection(event: INetworkEvent): boolean {
  return event.kind === NetworkEventKind.KIND_CONNECTION;
}

function initiated(direction: NetworkEventDirection | null | undefined): string | undefined {
  if (direction === NetworkEventDirection.DIRECTION_OUTBOUND) return 'true';
  if (direction === NetworkEventDirection.DIRECTION_INBOUND) return 'false';
  return undefined;
}

/** The network_connection view of a NetworkEvent KIND_CONNECTION. */
export function networkConnectionView(event: INetworkEvent): SigmaEvent {
  const process = event.process;
  const source = event.source;
  const destination = event.destination;
  return {
    Image: text(process?.executable),
    ProcessId: positive(process?.pid),
    ProcessGuid: text(process?.entityId),
    User: text(process?.user?.name),
    Protocol: TRANSPORTS[event.transport ?? 0],
    Initiated: initiated(event.direction),
    SourceIp: text(source?.ip),
    SourcePort: positive(source?.port),
    SourceHostname: text(source?.domain),
    DestinationIp: text(destination?.ip),
    DestinationPort: positive(destination?.port),
    DestinationHostname: text(destination?.domain),
  };
}
