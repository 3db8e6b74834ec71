import { InosecError } from '@inosec/protos';

/** Why an enrollment was refused; the gRPC boundary maps each to a status once. */
export type EnrollmentRefusal =
  'invalid_request' | 'token_invalid' | 'key_request_invalid' | 'key_type_unsupported' | 'tenant_inactive';

/** Enroll refused: a bad or spent token, a CSR that does not verify, an unsupported key, an inactive tenant. */
export class EnrollmentRefusedError extends InosecError {
  constructor(
    readonly reason: EnrollmentRefusal,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`enrollment_${reason}`, message, options);
  }
}

/** Why an agent's mTLS call was refused. */
export type AgentAuthRefusal =
  'no_certificate' | 'unknown' | 'certificate_mismatch' | 'revoked' | 'expired' | 'tenant_inactive';

/** A Heartbeat / GetPolicy caller is not an enrolled, live agent of an active tenant. */
export class AgentAuthError extends InosecError {
  constructor(
    readonly reason: AgentAuthRefusal,
    message: string,
  ) {
    super(`agent_${reason}`, message);
  }
}

/** A policy document does not fit inosec.v1.Policy's bounds. */
export class PolicyInvalidError extends InosecError {
  constructor(message: string) {
    super('policy_invalid', message);
  }
}
