import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { inosec } from '@inosec/protos';
import { afterEach, describe, expect, it } from 'vitest';
import { createSensorHarness } from '../procfs/index.js';
import { listListeningServices } from './listening-services.js';
import { createNetworkSensor, type NetworkSensor } from './network-sensor.js';
import { findOnPath } from './ss-byte-counters.js';

const { Kind, Direction } = inosec.v1.NetworkEvent;

describe('netfs sensor on the real /proc', () => {
  let sensor: NetworkSensor | undefined;
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    server?.close();
    await sensor?.stop();
  });

  async function openPair(): Promise<{ port: number; client: Socket; accepted: Socket }> {
    server = createServer();
    const acceptedP = once(server, 'connection') as Promise<[Socket]>;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const [accepted] = await acceptedP;
    sockets.push(client, accepted);
    return { port, client, accepted };
  }

  it('sees LISTEN and both CONNECTION ends owned by this process, then FLOW with bytes on close', async () => {
    const withBytes = findOnPath('ss') !== undefined;
    const h = await createSensorHarness({
      interval_ms: '100',
      baseline: 'false',
      byte_counters: String(withBytes),
    });
    sensor = createNetworkSensor();
    await sensor.start(h.ctx);
    await h.until(() => sensor!.stats().polls >= 1);

    const { port, client, accepted } = await openPair();
    const listen = await h.waitFor(
      (e) => e.network?.kind === Kind.KIND_LISTEN && e.network.destination?.port === port,
    );
    expect(listen.sensor).toBe('netfs');
    expect(listen.network).toMatchObject({
      destination: { ip: '127.0.0.1', port },
      state: 'LISTEN',
      process: { pid: process.pid },
    });
    expect(listen.network?.process?.entityId).toMatch(/^[\w-]{22}$/);

    const isOurs = (kind: inosec.v1.NetworkEvent.Kind) => (e: (typeof h.events)[number]) =>
      e.network?.kind === kind && (e.network.source?.port === port || e.network.destination?.port === port);
    const inbound = await h.waitFor(
      (e) => isOurs(Kind.KIND_CONNECTION)(e) && e.network?.direction === Direction.DIRECTION_INBOUND,
    );
    const outbound = await h.waitFor(
      (e) => isOurs(Kind.KIND_CONNECTION)(e) && e.network?.direction === Direction.DIRECTION_OUTBOUND,
    );
    // Both ends: the client (ephemeral port) is the source, the server port the destination.
    for (const c of [inbound, outbound]) {
      expect(c.network).toMatchObject({
        transport: inosec.v1.NetworkEvent.Transport.TRANSPORT_TCP,
        ianaNumber: 6,
        source: { ip: '127.0.0.1', port: client.localPort },
        destination: { ip: '127.0.0.1', port },
        state: 'ESTABLISHED',
        process: { pid: process.pid, name: 'node' },
      });
      expect(c.network?.communityId).toMatch(/^1:[A-Za-z0-9+/]{27}=$/);
    }
    expect(inbound.network?.communityId).toBe(outbound.network?.communityId);

    client.write(Buffer.alloc(3000, 1));
    await once(accepted, 'data');
    accepted.write('pong');
    await once(client, 'data');
    const polls = sensor.stats().polls;
    await h.until(() => sensor!.stats().polls >= polls + 2); // a byte sample after the traffic

    client.destroy();
    accepted.destroy();
    const flows = [
      await h.waitFor(
        (e) => isOurs(Kind.KIND_FLOW)(e) && e.network?.direction === Direction.DIRECTION_OUTBOUND,
      ),
      await h.waitFor(
        (e) => isOurs(Kind.KIND_FLOW)(e) && e.network?.direction === Direction.DIRECTION_INBOUND,
      ),
    ];
    for (const flow of flows) {
      expect(Number(flow.network?.durationUs)).toBeGreaterThan(0);
      expect(flow.network?.communityId).toBe(inbound.network?.communityId);
      expect(flow.timeUnixUs).toBeLessThan(Number(flow.observedTimeUnixUs));
      if (withBytes) {
        // source (client) sent 3000 bytes, destination answered 4
        expect(Number(flow.network?.bytesOut)).toBe(3000);
        expect(Number(flow.network?.bytesIn)).toBe(4);
      }
    }
    expect(sensor.stats().ownerScans).toBeGreaterThan(0);
  });

  it('reports existing sockets as a baseline and lists listening services with this process', async () => {
    const { port } = await openPair();
    const h = await createSensorHarness({ interval_ms: '100' });
    sensor = createNetworkSensor();
    await sensor.start(h.ctx);
    await h.waitFor((e) => e.network?.kind === Kind.KIND_LISTEN && e.network.destination?.port === port);
    await h.waitFor((e) => e.network?.kind === Kind.KIND_CONNECTION && e.network.destination?.port === port);
    const services = await listListeningServices();
    expect(services).toContainEqual(
      expect.objectContaining({
        pid: process.pid,
        type: 'listening-socket',
        subState: `tcp 127.0.0.1:${port}`,
      }),
    );
  });
});
