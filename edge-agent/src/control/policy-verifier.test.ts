import { generateKeyPairSync, sign } from 'node:crypto';
import { Policy, type IPolicy } from '@inosec/protos';
import { describe, expect, it } from 'vitest';
import { PolicyKeyring, PolicyRejectedError, verifySignedPolicy } from './policy-verifier.js';

const AGENT = 'agent-1';
const NOW_US = Date.UTC(2030, 0, 1) * 1000;

function signer() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}
const good = signer();
const other = signer();
const keyring = new PolicyKeyring([{ keyId: 'k1', publicKeyPem: good.publicKeyPem }]);

function signed(policy: IPolicy, key = good.privateKey, keyId = 'k1') {
  const bytes = Policy.encode(policy).finish();
  return { policy: bytes, signature: sign(null, bytes, key), keyId };
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof PolicyRejectedError) return error.reason;
    throw error;
  }
}

describe('verifySignedPolicy', () => {
  const expect7 = { agentId: AGENT, currentVersion: 7, nowUnixUs: NOW_US };

  it('accepts a policy signed by a known key for this agent, same or newer version, not expired', () => {
    expect(Number(verifySignedPolicy(signed({ version: 8, agentId: AGENT }), keyring, expect7).version)).toBe(
      8,
    );
    expect(Number(verifySignedPolicy(signed({ version: 7, agentId: AGENT }), keyring, expect7).version)).toBe(
      7,
    );
    const future = { version: 9, agentId: AGENT, expiresUnixUs: NOW_US + 1 };
    expect(Number(verifySignedPolicy(signed(future), keyring, expect7).version)).toBe(9);
  });

  it('refuses a signature by another key, a tampered byte, a truncated signature or an unknown key id', () => {
    const p = { version: 8, agentId: AGENT };
    expect(reason(() => verifySignedPolicy(signed(p, other.privateKey), keyring, expect7))).toBe(
      'bad_signature',
    );
    const tampered = signed(p);
    const flipped = Uint8Array.from(tampered.policy);
    flipped[flipped.length - 1] = (flipped.at(-1) ?? 0) ^ 1;
    tampered.policy = flipped;
    expect(reason(() => verifySignedPolicy(tampered, keyring, expect7))).toBe('bad_signature');
    const short = signed(p);
    short.signature = short.signature.subarray(0, 63);
    expect(reason(() => verifySignedPolicy(short, keyring, expect7))).toBe('bad_signature');
    expect(reason(() => verifySignedPolicy(signed(p, good.privateKey, 'k2'), keyring, expect7))).toBe(
      'unknown_key',
    );
  });

  it("refuses another agent's policy, a rollback, an expired policy, nothing and signed garbage", () => {
    expect(
      reason(() => verifySignedPolicy(signed({ version: 8, agentId: 'agent-2' }), keyring, expect7)),
    ).toBe('wrong_agent');
    expect(reason(() => verifySignedPolicy(signed({ version: 8 }), keyring, expect7))).toBe('wrong_agent');
    expect(reason(() => verifySignedPolicy(signed({ version: 6, agentId: AGENT }), keyring, expect7))).toBe(
      'rollback',
    );
    const expired = { version: 8, agentId: AGENT, expiresUnixUs: NOW_US };
    expect(reason(() => verifySignedPolicy(signed(expired), keyring, expect7))).toBe('expired');
    expect(reason(() => verifySignedPolicy(undefined, keyring, expect7))).toBe('missing');
    expect(
      reason(() => verifySignedPolicy({ policy: new Uint8Array(), keyId: 'k1' }, keyring, expect7)),
    ).toBe('missing');
    const garbage = Uint8Array.from([0xff, 0xff, 0xff]);
    expect(
      reason(() =>
        verifySignedPolicy(
          { policy: garbage, signature: sign(null, garbage, good.privateKey), keyId: 'k1' },
          keyring,
          expect7,
        ),
      ),
    ).toBe('malformed');
  });

  it('skips the version and expiry checks when loading the stored policy', () => {
    const old = signed({ version: 1, agentId: AGENT, expiresUnixUs: 1 });
    expect(Number(verifySignedPolicy(old, keyring, { agentId: AGENT }).version)).toBe(1);
  });

  it('refuses a signing key that is not Ed25519', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => new PolicyKeyring([{ keyId: 'ec', publicKeyPem: pem }])).toThrow(/not Ed25519/);
    expect(() => new PolicyKeyring([{ keyId: 'bad', publicKeyPem: 'nope' }])).toThrow(/not a PEM public key/);
  });
});
