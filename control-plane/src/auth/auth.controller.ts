import { Controller, Inject, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import type { AuthContext } from './auth-context.js';
import { PublicRateLimitGuard } from './auth-rate-limit.js';
import { AuthService } from './auth.service.js';
import {
  done,
  loginBody,
  loginTotpBody,
  me,
  mfaChallenge,
  refreshBody,
  tokenPair,
  type MfaChallenge,
  type TokenPair,
} from './auth.schemas.js';
import { Client, type ClientInfo } from './client-info.js';
import { SessionService, userSummaryOf } from './session.service.js';

const TAGS = ['auth'];

/** Sign-in, token refresh, sign-out and the caller's identity. */
@Controller('api/auth')
@UseGuards(PublicRateLimitGuard)
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(SessionService) private readonly sessions: SessionService,
  ) {}

  @Endpoint({
    method: 'POST',
    path: 'login',
    operationId: 'login',
    summary: 'Sign in with tenant, email and password',
    description:
      'Answers a token pair, or `mfaRequired` with a 5-minute mfaToken when the user has TOTP on. 401 ' +
      '`invalid_credentials` for any wrong tenant, email or password; 403 `email_not_verified` or ' +
      '`tenant_inactive` only after a correct password; 429 `too_many_attempts` (with Retry-After) once the ' +
      'account name is locked after repeated failures, and 429 `rate_limited` for too many requests per address.',
    tags: TAGS,
    access: 'public',
    body: loginBody,
    responses: {
      200: { description: 'Signed in, or a second factor is required', schema: tokenPair.or(mfaChallenge) },
    },
  })
  async login(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof loginBody>>,
    @Client() client: ClientInfo,
  ): Promise<TokenPair | MfaChallenge> {
    return this.auth.login(input.body, client);
  }

  @Endpoint({
    method: 'POST',
    path: 'login/totp',
    operationId: 'loginTotp',
    summary: 'Complete a sign-in with a TOTP code or a recovery code',
    description:
      'A code works once: 401 `totp_code_reused` for a code already accepted, `invalid_totp_code` for a wrong ' +
      'one, `invalid_recovery_code` for a recovery code that is wrong or used (wrong codes count towards the ' +
      'lockout), `invalid_token` for a bad, expired or used mfaToken. Give `code` or `recoveryCode`, not both.',
    tags: TAGS,
    access: 'public',
    body: loginTotpBody,
    responses: { 200: { description: 'Signed in', schema: tokenPair } },
  })
  async loginTotp(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof loginTotpBody>>,
    @Client() client: ClientInfo,
  ): Promise<TokenPair> {
    return this.auth.loginTotp(input.body, client);
  }

  @Endpoint({
    method: 'POST',
    path: 'refresh',
    operationId: 'refreshToken',
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'Each refresh token works once. Presenting a used one ends its whole session (401 ' +
      '`refresh_token_reused`); an unknown, expired or revoked one is 401 `invalid_refresh_token`.',
    tags: TAGS,
    access: 'public',
    body: refreshBody,
    responses: { 200: { description: 'A new token pair', schema: tokenPair } },
  })
  async refresh(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof refreshBody>>,
    @Client() client: ClientInfo,
  ): Promise<TokenPair> {
    return this.sessions.refresh(input.body.refreshToken, client);
  }

  @Endpoint({
    method: 'POST',
    path: 'logout',
    operationId: 'logout',
    summary: 'End the current session',
    tags: TAGS,
    access: 'authenticated',
    responses: { 200: { description: 'Signed out', schema: done } },
  })
  async logout(
    @Auth() auth: AuthContext,
    @Client() client: ClientInfo,
    // Validated so a body is refused (the route takes none).
    @Input() _input: RouteInput,
  ): Promise<z.infer<typeof done>> {
    await this.sessions.logout(auth, client);
    return { status: 'ok' };
  }

  @Endpoint({
    method: 'POST',
    path: 'logout-all',
    operationId: 'logoutAll',
    summary: 'End every session of the current user, this one included',
    tags: TAGS,
    access: 'authenticated',
    responses: { 200: { description: 'Signed out everywhere', schema: done } },
  })
  async logoutAll(
    @Auth() auth: AuthContext,
    @Client() client: ClientInfo,
    @Input() _input: RouteInput,
  ): Promise<z.infer<typeof done>> {
    await this.sessions.logoutAll(auth, client);
    return { status: 'ok' };
  }

  @Endpoint({
    method: 'GET',
    path: 'me',
    operationId: 'getMe',
    summary: 'The signed-in user, tenant, permissions and second-factor state',
    tags: TAGS,
    access: 'authenticated',
    responses: { 200: { description: 'The caller', schema: me } },
  })
  async me(@Auth() auth: AuthContext): Promise<z.infer<typeof me>> {
    const { user, tenant, recoveryCodesLeft } = await this.auth.me(auth);
    return {
      user: {
        ...userSummaryOf(user),
        createdAt: user.createdAt.toISOString(),
        lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      },
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      permissions: [...auth.permissions].sort(),
      mfa: { enabled: user.totpEnabledAt !== null, session: auth.mfa, recoveryCodesLeft },
      superAdmin: auth.superAdmin,
      platformOperator: auth.platformOperator,
    };
  }
}
