import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { recordAudit } from '../audit/audit-log.js';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { TenantDb } from '../database/tenant-db.js';
import { NotFoundProblem, UnauthorizedProblem } from '../http/problems.js';
import { CONFIG } from '../tokens.js';
import { AccessTokens } from './access-tokens.js';
import type { AuthContext } from './auth-context.js';
import type { TokenPair, UserSummary } from './auth.schemas.js';
import type { ClientInfo } from './client-info.js';
import { PrincipalCache } from './principal-cache.js';
import { newRefreshToken, refreshTokenDigest, refreshTokenTenant } from './refresh-tokens.js';
import {
  findRefreshToken,
  insertRefreshToken,
  insertSession,
  listLiveSessions,
  readSessionState,
  revokeSession,
  revokeUserSessions,
  touchSession,
  useRefreshToken,
  type SessionRow,
} from './session.repository.js';
import { findUserById, type AuthUser } from './user-auth.repository.js';

/** The user fields every token answer carries. */
export function userSummaryOf(user: AuthUser): UserSummary {
  return {
    id: user.id,
    tenantId: user.tenantId,
    email: user.email,
    displayName: user.displayName,
    emailVerified: user.emailVerifiedAt !== null,
    totpEnabled: user.totpEnabledAt !== null,
  };
}

/** A session could not be opened because its pre-assigned id is taken (a second-factor token used twice). */
export class SessionTakenProblem extends UnauthorizedProblem {
  constructor() {
    super('the sign-in token was already used', 'invalid_token');
  }
}

type RefreshOutcome =
  { kind: 'ok'; pair: TokenPair } | { kind: 'reused'; sessionId: string } | { kind: 'invalid' };

/**
 * Sessions and their rotating refresh tokens: opening one at sign-in, rotating on refresh (a reused token ends
 * its whole session), listing and ending them. Every change drops the PrincipalCache entry, so an access token
 * of an ended session is refused at once.
 */
