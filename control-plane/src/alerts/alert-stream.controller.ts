// GET /api/alerts/stream: the tenant's live alert and incident updates as Server-Sent Events. EventSource
// cannot send headers, so the access token may come as `?access_token=` (the guard allows it for
// text/event-stream routes). The reply is taken over from Fastify (hijack): the problem filter and the onSend
// hooks never touch the stream, so the security headers are written here.
import { Controller, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthContext } from '../auth/auth-context.js';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { AlertStreamService } from './alert-stream.service.js';

const streamQuery = z.strictObject({
  access_token: z.string().max(4096).optional().describe('the access token, for EventSource clients'),
  lastEventId: z
    .string()
    .max(64)
    .optional()
    .describe('resume after this event id (EventSource sends the Last-Event-ID header itself)'),
});

const EVENT_ID = /^[0-9a-f]{8}-\d{1,15}$/;

@Controller('api/alerts')
export class AlertStreamController {
  constructor(@Inject(AlertStreamService) private readonly streams: AlertStreamService) {}

  @Endpoint({
    method: 'GET',
    path: 'stream',
    operationId: 'streamAlerts',
    summary: 'Live alert and incident updates (Server-Sent Events)',
    description:
      'Events: alert.created, alert.updated (data: {id, changed, alert}), incident.updated (data: {id, changed, ' +
      'incident}; with incidents:read), resync (reload: events were missed), session_ended. A comment every 15 s.',
    tags: ['alerts'],
    access: 'alerts:read',
    query: streamQuery,
    responses: {
      200: { description: 'An event stream', contentType: 'text/event-stream' },
      429: { description: 'Too many streams open for the tenant' },
    },
  })
  async stream(
    @Input() input: RouteInput<unknown, z.infer<typeof streamQuery>>,
    @Auth() auth: AuthContext,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    this.streams.admit(auth.tenantId);
    const header = request.headers['last-event-id'];
    const candidate = typeof header === 'string' ? header : input.query.lastEventId;
    const lastEventId = candidate !== undefined && EVENT_ID.test(candidate) ? candidate : undefined;
    void reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
      'X-Request-Id': String(request.id),
    });
    try {
      await this.streams.open(
        {
          tenantId: auth.tenantId,
          userId: auth.userId,
          sessionId: auth.sessionId,
          incidents: auth.permissions.has('incidents:read'),
        },
        response,
        lastEventId,
      );
    } catch (error) {
      request.log.warn({ err: error }, 'alert stream: could not start listening');
      response.end('event: error\ndata: {"reason":"live updates unavailable"}\n\n');
    }
  }
}
