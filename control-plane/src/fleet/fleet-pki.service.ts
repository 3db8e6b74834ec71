import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { TenantDb } from '../database/tenant-db.js';
import { SecretBox } from '../security/secret-box.js';
import {
  certificateSha256,
  createRootCa,
  createTenantCa,
  exportPrivateKeyPem,
  importCaKey,
  issueServerCertificate,
  x509,
  type CaKeyPair,
  type ServerTls,
} from './certificate-authority.js';
import {
  findPlatformCa,
  findTenantCa,
  insertPlatformCa,
  insertPolicyKey,
  insertTenantCa,
  listPolicyKeys,
  type StoredCa,
} from './fleet-pki.repository.js';

const ROOT_DAYS = 20 * 365;
const TENANT_CA_DAYS = 10 * 365;
/** Server certificates: at most 397 days, as browsers and most TLS stacks expect. */
const SERVER_DAYS = 397;

/** The platform root CA as agents and servers trust it. */
export interface RootCa extends CaKeyPair {
  pem: string;
  /** SHA-256 of the DER certificate, lower-case hex: what `--ca-sha256` pins at enrollment. */
  sha256: string;
}

/** A tenant's policy signing key. */
export interface PolicySigningKey {
  keyId: string;
  publicKeyPem: string;
  privateKey: KeyObject;
}

/**
 * The fleet PKI: one platform root CA (ECDSA P-256, 20 years) and per tenant an intermediate CA (10 years)
 * and an Ed25519 policy signing key, each created on first use and stored with its private key sealed by the
 * data key (contexts `platform-ca`, `tenant-ca:<tenant>`, `policy-key:<tenant>`). Concurrent first uses race
 * on an INSERT … ON CONFLICT DO NOTHING and all read the winner. Usable without Nest (the appliance builds one
 * from its pool and secret box before the HTTP server starts).
 */
@Injectable()
export class FleetPki {
  private rootCa: Promise<RootCa> | undefined;
  private readonly tenantCas = new Map<string, CaKeyPair & { pem: string }>();

  constructor(
    @Inject(TenantDb) private readonly db: TenantDb,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
  ) {}

  /** The platform root CA, created at the first call of any process sharing the database. */
  root(): Promise<RootCa> {
    this.rootCa ??= this.loadRoot().catch((error: unknown) => {
      this.rootCa = undefined;
      throw error;
    });
    return this.rootCa;
  }

  private async loadRoot(): Promise<RootCa> {
    let stored = await this.db.unscoped((client) => findPlatformCa(client));
    if (!stored) {
      const created = await createRootCa('InoSec platform root CA', ROOT_DAYS);
      const keySealed = this.secretBox.seal(await exportPrivateKeyPem(created.key), 'platform-ca');
      await this.db.unscoped((client) =>
        insertPlatformCa(client, {
          certPem: created.cert.toString('pem'),
          keySealed,
          sha256: certificateSha256(created.cert),
          notAfter: created.cert.notAfter,
        }),
      );
      stored = await this.db.unscoped((client) => findPlatformCa(client));
      if (!stored) throw new Error('the platform root CA could not be stored');
    }
    return {
      ...(await this.openCa(stored, 'platform-ca')),
      pem: stored.certPem,
      sha256: stored.sha256.toString('hex'),
    };
  }

  private async openCa(stored: StoredCa, context: string): Promise<CaKeyPair> {
    return {
      cert: new x509.X509Certificate(stored.certPem),
      key: await importCaKey(this.secretBox.open(stored.keySealed, context).toString('utf8')),
    };
  }

  /** The tenant's CA, created on first use; `client` is a transaction scoped to `tenantId`. */
  async tenantCa(client: pg.ClientBase, tenantId: string): Promise<CaKeyPair & { pem: string }> {
    const cached = this.tenantCas.get(tenantId);
    if (cached) return cached;
    const context = `tenant-ca:${tenantId}`;
    let stored = await findTenantCa(client, tenantId);
    if (!stored) {
      const created = await createTenantCa(await this.root(), tenantId, TENANT_CA_DAYS);
      await insertTenantCa(client, tenantId, {
        certPem: created.cert.toString('pem'),
        keySealed: this.secretBox.seal(await exportPrivateKeyPem(created.key), context),
        sha256: certificateSha256(created.cert),
        notAfter: created.cert.notAfter,
      });
      stored = await findTenantCa(client, tenantId);
      if (!stored) throw new Error(`the CA of tenant ${tenantId} could not be stored`);
    }
    const ca = { ...(await this.openCa(stored, context)), pem: stored.certPem };
    this.tenantCas.set(tenantId, ca);
    return ca;
  }

  /** The tenant's policy keys (public part): what agents verify policies with. Creates the first one. */
  async policyKeys(
    client: pg.ClientBase,
    tenantId: string,
  ): Promise<Array<{ keyId: string; publicKeyPem: string }>> {
    await this.signingKey(client, tenantId);
    return (await listPolicyKeys(client)).map(({ keyId, publicKeyPem }) => ({ keyId, publicKeyPem }));
  }

  /** The tenant's active policy signing key, created on first use. */
  async signingKey(client: pg.ClientBase, tenantId: string): Promise<PolicySigningKey> {
    const context = `policy-key:${tenantId}`;
    let active = (await listPolicyKeys(client)).find((key) => key.retiredAt === null);
    if (!active) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      await insertPolicyKey(client, tenantId, {
        keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16),
        publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
        keySealed: this.secretBox.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }), context),
      });
      active = (await listPolicyKeys(client)).find((key) => key.retiredAt === null);
      if (!active) throw new Error(`the policy key of tenant ${tenantId} could not be stored`);
    }
    return {
      keyId: active.keyId,
      publicKeyPem: active.publicKeyPem,
      privateKey: createPrivateKey(this.secretBox.open(active.keySealed, context)),
    };
  }

  /**
   * A server certificate from the root for `names` (DNS names and IP addresses) with a new key: what a
   * collector or the AgentControl service presents. Not stored: the caller writes it where its server reads it.
   */
  async issueServerTls(commonName: string, names: readonly string[]): Promise<ServerTls> {
    return issueServerCertificate({ ca: await this.root(), commonName, names, days: SERVER_DAYS });
  }
}