@Injectable()
export class SessionService {
  private readonly ttlSeconds: number;

  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(AccessTokens) private readonly tokens: AccessTokens,
    @Inject(PrincipalCache) private readonly cache: PrincipalCache,
    @Inject(CONFIG) config: ControlPlaneConfig,
  ) {
    this.ttlSeconds = config.INOSEC_REFRESH_TOKEN_TTL_SECONDS;
  }

  /**
   * Opens a session for `user` inside the caller's tenant transaction and mints its first token pair.
   * `sessionId` fixes the id in advance (the second-factor step); taken → SessionTakenProblem. `delegatedFrom`
   * ties a platform operator's session in another tenant to its own (the tenant switcher).
   */
  async open(
    client: pg.ClientBase,
    user: AuthUser,
    info: ClientInfo,
    options: { mfa: boolean; sessionId?: string; delegatedFrom?: string },
  ): Promise<TokenPair> {
    const session = await insertSession(client, {
      id: options.sessionId ?? randomUUID(),
      tenantId: user.tenantId,
      userId: user.id,
      ttlSeconds: this.ttlSeconds,
      ip: info.ip,
      userAgent: info.userAgent,
      mfa: options.mfa,
      delegatedFrom: options.delegatedFrom,
    });
    if (session === undefined) throw new SessionTakenProblem();
    return this.mint(client, user, session.id, 0, session.expiresAt);
  }

  /**
   * Rotates a refresh token: the presented one is used up atomically and a new pair is returned. A token used
   * a second time ends its session (every token of the family, the newest included) and answers 401
   * `refresh_token_reused`; an unknown, expired or revoked one answers 401 `invalid_refresh_token`.
   */
  async refresh(token: string, info: ClientInfo): Promise<TokenPair> {
    const tenantId = refreshTokenTenant(token);
    if (tenantId === undefined) throw invalidRefresh();
    const digest = refreshTokenDigest(token);
    const outcome = await this.db.tx({ tenantId }, async (client): Promise<RefreshOutcome> => {
      const used = await useRefreshToken(client, digest);
      if (used === undefined) {
        const known = await findRefreshToken(client, digest);
        if (known === undefined || !known.used) return { kind: 'invalid' };
        const ended = await revokeSession(client, known.sessionId, 'refresh_reuse');
        await recordAudit(client, {
          tenantId,
          actorType: 'anonymous',
          actorIp: info.ip,
          action: 'auth.refresh_reuse',
          resourceType: 'session',
          resourceId: known.sessionId,
          outcome: 'denied',
          requestId: info.requestId,
          details: { userId: known.userId, sessionRevoked: ended },
        });
        return { kind: 'reused', sessionId: known.sessionId };
      }
      const state = await readSessionState(client, used.sessionId);
      if (
        used.expired ||
        state === undefined ||
        !state.live ||
        state.userStatus !== 'active' ||
        state.tenantStatus !== 'active'
      ) {
        return { kind: 'invalid' };
      }
      const user = await findUserById(client, state.userId);
      if (user === undefined) return { kind: 'invalid' };
      const expiresAt = await touchSession(client, used.sessionId, this.ttlSeconds);
      return {
        kind: 'ok',
        pair: await this.mint(client, user, used.sessionId, used.generation + 1, expiresAt),
      };
    });
    if (outcome.kind === 'reused') {
      this.cache.invalidateSession(outcome.sessionId);
      throw new UnauthorizedProblem(
        'this refresh token was already used; the session was ended for safety, sign in again',
        'refresh_token_reused',
      );
    }
    if (outcome.kind === 'invalid') throw invalidRefresh();
    return outcome.pair;
  }

  /** Ends the caller's session. */
  async logout(auth: AuthContext, info: ClientInfo): Promise<void> {
    await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      await revokeSession(client, auth.sessionId, 'logout', auth.userId);
      await recordAudit(client, {
        ...actor(auth, info),
        action: 'auth.logout',
        resourceType: 'session',
        resourceId: auth.sessionId,
        outcome: 'success',
      });
    });
    this.cache.invalidateSession(auth.sessionId);
  }

  /** Ends every session of the caller (this one included); returns how many ended. */
  async logoutAll(auth: AuthContext, info: ClientInfo): Promise<number> {
    const ended = await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      const ids = await revokeUserSessions(client, auth.userId, 'revoke_all');
      await recordAudit(client, {
        ...actor(auth, info),
        action: 'auth.logout_all',
        resourceType: 'user',
        resourceId: auth.userId,
        outcome: 'success',
        details: { sessions: ids.length },
      });
      return ids;
    });
    this.cache.invalidateUser(auth.userId);
    for (const id of ended) this.cache.invalidateSession(id);
    return ended.length;
  }

  /** The caller's live sessions, newest first. */
  async list(
    auth: AuthContext,
    limit: number,
    after?: { position: string; id: string },
  ): Promise<{ rows: SessionRow[]; more: boolean }> {
    const rows = await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, (client) =>
      listLiveSessions(client, auth.userId, limit + 1, after),
    );
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  /** Ends one of the caller's own live sessions; 404 for any other id. */
  async revokeOwn(auth: AuthContext, sessionId: string, info: ClientInfo): Promise<void> {
    await this.db.tx({ tenantId: auth.tenantId, userId: auth.userId }, async (client) => {
      const ended = await revokeSession(client, sessionId, 'logout', auth.userId);
      if (!ended) throw new NotFoundProblem('session');
      await recordAudit(client, {
        ...actor(auth, info),
        action: 'auth.session_revoke',
        resourceType: 'session',
        resourceId: sessionId,
        outcome: 'success',
      });
    });
    this.cache.invalidateSession(sessionId);
  }

  private async mint(
    client: pg.ClientBase,
    user: AuthUser,
    sessionId: string,
    generation: number,
    expiresAt: Date,
  ): Promise<TokenPair> {
    const refreshToken = newRefreshToken(user.tenantId);
    await insertRefreshToken(client, {
      digest: refreshTokenDigest(refreshToken),
      tenantId: user.tenantId,
      sessionId,
      generation,
      expiresAt,
    });
    const accessToken = await this.tokens.issue({ userId: user.id, tenantId: user.tenantId, sessionId });
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.tokens.ttlSeconds,
      refreshExpiresAt: expiresAt.toISOString(),
      user: userSummaryOf(user),
    };
  }
}

function invalidRefresh(): UnauthorizedProblem {
  return new UnauthorizedProblem('the refresh token is not valid; sign in again', 'invalid_refresh_token');
}

/** The audit actor fields of an authenticated request. */
export function actor(
  auth: AuthContext,
  info: ClientInfo,
): { tenantId: string; actorType: 'user'; actorId: string; actorIp: string | null; requestId: string } {
  return {
    tenantId: auth.tenantId,
    actorType: 'user',
    actorId: auth.userId,
    actorIp: info.ip,
    requestId: info.requestId,
  };
}
