import { X509Certificate } from 'node:crypto';
import type { EnrollResponse } from '@inosec/protos';
import { certificateHasKey } from './agent-keys.js';
import { ENROLL_EXIT, EnrollError } from './enroll-errors.js';

/** An agent id as the agent's configuration accepts it (INOSEC_AGENT_ID). */
const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** What enrollment keeps from a checked EnrollResponse. */
export interface CheckedEnrollment {
  agentId: string;
  /** The agent's certificate then intermediates, PEM. */
  chainPem: string;
  /** The trust anchors for collectors and the control plane, PEM (the pinned CA added when missing). */
  caPem: string;
  expiresAt: Date;
}

/** The certificates of a PEM bundle, in order; throws when a block does not parse. */
export function parseCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

function unusable(message: string, cause?: unknown): EnrollError {
  return new EnrollError(ENROLL_EXIT.dataError, `the control plane's answer is unusable: ${message}`, {
    cause,
  });
}

function subjectCn(certificate: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1];
}

/**
 * Checks an EnrollResponse before anything is written: an agent id the agent can use, a certificate chain
 * whose first certificate certifies our public key, names the agent id as its subject CN (the agent reads its id
 * from there), is valid now and is signed by the next certificate of the chain or one of the CA certificates
 * sent. Throws EnrollError(dataError) otherwise.
 */
export function checkEnrollResponse(
  response: EnrollResponse,
  publicKeySpki: Buffer,
  pinnedCaPem: string,
  now = new Date(),
): CheckedEnrollment {
  const agentId = response.agentId;
  if (!AGENT_ID.test(agentId))
    throw unusable(`the agent id "${agentId.slice(0, 140)}" is not 1-128 of A-Z a-z 0-9 . _ -`);
  let chain: X509Certificate[];
  let anchors: X509Certificate[];
  let pinned: X509Certificate[];
  try {
    chain = parseCertificates(response.certificateChainPem);
    anchors = parseCertificates(response.caCertificatePem);
    pinned = parseCertificates(pinnedCaPem);
  } catch (error) {
    throw unusable(`a certificate does not parse: ${(error as Error).message}`, error);
  }
  const leaf = chain[0];
  if (!leaf) throw unusable('no certificate in certificate_chain_pem');
  if (anchors.length === 0) throw unusable('no certificate in ca_certificate_pem');
  if (!certificateHasKey(leaf.toString(), publicKeySpki)) {
    throw unusable("the issued certificate is not for this agent's public key");
  }
  const cn = subjectCn(leaf);
  if (cn !== agentId)
    throw unusable(`the certificate's subject CN (${cn ?? 'none'}) is not the agent id ${agentId}`);
  const notAfter = new Date(leaf.validTo);
  if (new Date(leaf.validFrom) > now || notAfter <= now) {
    throw unusable(`the certificate is not valid now (${leaf.validFrom} to ${leaf.validTo})`);
  }
  const issuers = [...chain.slice(1), ...anchors];
  if (!issuers.some((issuer) => leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey))) {
    throw unusable('the certificate is not signed by a CA the control plane sent');
  }
  const missing = pinned.filter((p) => !anchors.some((a) => a.fingerprint256 === p.fingerprint256));
  const caPem = [...anchors, ...missing].map((c) => c.toString().trim()).join('\n');
  return {
    agentId,
    chainPem: `${chain.map((c) => c.toString().trim()).join('\n')}\n`,
    caPem: `${caPem}\n`,
    expiresAt: notAfter,
  };
}
