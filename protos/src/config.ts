import { z } from 'zod';
import { InosecError } from './errors.js';

/** One problem with one environment variable. */
export interface ConfigIssue {
  variable: string;
  expected: string;
  /** The value received, redacted: secrets hidden, URL passwords masked. */
  received: string | undefined;
}

/** Thrown when a component's environment does not satisfy its schema; lists every bad variable. */
export class ConfigError extends InosecError {
  readonly component: string;
  readonly issues: readonly ConfigIssue[];

  constructor(component: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map(
      (i) =>
        `  ${i.variable}: expected ${i.expected}; got ${i.received === undefined ? 'nothing (unset)' : JSON.stringify(i.received)}`,
    );
    super('config_invalid', `Invalid ${component} configuration:\n${lines.join('\n')}`);
    this.component = component;
    this.issues = issues;
  }
}

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIALS?)$/;

/**
 * A URL safe to log: its password and any `password` query parameter masked. A value that does not
 * parse as a URL but looks like one has everything after the scheme hidden, since where a password
 * would sit cannot be told.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    let masked = false;
    if (url.password) {
      url.password = '***';
      masked = true;
    }
    for (const key of [...url.searchParams.keys()]) {
      if (/pass(word)?|secret|token/i.test(key)) {
        url.searchParams.set(key, '***');
        masked = true;
      }
    }
    // Unchanged values are returned as given (URL would normalise them, e.g. add a trailing slash).
    return masked ? url.toString() : value;
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(value);
    return scheme ? `${scheme[1]}***` : value;
  }
}

/** A received value as errors may show it: a secret is never echoed and a URL's secrets are masked. */
function redact(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (SECRET_NAME.test(variable)) return `[hidden, ${value.length} characters]`;
  return value.includes('://') ? redactUrl(value) : value;
}

/** The `.describe()` text of a field, looking through `.optional()` / `.default()` wrappers. */
function describedForm(field: z.ZodType | undefined): string | undefined {
  let current: unknown = field;
  while (current instanceof z.ZodType) {
    if (current.description !== undefined) return current.description;
    current =
      current instanceof z.ZodOptional || current instanceof z.ZodDefault ? current.unwrap() : undefined;
  }
  return undefined;
}

/**
 * Parses a component's configuration from environment variables, once, at start. The schema is a zod
 * object whose keys are the variable names; each field's `.describe()` text is the expected form
 * quoted in the error, so a bad value names the variable and what it must look like.
 */
export function parseConfig<S extends z.ZodObject>(
  component: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.output<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    // An empty variable means unset, as in most shells' `VAR=` and .env files.
    input[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(root)');
    if (seen.has(variable)) continue;
    seen.add(variable);
    const expected = describedForm(schema.shape[variable] as z.ZodType | undefined) ?? issue.message;
    issues.push({ variable, expected, received: redact(variable, input[variable]) });
  }
  throw new ConfigError(component, issues);
}

/** Shared field builders, so every component spells the same variable the same way. */
export const configFields = {
  port: (fallback: number, what: string) =>
    z.coerce
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(fallback)
      .describe(`a TCP port number 0-65535 for ${what} (default ${fallback})`),
  host: (fallback: string, what: string) =>
    z
      .string()
      .regex(/^[A-Za-z0-9.:[\]-]+$/)
      .default(fallback)
      .describe(`a host name or IP address to bind ${what} (default ${fallback})`),
  postgresUrl: (what: string) =>
    z
      .url({ protocol: /^postgres(ql)?$/ })
      .describe(`a PostgreSQL connection URL postgres://user:password@host:port/database (${what})`),
  logLevel: () =>
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('one of fatal, error, warn, info, debug, trace, silent (default info)'),
  positiveInt: (fallback: number, what: string) =>
    z.coerce
      .number()
      .int()
      .positive()
      .default(fallback)
      .describe(`a positive integer: ${what} (default ${fallback})`),
} as const;
