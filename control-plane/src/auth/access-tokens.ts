import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { UnauthorizedProblem } from '../http/problems.js';

/** What an access token says: who, in which tenant, through which session. */
export interface AccessClaims {
  userId: string;
  tenantId: string;
  sessionId: string;
}

const ISSUER = 'inosec';
const AUDIENCE = 'inosec-api';
const ALGORITHM = 'HS256';

/**
 * Short-lived access tokens: HS256 JWTs with sub (user), tid (tenant), sid (session), typ. They are
 * checked against the session on every request too (auth.guard.ts), so a logout or a revocation ends them
 * without waiting for expiry. A second typ, `mfa`, marks the 5-minute token between password and TOTP.
 */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(
    claims: AccessClaims,
    typ: 'access' | 'mfa' = 'access',
    ttlSeconds = this.ttlSeconds,
  ): Promise<string> {
    return new SignJWT({ tid: claims.tenantId, sid: claims.sessionId, typ })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }

  /** Verifies signature, issuer, audience, expiry and type; throws UnauthorizedProblem for any failure. */
  async verify(token: string, typ: 'access' | 'mfa' = 'access'): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        clockTolerance: 5,
      });
      const { sub, tid, sid } = payload;
      if (
        payload['typ'] !== typ ||
        typeof sub !== 'string' ||
        typeof tid !== 'string' ||
        typeof sid !== 'string'
      ) {
        throw new UnauthorizedProblem('the token is not an access token', 'invalid_token');
      }
      return { userId: sub, tenantId: tid, sessionId: sid };
    } catch (error) {
      if (error instanceof UnauthorizedProblem) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new UnauthorizedProblem('the token expired', 'token_expired');
      throw new UnauthorizedProblem('the token is not valid', 'invalid_token');
    }
  }
}
