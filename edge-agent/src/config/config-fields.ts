// Environment-variable validators for the agent's configuration, written by hand instead of with zod: zod's
// code and the schemas built from it cost the agent about 2 MiB of its idle memory (edge-agent/scripts/README.md).
// The errors are the same as those of the other components' zod schemas (@inosec/protos parseConfig): a
// ConfigError listing every bad variable with its expected form and the value received, secrets hidden.
import { ConfigError, redactUrl, type ConfigIssue } from '@inosec/protos';

/** The outcome of checking one value; the shape of zod's `safeParse`, so tools reading schemas read these too. */
export type FieldResult<T> = { success: true; data: T } | { success: false; error: string };

/** One environment variable: its expected form and its check. */
export interface ConfigField<T> {
  /** The expected form, quoted in errors and in .env.example: what the value must look like, and its default. */
  readonly description: string;
  /** Checks a value (undefined: unset); `error` says why a value is refused. */
  safeParse(value: unknown): FieldResult<T>;
}

/** The output type of a field. */
export type FieldOutput<F> = F extends ConfigField<infer T> ? T : never;

/** A set of variables read together: `shape` maps each variable name to its field. */
export interface ConfigSchema<S extends Record<string, ConfigField<unknown>>> {
  readonly shape: S;
}

const fail = (error: string): FieldResult<never> => ({ success: false, error });

/** Wraps a check of a defined string: unset gives `fallback` (or undefined when optional, an error when required). */
function field<T>(
  description: string,
  unset: FieldResult<T>,
  check: (value: string) => FieldResult<T>,
): ConfigField<T> {
  return {
    description,
    safeParse: (value) => {
      if (value === undefined) return unset;
      if (typeof value !== 'string') return fail(`not a string but ${typeof value}`);
      return check(value);
    },
  };
}

const required: FieldResult<never> = fail('required but unset');

/** A string matching `pattern` (when given), at least one character. */
export function text(
  description: string,
  options: { pattern?: RegExp; fallback: string },
): ConfigField<string>;
export function text(description: string, options?: { pattern?: RegExp }): ConfigField<string | undefined>;
export function text(
  description: string,
  options: { pattern?: RegExp; fallback?: string } = {},
): ConfigField<string | undefined> {
  const { pattern, fallback } = options;
  return field<string | undefined>(description, { success: true, data: fallback }, (value) => {
    if (value.length === 0) return fail('empty');
    if (pattern && !pattern.test(value)) return fail(`does not match ${String(pattern)}`);
    return { success: true, data: value };
  });
}

/** One of `choices`; `fallback` when unset. */
export function choice<const C extends string>(
  description: string,
  choices: readonly C[],
  fallback: NoInfer<C>,
): ConfigField<C> {
  return field<C>(description, { success: true, data: fallback }, (value) =>
    (choices as readonly string[]).includes(value)
      ? { success: true, data: value as C }
      : fail(`not one of ${choices.join(', ')}`),
  );
}

/** A required absolute URL with a host whose scheme (without the colon) is one of `schemes`; returned trimmed. */
export function url(description: string, schemes: readonly string[]): ConfigField<string> {
  return field<string>(description, required, (value) => {
    const trimmed = value.trim();
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return fail('not a URL');
    }
    const scheme = parsed.protocol.slice(0, -1);
    if (!schemes.includes(scheme)) return fail(`scheme ${scheme} is not one of ${schemes.join(', ')}`);
    if (!trimmed.includes('://') || parsed.hostname === '') return fail('no host');
    return { success: true, data: trimmed };
  });
}

const BYTE_SIZE = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i;
const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

/** A size such as `512MiB`, `2 GiB` or `1048576` (bytes), at least `min` bytes; in bytes. */
export function byteSize(
  description: string,
  options: { min: number; fallback: string },
): ConfigField<number> {
  const parse = (value: string): FieldResult<number> => {
    const match = BYTE_SIZE.exec(value.trim());
    if (!match) return fail('not a whole number of B, KiB, MiB or GiB');
    const bytes = Number(match[1]) * (BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1);
    if (!Number.isSafeInteger(bytes)) return fail('too large');
    if (bytes < options.min) return fail(`${bytes} bytes is under the minimum of ${options.min}`);
    return { success: true, data: bytes };
  };
  const unset = parse(options.fallback);
  if (!unset.success) throw new TypeError(`byteSize fallback ${options.fallback}: ${unset.error}`);
  return field(description, unset, parse);
}

/** Variable names whose values are never shown in errors. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIALS?)$/;

/** A received value as errors may show it: a secret is never echoed and a URL's secrets are masked. */
function redact(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (SECRET_NAME.test(variable)) return `[hidden, ${value.length} characters]`;
  return value.includes('://') ? redactUrl(value) : value;
}

/** The configuration a schema produces: each variable's output (optional ones may be absent). */
export type ConfigOutput<S extends Record<string, ConfigField<unknown>>> = {
  [K in keyof S as undefined extends FieldOutput<S[K]> ? never : K]: FieldOutput<S[K]>;
} & {
  [K in keyof S as undefined extends FieldOutput<S[K]> ? K : never]?: Exclude<FieldOutput<S[K]>, undefined>;
};

/**
 * Reads the variables of `schema` from `env`, once, at start. An empty variable means unset (as `VAR=` in
 * shells and .env files); an unset optional variable is absent from the result. Throws a ConfigError naming
 * every bad variable, its expected form and the value received (secrets hidden).
 */
export function parseEnvConfig<S extends Record<string, ConfigField<unknown>>>(
  component: string,
  schema: ConfigSchema<S>,
  env: Readonly<Record<string, string | undefined>>,
): ConfigOutput<S> {
  const output: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [variable, check] of Object.entries(schema.shape)) {
    const raw = env[variable];
    const value = raw === '' ? undefined : raw;
    const result = check.safeParse(value);
    if (!result.success) {
      issues.push({ variable, expected: check.description, received: redact(variable, value) });
    } else if (result.data !== undefined) {
      output[variable] = result.data;
    }
  }
  if (issues.length > 0) throw new ConfigError(component, issues);
  return output as ConfigOutput<S>;
}
