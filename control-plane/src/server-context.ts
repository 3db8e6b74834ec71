import type { SecretBox } from './security/secret-box.js';

/**
 * What the composition root (the appliance, a test) resolves before the application starts: the secrets
 * (from the environment or generated once into the secrets directory), where state lives, and the public
 * URL for links in mails.
 */
export interface ServerContext {
  /** Signs access tokens (INOSEC_JWT_SECRET). */
  jwtSecret: string;
  /** Seals TOTP secrets and tenant CA keys (INOSEC_DATA_KEY). */
  secretBox: SecretBox;
  /** A directory for state files (outbox of unsent mail, PKI); 0700. */
  dataDir: string;
  /** The console's URL for links in mails; default: the URL the server listens on. */
  publicUrl?: string;
}
