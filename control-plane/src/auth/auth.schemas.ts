// Request and response schemas of the auth API (validation and the OpenAPI document).
import { z } from 'zod';
import { schemas } from '../http/endpoint.js';
import { newPasswordSchema, presentedPasswordSchema } from './password.js';

/** A tenant slug as typed on a sign-in page. */
export const tenantSlug = z.string().trim().toLowerCase().min(1).max(63).describe('the tenant slug');
/** An email address, compared in lower case. */
export const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
/** A six-digit TOTP code. */
export const totpCode = z
  .string()
  .regex(/^\s*\d{3}\s?\d{3}\s*$/, 'a code is six digits')
  .describe('the six-digit code of the authenticator app');
/** A mailed single-use token (`<tenantId>.<43 base64url characters>`). */
export const mailedToken = z.string().min(1).max(200);

export const loginBody = z.strictObject({ tenant: tenantSlug, email, password: presentedPasswordSchema });
/** A TOTP recovery code as typed (`xxxxx-xxxxx`; case, dashes and spaces do not matter). */
export const recoveryCode = z
  .string()
  .trim()
  .min(10)
  .max(40)
  .describe('a single-use recovery code, given when two-factor sign-in was turned on');
export const loginTotpBody = z
  .strictObject({
    mfaToken: z.string().min(1).max(2048),
    code: totpCode.optional(),
    recoveryCode: recoveryCode.optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'give either code or recoveryCode',
    path: ['code'],
  });
export const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });
export const registerBody = z.strictObject({
  tenant: tenantSlug,
  email,
  password: newPasswordSchema,
  displayName: z.string().trim().max(200).optional(),
});
export const tokenBody = z.strictObject({ token: mailedToken });
export const resendVerificationBody = z.strictObject({ tenant: tenantSlug, email });
export const inviteAcceptBody = z.strictObject({
  token: mailedToken,
  password: newPasswordSchema,
  displayName: z.string().trim().max(200).optional(),
});
export const forgotBody = z.strictObject({ tenant: tenantSlug, email });
export const resetBody = z.strictObject({ token: mailedToken, password: newPasswordSchema });
export const changePasswordBody = z.strictObject({
  currentPassword: presentedPasswordSchema,
  newPassword: newPasswordSchema,
});
export const totpActivateBody = z.strictObject({ code: totpCode });
export const totpDisableBody = z.strictObject({ password: presentedPasswordSchema, code: totpCode });
export const sessionsQuery = z.strictObject({
  cursor: schemas.cursor.optional(),
  limit: schemas.limit(100, 50),
});

export const userSummary = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  emailVerified: z.boolean(),
  totpEnabled: z.boolean(),
});
export type UserSummary = z.infer<typeof userSummary>;

export const tokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('seconds the access token is valid'),
  refreshExpiresAt: schemas.timestamp.describe('when the session ends unless refreshed'),
  user: userSummary,
});
export type TokenPair = z.infer<typeof tokenPair>;

export const mfaChallenge = z.object({
  mfaRequired: z.literal(true),
  mfaToken: z.string().describe('present it with a TOTP code to /api/auth/login/totp within 5 minutes'),
});
export type MfaChallenge = z.infer<typeof mfaChallenge>;

export const accepted = z.object({ status: z.literal('accepted') });
export const done = z.object({ status: z.literal('ok') });
export const recoveryCodes = z.object({
  recoveryCodes: z
    .array(z.string())
    .describe('ten single-use codes, each standing in for one authenticator code; shown once'),
});
export const totpActivated = done.extend(recoveryCodes.shape);
export const accountRef = z.object({
  status: z.literal('ok'),
  tenant: z.string().describe('the tenant slug to sign in to'),
  email: z.string(),
});

export const sessionItem = z.object({
  id: z.uuid(),
  createdAt: schemas.timestamp,
  lastUsedAt: schemas.timestamp,
  expiresAt: schemas.timestamp,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  mfa: z.boolean(),
  current: z.boolean(),
});
export const sessionList = z.object({ items: z.array(sessionItem), nextCursor: z.string().nullable() });

export const me = z.object({
  user: userSummary.extend({ createdAt: schemas.timestamp, lastLoginAt: schemas.timestamp.nullable() }),
  tenant: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  permissions: z.array(z.string()),
  mfa: z.object({
    enabled: z.boolean(),
    session: z.boolean().describe('this session passed the second factor'),
    recoveryCodesLeft: z.number().int().describe('unused recovery codes (0 while two-factor sign-in is off)'),
  }),
  superAdmin: z.boolean(),
  platformOperator: z
    .boolean()
    .describe(
      "a platform operator working in this tenant through the tenant switcher (password and TOTP are the operator's own, in its tenant)",
    ),
});

export const totpEnrollment = z.object({
  secret: z.string().describe('base32; shown once, for manual entry'),
  otpauthUri: z.string().describe('otpauth:// URI for a QR code'),
});
