/** Injection tokens for values the composition root hands to the Nest application. */
export const PG_POOL = Symbol('PG_POOL');
export const METRICS = Symbol('METRICS');
export const SCHEMA_VERSION = Symbol('SCHEMA_VERSION');
/** The ControlPlaneConfig, parsed once at start. */
export const CONFIG = Symbol('CONFIG');
/** The process's pino Logger (derive a child with `component`). */
export const LOGGER = Symbol('LOGGER');
/** The ServerContext (public URL, data directory, secrets). */
export const SERVER_CONTEXT = Symbol('SERVER_CONTEXT');
