/** Injection tokens for values the composition root hands to the Nest application. */
export const PG_POOL = Symbol('PG_POOL');
export const METRICS = Symbol('METRICS');
export const SCHEMA_VERSION = Symbol('SCHEMA_VERSION');
