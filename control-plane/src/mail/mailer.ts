import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InosecError } from '@inosec/protos';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

/** A mail could not be handed to the SMTP server (or written to the outbox). */
export class MailDeliveryError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('mail_delivery_failed', message, options);
  }
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends mail through SMTP (INOSEC_SMTP_URL), or, with no SMTP configured (a fresh appliance), writes each
 * message as an .eml file into `<data>/outbox` (0700) so links still reach an operator without ever going to
 * the logs. Never logs a message body: it holds single-use tokens.
 */
export class Mailer {
  private readonly transport: Transporter;
  private readonly outbox: string | undefined;

  constructor(
    options: { smtpUrl?: string; from: string; dataDir: string },
    private readonly logger: Logger,
    private readonly from = options.from,
  ) {
    if (options.smtpUrl !== undefined) {
      this.transport = nodemailer.createTransport(options.smtpUrl, { from: options.from });
      this.outbox = undefined;
    } else {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.outbox = path.join(options.dataDir, 'outbox');
    }
  }

  /** Sends one mail; throws MailDeliveryError when the server refuses it or cannot be reached. */
  async send(mail: OutgoingMail): Promise<void> {
    try {
      const info = (await this.transport.sendMail({ from: this.from, ...mail })) as { message?: Buffer };
      if (this.outbox !== undefined) {
        await mkdir(this.outbox, { recursive: true, mode: 0o700 });
        const file = path.join(
          this.outbox,
          `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`,
        );
        await writeFile(file, info.message ?? '', { mode: 0o600 });
        this.logger.info(
          { to: mail.to, subject: mail.subject, file },
          'Mail written to the outbox (no SMTP server configured)',
        );
      } else {
        this.logger.info({ to: mail.to, subject: mail.subject }, 'Mail sent');
      }
    } catch (error) {
      this.logger.warn({ err: error, to: mail.to, subject: mail.subject }, 'Mail could not be sent');
      throw new MailDeliveryError(`mail to ${mail.to} could not be sent: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  close(): void {
    this.transport.close();
  }
}
