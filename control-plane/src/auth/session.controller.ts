import { Controller, Inject } from '@nestjs/common';
import type { z } from 'zod';
import { Auth, Endpoint, Input, schemas, type RouteInput } from '../http/endpoint.js';
import { InvalidRequestProblem } from '../http/problems.js';
import type { AuthContext } from './auth-context.js';
import { done, sessionList, sessionsQuery } from './auth.schemas.js';
import { Client, type ClientInfo } from './client-info.js';
import { SessionService } from './session.service.js';

const TAGS = ['auth'];
const CURSOR = /^(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function encodeCursor(position: string, id: string): string {
  return Buffer.from(`${position}.${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { position: string; id: string } {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) {
    throw new InvalidRequestProblem('invalid request: query.cursor: not a cursor of this list', [
      { path: 'query.cursor', message: 'not a cursor of this list' },
    ]);
  }
  return { position: match[1] ?? '', id: match[2] ?? '' };
}

/** The caller's own sessions (devices signed in). */
@Controller('api/auth')
export class SessionController {
  constructor(@Inject(SessionService) private readonly sessions: SessionService) {}

  @Endpoint({
    method: 'GET',
    path: 'sessions',
    operationId: 'listMySessions',
    summary: "The current user's live sessions, newest first",
    tags: TAGS,
    access: 'authenticated',
    query: sessionsQuery,
    responses: { 200: { description: 'Live sessions', schema: sessionList } },
  })
  async list(
    @Auth() auth: AuthContext,
    @Input() input: RouteInput<unknown, z.output<typeof sessionsQuery>>,
  ): Promise<z.infer<typeof sessionList>> {
    const after = input.query.cursor === undefined ? undefined : decodeCursor(input.query.cursor);
    const { rows, more } = await this.sessions.list(auth, input.query.limit, after);
    const last = rows.at(-1);
    return {
      items: rows.map((row) => ({
        id: row.id,
        createdAt: row.createdAt.toISOString(),
        lastUsedAt: row.lastUsedAt.toISOString(),
        expiresAt: row.expiresAt.toISOString(),
        ip: row.ip,
        userAgent: row.userAgent,
        mfa: row.mfa,
        current: row.id === auth.sessionId,
      })),
      nextCursor: more && last !== undefined ? encodeCursor(last.position, last.id) : null,
    };
  }

  @Endpoint({
    method: 'DELETE',
    path: 'sessions/:id',
    operationId: 'revokeMySession',
    summary: 'End one of the current user’s sessions',
    description: '404 for an id that is not a live session of the caller.',
    tags: TAGS,
    access: 'authenticated',
    params: schemas.idParams,
    responses: { 200: { description: 'The session ended', schema: done } },
  })
  async revoke(
    @Auth() auth: AuthContext,
    @Input() input: RouteInput<z.output<typeof schemas.idParams>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof done>> {
    await this.sessions.revokeOwn(auth, input.params.id, client);
    return { status: 'ok' };
  }
}
