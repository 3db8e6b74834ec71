import { Controller, Inject, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { Auth, Endpoint, Input, type RouteInput } from '../http/endpoint.js';
import { AccountService } from './account.service.js';
import { refuseForPlatformOperator, type AuthContext } from './auth-context.js';
import { PublicRateLimitGuard } from './auth-rate-limit.js';
import {
  accepted,
  accountRef,
  changePasswordBody,
  done,
  forgotBody,
  inviteAcceptBody,
  registerBody,
  resendVerificationBody,
  resetBody,
  tokenBody,
} from './auth.schemas.js';
import { Client, type ClientInfo } from './client-info.js';
import { PASSWORD_RULE } from './password.js';

const TAGS = ['auth'];

/** Registration, email verification, invitations and passwords. */
@Controller('api/auth')
@UseGuards(PublicRateLimitGuard)
export class AccountController {
  constructor(@Inject(AccountService) private readonly accounts: AccountService) {}

  @Endpoint({
    method: 'POST',
    path: 'register',
    operationId: 'register',
    summary: 'Register in a tenant open for self-registration',
    description:
      'Creates an unverified viewer and mails a verification link (24 h). Answers 202 whether or not the ' +
      'address already has an account (its owner is notified instead). 403 `registration_closed` when the ' +
      `tenant does not allow self-registration or the email domain. Password rule: ${PASSWORD_RULE}.`,
    tags: TAGS,
    access: 'public',
    body: registerBody,
    status: 202,
    responses: { 202: { description: 'Check your mail', schema: accepted } },
  })
  async register(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof registerBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof accepted>> {
    await this.accounts.register(input.body, client);
    return { status: 'accepted' };
  }

  @Endpoint({
    method: 'POST',
    path: 'verify-email',
    operationId: 'verifyEmail',
    summary: 'Confirm an email address with the mailed token',
    description: 'A token works once; 400 `invalid_token` for an unknown, used or expired one.',
    tags: TAGS,
    access: 'public',
    body: tokenBody,
    responses: { 200: { description: 'Verified', schema: accountRef } },
  })
  async verifyEmail(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof tokenBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof accountRef>> {
    return { status: 'ok', ...(await this.accounts.verifyEmail(input.body.token, client)) };
  }

  @Endpoint({
    method: 'POST',
    path: 'verify-email/resend',
    operationId: 'resendVerificationEmail',
    summary: 'Mail a new verification link',
    description: 'Always 202; a mail goes out only to an active account whose address is not verified yet.',
    tags: TAGS,
    access: 'public',
    body: resendVerificationBody,
    status: 202,
    responses: { 202: { description: 'Check your mail', schema: accepted } },
  })
  async resendVerification(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof resendVerificationBody>>,
  ): Promise<z.infer<typeof accepted>> {
    await this.accounts.resendVerification(input.body);
    return { status: 'accepted' };
  }

  @Endpoint({
    method: 'POST',
    path: 'invite/accept',
    operationId: 'acceptInvite',
    summary: 'Accept an invitation: set a password',
    description: `The invitation works once. Password rule: ${PASSWORD_RULE}.`,
    tags: TAGS,
    access: 'public',
    body: inviteAcceptBody,
    responses: { 200: { description: 'The account is active; sign in', schema: accountRef } },
  })
  async acceptInvite(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof inviteAcceptBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof accountRef>> {
    return { status: 'ok', ...(await this.accounts.acceptInvite(input.body, client)) };
  }

  @Endpoint({
    method: 'POST',
    path: 'password/forgot',
    operationId: 'forgotPassword',
    summary: 'Mail a password reset link',
    description: 'Always 202; the link (1 h, single use) goes out only to an active account.',
    tags: TAGS,
    access: 'public',
    body: forgotBody,
    status: 202,
    responses: { 202: { description: 'Check your mail', schema: accepted } },
  })
  async forgotPassword(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof forgotBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof accepted>> {
    await this.accounts.forgotPassword(input.body, client);
    return { status: 'accepted' };
  }

  @Endpoint({
    method: 'POST',
    path: 'password/reset',
    operationId: 'resetPassword',
    summary: 'Set a new password with the mailed token',
    description: `Single use; ends every session of the user. Password rule: ${PASSWORD_RULE}.`,
    tags: TAGS,
    access: 'public',
    body: resetBody,
    responses: { 200: { description: 'The password changed; sign in', schema: accountRef } },
  })
  async resetPassword(
    @Input() input: RouteInput<unknown, unknown, z.output<typeof resetBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof accountRef>> {
    return { status: 'ok', ...(await this.accounts.resetPassword(input.body, client)) };
  }

  @Endpoint({
    method: 'POST',
    path: 'password/change',
    operationId: 'changePassword',
    summary: 'Change the current user’s password',
    description: `403 \`wrong_password\` when currentPassword is wrong; the user's other sessions end. Password rule: ${PASSWORD_RULE}.`,
    tags: TAGS,
    access: 'authenticated',
    body: changePasswordBody,
    responses: { 200: { description: 'Changed', schema: done } },
  })
  async changePassword(
    @Auth() auth: AuthContext,
    @Input() input: RouteInput<unknown, unknown, z.output<typeof changePasswordBody>>,
    @Client() client: ClientInfo,
  ): Promise<z.infer<typeof done>> {
    refuseForPlatformOperator(auth);
    await this.accounts.changePassword(auth, input.body, client);
    return { status: 'ok' };
  }
}
