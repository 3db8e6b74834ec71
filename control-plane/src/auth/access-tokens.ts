import { webcrypto } from 'node:crypto';
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
interface Verified {
  claims: AccessClaims;
  /** The token's exp, in ms. */
  expiresAt: number;
}

const VERIFIED_CACHE_MAX = 50_000;

export class AccessTokens {
  private readonly secret: Uint8Array;
  /** The HMAC key imported once (jose would import a raw secret on every call). */
  private key: Promise<webcrypto.CryptoKey> | undefined;
  /**
   * Access tokens already verified, until their exp: a token's claims depend only on its bytes and the
   * secret, so a request with a known token skips the HMAC and the claim checks (the session is still
   * checked on every request). Bounded, oldest first out. MFA tokens are not kept (they are used once).
   */
  private readonly verified = new Map<string, Verified>();

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.secret = new TextEncoder().encode(secret);
  }

  private hmacKey(): Promise<webcrypto.CryptoKey> {
    this.key ??= webcrypto.subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    return this.key;
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
      .sign(await this.hmacKey());
  }

  /** Verifies signature, issuer, audience, expiry and type; throws UnauthorizedProblem for any failure. */
  async verify(token: string, typ: 'access' | 'mfa' = 'access'): Promise<AccessClaims> {
    if (typ === 'access') {
      const known = this.verified.get(token);
      if (known !== undefined) {
        if (Date.now() < known.expiresAt) return known.claims;
        this.verified.delete(token);
      }
    }
    try {
      const { payload } = await jwtVerify(token, await this.hmacKey(), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        clockTolerance: 5,
      });
      const { sub, tid, sid, exp } = payload;
      if (
        payload['typ'] !== typ ||
        typeof sub !== 'string' ||
        typeof tid !== 'string' ||
        typeof sid !== 'string' ||
        typeof exp !== 'number'
      ) {
        throw new UnauthorizedProblem('the token is not an access token', 'invalid_token');
      }
      const claims: AccessClaims = { userId: sub, tenantId: tid, sessionId: sid };
      if (typ === 'access') this.remember(token, claims, exp * 1000);
      return claims;
    } catch (error) {
      if (error instanceof UnauthorizedProblem) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new UnauthorizedProblem('the token expired', 'token_expired');
      throw new UnauthorizedProblem('the token is not valid', 'invalid_token');
    }
  }

  private remember(token: string, claims: AccessClaims, expiresAt: number): void {
    if (this.verified.size >= VERIFIED_CACHE_MAX) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, { claims, expiresAt });
  }
}
