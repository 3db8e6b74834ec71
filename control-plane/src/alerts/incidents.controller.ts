// The incidents API: list, create, read (alerts, notes, activity, timeline), change, link alerts, notes.
import { Controller, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import {
  addAlertsBody,
  createIncidentBody,
  incident,
  incidentDetail,
  incidentListQuery,
  incidentNote,
  noteBody,
  patchIncidentBody,
  type CreateIncidentBody,
  type Incident,
  type IncidentDetail,
  type IncidentListQuery,
  type IncidentNote,
  type PatchIncidentBody,
} from './incident-schemas.js';
import { IncidentsService } from './incidents.service.js';
import { actorOf } from './request-actor.js';

const TAGS = ['incidents'];
const notFound = { description: 'No such incident in your tenant' };
type IdParams = { id: string };
const alertParams = z.strictObject({ id: z.uuid(), alertId: z.uuid() });

@Controller('api/incidents')
export class IncidentsController {
  constructor(@Inject(IncidentsService) private readonly incidents: IncidentsService) {}

  @Endpoint({
    method: 'GET',
    path: '',
    operationId: 'listIncidents',
    summary: 'List incidents, newest first',
    tags: TAGS,
    access: 'incidents:read',
    query: incidentListQuery,
    responses: {
      200: {
        description: 'A page of incidents',
        schema: z.object({ items: z.array(incident), nextCursor: z.string().nullable() }),
      },
    },
  })
  list(
    @Input() input: RouteInput<unknown, IncidentListQuery>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<{ items: Incident[]; nextCursor: string | null }> {
    return this.incidents.list(actorOf(auth, request), input.query);
  }

  @Endpoint({
    method: 'POST',
    path: '',
    operationId: 'createIncident',
    summary: 'Create an incident, optionally with alerts',
    tags: TAGS,
    access: 'incidents:write',
    body: createIncidentBody,
    status: 201,
    responses: {
      201: { description: 'The incident', schema: incident },
      409: { description: 'An alert belongs to another incident' },
      422: { description: 'An alert does not exist in your tenant' },
    },
  })
  create(
    @Input() input: RouteInput<unknown, unknown, CreateIncidentBody>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<Incident> {
    return this.incidents.create(actorOf(auth, request), input.body);
  }

  @Endpoint({
    method: 'GET',
    path: ':id',
    operationId: 'getIncident',
    summary: 'One incident with its alerts, notes, activity and timeline',
    tags: TAGS,
    access: 'incidents:read',
    params: schemas.idParams,
    responses: { 200: { description: 'The incident', schema: incidentDetail }, 404: notFound },
  })
  detail(
    @Input() input: RouteInput<IdParams>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<IncidentDetail> {
    return this.incidents.detail(actorOf(auth, request), input.params.id);
  }

  @Endpoint({
    method: 'PATCH',
    path: ':id',
    operationId: 'updateIncident',
    summary: 'Change status, assignee, title, severity, description or resolution',
    tags: TAGS,
    access: 'incidents:write',
    params: schemas.idParams,
    body: patchIncidentBody,
    responses: {
      200: { description: 'The incident', schema: incident },
      404: notFound,
      409: { description: 'The status may not follow the current one' },
      422: { description: 'The assignee is not an active user of your tenant' },
    },
  })
  update(
    @Input() input: RouteInput<IdParams, unknown, PatchIncidentBody>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<Incident> {
    return this.incidents.update(actorOf(auth, request), input.params.id, input.body);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/alerts',
    operationId: 'addIncidentAlerts',
    summary: 'Add alerts to the incident',
    tags: TAGS,
    access: 'incidents:write',
    params: schemas.idParams,
    body: addAlertsBody,
    responses: {
      200: { description: 'The incident', schema: incident },
      404: notFound,
      409: { description: 'An alert belongs to another incident' },
      422: { description: 'An alert does not exist in your tenant' },
    },
  })
  addAlerts(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof addAlertsBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<Incident> {
    return this.incidents.addAlerts(actorOf(auth, request), input.params.id, input.body.alertIds);
  }

  @Endpoint({
    method: 'DELETE',
    path: ':id/alerts/:alertId',
    operationId: 'removeIncidentAlert',
    summary: 'Remove an alert from the incident',
    tags: TAGS,
    access: 'incidents:write',
    params: alertParams,
    responses: { 200: { description: 'The incident', schema: incident }, 404: notFound },
  })
  removeAlert(
    @Input() input: RouteInput<z.infer<typeof alertParams>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<Incident> {
    return this.incidents.removeAlert(actorOf(auth, request), input.params.id, input.params.alertId);
  }

  @Endpoint({
    method: 'POST',
    path: ':id/notes',
    operationId: 'addIncidentNote',
    summary: 'Add a note to the incident',
    tags: TAGS,
    access: 'incidents:write',
    params: schemas.idParams,
    body: noteBody,
    status: 201,
    responses: { 201: { description: 'The note', schema: incidentNote }, 404: notFound },
  })
  addNote(
    @Input() input: RouteInput<IdParams, unknown, z.infer<typeof noteBody>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
  ): Promise<IncidentNote> {
    return this.incidents.addNote(actorOf(auth, request), input.params.id, input.body.body);
  }
}
