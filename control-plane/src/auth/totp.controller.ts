import { Controller, Inject } from '@nestjs/common';
import type { z } from 'zod';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { refuseForPlatformOperator, type AuthContext } from './auth-context.js';
import {
  done,
  recoveryCodes,
  totpActivateBody,
  totpActivated,
  totpDisableBody,
  totpEnrollment,
} from './auth.schemas.js';
import { Client, type ClientInfo } from './client-info.js';
import { TotpService } from './totp.service.js';

const TAGS = ['auth'];

/** TOTP second factor of the current user. */
@Controller('api/auth/totp')
export class TotpController {
  constructor(@Inject(TotpService) private readonly totp: TotpService) {}

  @Endpoint({
    method: 'POST',
    path: 'enroll',
    operationId: 'enrollTotp',
    summary: 'Start TOTP enrolment: a new secret for the authenticator app',
    description: 'TOTP stays off until /activate verifies a code. 409 `totp_already_enabled` when it is on.',
    tags: TAGS,
    access: 'authenticated',
    responses: { 200: { description: 'The secret (shown once)', schema: totpEnrollment } },
  })
  async enroll(
    @Auth() auth: AuthContext,
    // Validated so a body is refused (the route takes none).
    @Input() _input: RouteInput,
  ): Promise<z.infer<typeof totpEnrollment>> {
    refuseForPlatformOperator(auth);
    return this.totp.enroll(auth);
  }

  @Endpoint({
    method: 'POST',
    path: 'activate',
    operationId: 'activateTotp',
    summary: 'Turn TOTP on with a code from the authenticator app',
    description: '422 `invalid_totp_code` or `totp_code_reused`; 409 when nothing is enrolled.',
    tags: TAGS,
    access: 'authenticated',
    body: totpActivateBody,
    responses: { 200: { description: 'TOTP is on; the recovery codes (shown once)', schema: totpActivated } },
  })
  async activate(
    @Auth() auth: AuthContext,
    @Input() input: RouteInput<unknown, unknown, z.output<typeof totpActivateBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof totpActivated>> {
    refuseForPlatformOperator(auth);
    return { status: 'ok', recoveryCodes: await this.totp.activate(auth, input.body.code, client) };
  }

  @Endpoint({
    method: 'POST',
    path: 'recovery-codes',
    operationId: 'regenerateRecoveryCodes',
    summary: 'A new set of recovery codes (password and a current code); the old ones stop working',
    description: '403 `wrong_password`; 422 `invalid_totp_code` or `totp_code_reused`; 409 when TOTP is off.',
    tags: TAGS,
    access: 'authenticated',
    body: totpDisableBody,
    responses: { 200: { description: 'The new codes (shown once)', schema: recoveryCodes } },
  })
  async regenerateRecoveryCodes(
    @Auth() auth: AuthContext,
    @Input() input: RouteInput<unknown, unknown, z.output<typeof totpDisableBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof recoveryCodes>> {
    refuseForPlatformOperator(auth);
    return { recoveryCodes: await this.totp.regenerateRecoveryCodes(auth, input.body, client) };
  }

  @Endpoint({
    method: 'POST',
    path: 'disable',
    operationId: 'disableTotp',
    summary: 'Turn TOTP off (password and a current code)',
    description: '403 `wrong_password`; 422 `invalid_totp_code` or `totp_code_reused`; 409 when it is off.',
    tags: TAGS,
    access: 'authenticated',
    body: totpDisableBody,
    responses: { 200: { description: 'TOTP is off', schema: done } },
  })
  async disable(
    @Auth() auth: AuthContext,
    @Input() input: RouteInput<unknown, unknown, z.output<typeof totpDisableBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof done>> {
    await this.totp.disable(auth, input.body, client);
    return { status: 'ok' };
  }
}
