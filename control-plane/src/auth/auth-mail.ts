// The mails authentication sends. Bodies hold single-use links: never log them.
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import { Mailer, type OutgoingMail } from '../mail/mailer.js';
import type { ServerContext } from '../server-context.js';
import { CONFIG, LOGGER, SERVER_CONTEXT } from '../tokens.js';

/** Lifetimes of mailed tokens. */
export const VERIFY_EMAIL_TTL_SECONDS = 24 * 3600;
export const RESET_PASSWORD_TTL_SECONDS = 3600;

/** Builds and sends authentication mails; links point at the console's public URL. */
@Injectable()
export class AuthMail {
  private readonly base: string;
  private readonly logger: Logger;

  constructor(
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(CONFIG) config: ControlPlaneConfig,
    @Inject(SERVER_CONTEXT) context: ServerContext,
    @Inject(LOGGER) logger: Logger,
  ) {
    const base =
      context.publicUrl ??
      config.INOSEC_PUBLIC_URL ??
      `http://${config.INOSEC_HTTP_HOST}:${config.INOSEC_HTTP_PORT}`;
    this.base = base.replace(/\/+$/, '');
    this.logger = logger.child({ component: 'auth-mail' });
  }

  verifyEmail(to: string, tenantName: string, token: string): OutgoingMail {
    return {
      to,
      subject: `Verify your email address for ${tenantName} on InoSec`,
      text: [
        `Someone (hopefully you) created an InoSec account for ${to} in ${tenantName}.`,
        '',
        'Confirm your email address by opening this link within 24 hours:',
        `${this.base}/verify-email?token=${token}`,
        '',
        'If you did not ask for this, ignore this message: the account stays unusable.',
      ].join('\n'),
    };
  }

  registrationAttempt(to: string, tenantName: string): OutgoingMail {
    return {
      to,
      subject: `Someone tried to register your email address in ${tenantName} on InoSec`,
      text: [
        `Someone tried to create a new InoSec account for ${to} in ${tenantName}, but you already have one.`,
        '',
        'Nothing changed. If you forgot your password, reset it here:',
        `${this.base}/forgot-password`,
        '',
        'If this was not you, you can ignore this message.',
      ].join('\n'),
    };
  }

  resetPassword(to: string, tenantName: string, token: string): OutgoingMail {
    return {
      to,
      subject: `Reset your InoSec password for ${tenantName}`,
      text: [
        `Someone (hopefully you) asked to reset the password of ${to} in ${tenantName}.`,
        '',
        'Choose a new password by opening this link within 1 hour (it works once):',
        `${this.base}/reset-password?token=${token}`,
        '',
        'If you did not ask for this, ignore this message: your password stays as it is.',
      ].join('\n'),
    };
  }

  /**
   * Sends in the background: the answer to the request must not depend on whether (or how slowly) a mail went
   * out, or it would tell who has an account. A failure is logged without the body.
   */
  sendLater(mail: OutgoingMail): void {
    this.mailer.send(mail).catch((error: unknown) => {
      this.logger.warn({ err: error, subject: mail.subject }, 'authentication mail not sent');
    });
  }
}
