// The alerts API: the queue with filters and keyset pages, counts for the console's badges, one alert with
// its matched events and its process tree, and triage (assign, acknowledge, close, reopen, bulk).
import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import {
  alertCounts,
  alertCountsQuery,
  alertDetail,
  alertItem,
  alertList,
  alertListQuery,
  assignBody,
  bulkBody,
  bulkResult,
  closeBody,
  processTree,
  type AlertCounts,
  type AlertDetail,
  type AlertItem,
  type ProcessTree,
} from './alert-schemas.js';
import { AlertsService, type BulkOutcome } from './alerts.service.js';
import {
  DESCENDANT_MARGIN_MS,
  MAX_ANCESTOR_DEPTH,
  MAX_DESCENDANT_DEPTH,
  MAX_PROCESS_NODES,
  MAX_WINDOW_MS,
  ProcessTreeService,
} from './process-tree.service.js';
import { actorOf } from './request-actor.js';

type ListQuery = z.infer<typeof alertListQuery>;
type CountsQuery = z.infer<typeof alertCountsQuery>;
type IdParams = { id: string };

const TAGS = ['alerts'];
const notFound = { description: 'No such alert in your tenant' };
const conflict = { description: 'The alert is in a status the change may not leave' };

@Controller('api/alerts')
export class AlertsController {
  constructor(
    @Inject(AlertsService) private readonly alerts: AlertsService,
    @Inject(ProcessTreeService) private readonly processTrees: ProcessTreeService,
  ) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listAlerts',
    summary: 'List alerts, newest last seen first',
    tags: TAGS,
    access: 'alerts:read',
    query: alertListQuery,
    responses: { 200: { description: 'A page of alerts', schema: alertList } },
  })
  list(
    @Input() input: RouteInput<unknown, ListQuery>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: AlertItem[]; nextCursor: string | null }> {
    const { cursor, limit, ...filters } = input.query;
    return this.alerts.list(actorOf(auth, request), filters, cursor, limit);
  }

  @Endpoint({
    method: 'GET',
    path: 'counts',
    operationId: 'countAlerts',
    summary: 'Count alerts by severity and status',
    tags: TAGS,
    access: 'alerts:read',
    query: alertCountsQuery,
    responses: { 200: { description: 'Counts', schema: alertCounts } },
  })
  counts(
    @Input() input: RouteInput<unknown, CountsQuery>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AlertCounts> {
    return this.alerts.counts(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'POST',
    path: 'bulk',
    operationId: 'bulkChangeAlerts',
    summary: 'Acknowledge, close or assign up to 500 alerts',
    tags: TAGS,
    access: 'alerts:write',
    body: bulkBody,
    responses: { 200: { description: 'Each id with its outcome', schema: bulkResult } },
  })
  bulk(
    @Input() input: RouteInput<unknown, unknown, z.infer<typeof bulkBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ results: BulkOutcome[]; updated: number }> {
    return this.alerts.bulk(actorOf(auth, request), input.body);
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    operationId: 'getAlert',
    summary: 'One alert with its matched events',
    tags: TAGS,
    access: 'alerts:read',
    params: schemas.idParams,
    responses: { 200: { description: 'The alert', schema: alertDetail }, 404: notFound },
  })
  detail(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AlertDetail> {
    return this.alerts.detail(actorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'GET',
    path: ':id/process-tree',
    operationId: 'getAlertProcessTree',
    summary: "The process tree around the alert's matched process events",
    description:
      "On the alert's agent: the processes of its matched process events (`matched`), their ancestors (up to " +
      `${MAX_ANCESTOR_DEPTH} generations, walked by parent entity id) and their descendants (up to ` +
      `${MAX_DESCENDANT_DEPTH} generations) started from the first matched process's start to ` +
      `${DESCENDANT_MARGIN_MS / 60_000} minutes after the alert's last event (at most ` +
      `${MAX_WINDOW_MS / 3_600_000} hours after that start). At most ${MAX_PROCESS_NODES} nodes, the farthest ` +
      'descendants left out beyond (`truncated`). Roots are the nodes whose parent is not among them. An ' +
      'alert without process events has no nodes.',
    tags: TAGS,
    access: 'alerts:read',
    params: schemas.idParams,
    responses: { 200: { description: 'The process tree', schema: processTree }, 404: notFound },
  })
  processTree(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<ProcessTree> {
    return this.processTrees.tree(actorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':id',
    operationId: 'assignAlert',
    summary: 'Assign the alert to a user of the tenant, or unassign it (null)',
    tags: TAGS,
    access: 'alerts:write',
    params: schemas.idParams,
    body: assignBody,
    responses: {
      200: { description: 'The alert', schema: alertItem },
      404: notFound,
      422: { description: 'The assignee is not an active user of the tenant' },
    },
  })
  assign(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof assignBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AlertItem> {
    return this.alerts.assign(actorOf(auth, request), input.params.id, input.body.assigneeId);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/acknowledge',
    operationId: 'acknowledgeAlert',
    summary: 'Acknowledge a new alert',
    tags: TAGS,
    access: 'alerts:write',
    params: schemas.idParams,
    responses: { 200: { description: 'The alert', schema: alertItem }, 404: notFound, 409: conflict },
  })
  acknowledge(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AlertItem> {
    return this.alerts.acknowledge(actorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/close',
    operationId: 'closeAlert',
    summary: 'Close an open alert with a reason',
    tags: TAGS,
    access: 'alerts:write',
    params: schemas.idParams,
    body: closeBody,
    responses: { 200: { description: 'The alert', schema: alertItem }, 404: notFound, 409: conflict },
  })
  close(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof closeBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AlertItem> {
    return this.alerts.close(actorOf(auth, request), input.params.id, input.body.reason, input.body.comment);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/reopen',
    operationId: 'reopenAlert',
    summary: 'Reopen a closed alert',
    tags: TAGS,
    access: 'alerts:write',
    params: schemas.idParams,
    responses: { 200: { description: 'The alert', schema: alertItem }, 404: notFound, 409: conflict },
  })
  reopen(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<AlertItem> {
    return this.alerts.reopen(actorOf(auth, request), input.params.id);
  }
}
