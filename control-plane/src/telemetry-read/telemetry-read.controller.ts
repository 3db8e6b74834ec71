// The telemetry read API for the console's Network map, Geo, Assets and Hunt views.
import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { actorOf } from '../alerts/request-actor.js';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { TelemetryReadService } from './telemetry-read.service.js';
import {
  assetList,
  assetsQuery,
  graphQuery,
  huntQuery,
  huntResult,
  networkGraph,
  networkPeers,
  peersQuery,
  sigmaHuntBody,
  sigmaHuntResult,
  type SigmaHuntResult,
  type Asset,
  type HuntResult,
  type NetworkGraph,
  type NetworkPeers,
} from './telemetry-schemas.js';

const badRange = { description: 'The range is reversed or longer than 31 days' };

@Controller('api')
export class TelemetryReadController {
  constructor(@Inject(TelemetryReadService) private readonly telemetry: TelemetryReadService) {}

  @Endpoint({
    method: 'GET',
    path: 'network/graph',
    operationId: 'getNetworkGraph',
    summary: 'The network graph of a time range: hosts and addresses, connections aggregated per pair',
    tags: ['network'],
    access: 'telemetry:read',
    query: graphQuery,
    responses: {
      200: { description: 'Nodes and edges, heaviest first', schema: networkGraph },
      422: badRange,
    },
  })
  graph(
    @Input() input: RouteInput<unknown, z.infer<typeof graphQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<NetworkGraph> {
    return this.telemetry.graph(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'GET',
    path: 'network/peers',
    operationId: 'listNetworkPeers',
    summary: 'External addresses the hosts talked to in a time range, with their country',
    tags: ['network'],
    access: 'telemetry:read',
    query: peersQuery,
    responses: { 200: { description: 'Peers, heaviest first', schema: networkPeers }, 422: badRange },
  })
  peers(
    @Input() input: RouteInput<unknown, z.infer<typeof peersQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<NetworkPeers> {
    return this.telemetry.peers(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'GET',
    path: 'assets',
    operationId: 'listAssets',
    summary: 'Assets by name: hosts with an agent and OT devices seen on the network',
    tags: ['assets'],
    access: 'telemetry:read',
    query: assetsQuery,
    responses: { 200: { description: 'A page of assets', schema: assetList } },
  })
  assets(
    @Input() input: RouteInput<unknown, z.infer<typeof assetsQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: Asset[]; nextCursor: string | null }> {
    return this.telemetry.assets(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'GET',
    path: 'hunt/events',
    operationId: 'huntEvents',
    summary: 'Stored events of one table matching field conditions, newest first',
    tags: ['hunt'],
    access: 'telemetry:read',
    query: huntQuery,
    responses: {
      200: { description: 'A page of events', schema: huntResult },
      422: { description: 'An unknown field, an operator its type does not take, or a bad range' },
    },
  })
  hunt(
    @Input() input: RouteInput<unknown, z.infer<typeof huntQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<HuntResult> {
    return this.telemetry.hunt(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'POST',
    path: 'hunt/sigma',
    operationId: 'huntSigma',
    summary: 'Run one Sigma detection rule over the stored events of a time range',
    description:
      'Scans at most 200,000 events, newest first; `truncated` says the range was not scanned to its end.',
    tags: ['hunt'],
    access: 'telemetry:read',
    body: sigmaHuntBody,
    status: 200,
    responses: {
      200: { description: 'The matching events', schema: sigmaHuntResult },
      422: {
        description:
          'The rule does not load, is a correlation rule or uses an unsupported feature; or a bad range',
      },
    },
  })
  sigma(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof sigmaHuntBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<SigmaHuntResult> {
    return this.telemetry.sigma(actorOf(auth, request), input.body);
  }
}
