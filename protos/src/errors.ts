/**
 * Base class of every error InoSec libraries throw. Boundaries (HTTP, gRPC, NATS) map subclasses to a
 * status once, by `code`; the original error stays reachable through `cause`.
 */
export class InosecError extends Error {
  /** Stable, machine-readable identifier, e.g. `config_invalid`, `proto_decode_failed`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
