// The invitation a new user receives: a single-use link to the console's accept page, where they choose a
// password (the auth module's POST /api/auth/invite/accept consumes the token).
import type { ControlPlaneConfig } from '../config/control-plane.config.js';
import type { OutgoingMail } from '../mail/mailer.js';
import type { ServerContext } from '../server-context.js';

/** How long an invitation link works: 7 days. */
export const INVITE_TTL_SECONDS = 7 * 86_400;

/** The console's base URL for links in mails, without a trailing slash. */
export function consoleUrl(context: ServerContext, config: ControlPlaneConfig): string {
  const base = context.publicUrl ?? config.INOSEC_PUBLIC_URL ?? `http://localhost:${config.INOSEC_HTTP_PORT}`;
  return base.replace(/\/+$/, '');
}

/** The invitation mail for `to` into tenant `tenant` carrying the single-use `token`. */
export function invitationMail(options: {
  to: string;
  baseUrl: string;
  token: string;
  tenant: { slug: string; name: string };
  invitedBy?: string;
}): OutgoingMail {
  const link = `${options.baseUrl}/accept-invite?token=${encodeURIComponent(options.token)}`;
  const by = options.invitedBy === undefined ? '' : ` by ${options.invitedBy}`;
  return {
    to: options.to,
    subject: `You are invited to InoSec (${options.tenant.name})`,
    text: [
      `You have been invited${by} to the InoSec workspace "${options.tenant.name}" (${options.tenant.slug}).`,
      '',
      'Open this link to choose your password and sign in:',
      link,
      '',
      `The link works once and expires in ${INVITE_TTL_SECONDS / 86_400} days.`,
      'If you did not expect this invitation, ignore this mail.',
      '',
    ].join('\n'),
  };
}
