import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { inosec, type IHost } from '@inosec/protos';
import { describeHost } from '../agent/host-info.js';
import { agentConfigSchema } from '../config/agent.config.js';
import { AGENT_VERSION } from '../version.js';
import { normalizeFingerprint } from './ca-pin.js';
import { ENROLL_EXIT, EnrollError } from './enroll-errors.js';
import { enrollAgent, type EnrollTrust } from './enrollment.js';

export const ENROLL_USAGE = `Usage: inosec-agent enroll --server grpcs://HOST:PORT --token TOKEN --ca-sha256 HEX [options]

Enrolls this agent with the control plane: generates a key pair here, sends a certificate request with the
one-time token, and writes the key, certificate, CA and policy keys to the state directory.

  --server URL       the control plane's agent endpoint, grpcs://host:port
  --token TOKEN      the one-time enrollment token (or --token-file FILE, or INOSEC_ENROLL_TOKEN)
  --ca-sha256 HEX    SHA-256 fingerprint of the control plane's root CA (shown in the console next to the
                     token); the server must present a certificate with this fingerprint, or nothing is sent
  --ca-file FILE     instead of --ca-sha256: a PEM file with the CA to trust
  --config FILE      the agent's environment file (state directory from INOSEC_AGENT_STATE_DIR); updated
                     with INOSEC_TRANSPORT and INOSEC_CONTROL_URL. Default: <state dir>/agent.env
  --kind KIND        endpoint (default) or ot-gateway
  --force            replace an existing enrollment (the agent must be stopped)

Exit codes: 0 enrolled; 64 usage; 65 request refused as invalid or unusable answer; 66 unreadable --ca-file or
--token-file; 69 server unreachable; 73 already enrolled or agent running; 74 cannot write; 75 server busy;
76 server not trusted (pin mismatch, certificate does not verify); 77 token refused (unknown, used, expired);
78 invalid configuration.`;

/** Where enroll writes its output. */
export interface EnrollIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Overrides the host description (tests). */
  host?: IHost;
  /** Overrides connection and call timeouts (tests). */
  timeoutMs?: number;
}

/** A printable token of 16-512 characters without spaces; the value itself is never shown. */
const TOKEN = /^[\x21-\x7e]{16,512}$/;

const KINDS: Record<string, inosec.v1.AgentKind> = {
  endpoint: inosec.v1.AgentKind.AGENT_KIND_ENDPOINT,
  'ot-gateway': inosec.v1.AgentKind.AGENT_KIND_OT_GATEWAY,
};

function usage(message: string): EnrollError {
  return new EnrollError(ENROLL_EXIT.usage, message);
}

async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(path.resolve(file), 'utf8');
  } catch (error) {
    throw new EnrollError(
      ENROLL_EXIT.noInput,
      `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** The variables of --config (when it exists) under those of the environment, as `run` reads them. */
function configEnv(file: string | undefined, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  if (!file) return env;
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new EnrollError(ENROLL_EXIT.config, `cannot read --config ${file}: ${(error as Error).message}`);
  }
  return { ...parseEnv(text), ...env };
}

/** `inosec-agent enroll ...`: returns the exit code; prints one line on failure. Never throws. */
export async function enrollCommand(args: string[], io: EnrollIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          server: { type: 'string' },
          token: { type: 'string' },
          'token-file': { type: 'string' },
          'ca-sha256': { type: 'string' },
          'ca-file': { type: 'string' },
          config: { type: 'string' },
          kind: { type: 'string' },
          force: { type: 'boolean' },
          help: { type: 'boolean' },
        },
      }).values;
    } catch (error) {
      throw usage((error as Error).message);
    }
    if (parsed.help) {
      io.out(ENROLL_USAGE);
      return ENROLL_EXIT.ok;
    }
    if (!parsed.server) throw usage('--server grpcs://host:port is required');
    if ((parsed['ca-sha256'] === undefined) === (parsed['ca-file'] === undefined)) {
      throw usage('give exactly one of --ca-sha256 (the root CA fingerprint) and --ca-file');
    }
    const kind = KINDS[parsed.kind ?? 'endpoint'];
    if (kind === undefined) throw usage('--kind must be endpoint or ot-gateway');

    const env = configEnv(parsed.config, io.env);
    const stateField = agentConfigSchema.shape.INOSEC_AGENT_STATE_DIR.safeParse(
      env.INOSEC_AGENT_STATE_DIR || undefined,
    );
    if (!stateField.success) {
      throw new EnrollError(ENROLL_EXIT.config, `INOSEC_AGENT_STATE_DIR: ${stateField.error}`);
    }
    const stateDir = path.resolve(stateField.data);

    let token = parsed.token;
    if (token === undefined && parsed['token-file'] !== undefined) {
      token = (await readInput(parsed['token-file'], 'the token file')).trim();
    }
    token ??= env.INOSEC_ENROLL_TOKEN?.trim();
    if (!token) throw usage('--token (or --token-file, or INOSEC_ENROLL_TOKEN) is required');
    if (!TOKEN.test(token))
      throw usage(`the enrollment token is not 16-512 printable characters without spaces`);

    let trust: EnrollTrust;
    if (parsed['ca-sha256'] !== undefined) {
      const pin = normalizeFingerprint(parsed['ca-sha256']);
      if (!pin) throw usage('--ca-sha256 must be a SHA-256 fingerprint: 64 hex digits (colons allowed)');
      trust = { caSha256: pin };
    } else {
      trust = { caPem: await readInput(parsed['ca-file'] ?? '', 'the CA file') };
    }

    const envFile = path.resolve(parsed.config ?? path.join(stateDir, 'agent.env'));
    const result = await enrollAgent({
      server: parsed.server,
      token,
      trust,
      stateDir,
      envFile,
      force: parsed.force ?? false,
      kind,
      host: io.host ?? describeHost(),
      agentVersion: AGENT_VERSION,
      ...(io.timeoutMs === undefined ? {} : { timeoutMs: io.timeoutMs }),
    });
    const policy =
      'version' in result.policy
        ? `signed policy version ${result.policy.version} verified and saved`
        : result.policy.note;
    io.out(
      [
        `Enrolled: agent id ${result.agentId} at ${result.server}; certificate valid until ${result.certificateExpiresAt.toISOString()}.`,
        `Wrote ${result.files.map((f) => path.join(stateDir, f)).join(', ')}.`,
        `Policy: ${policy}.`,
        `Updated ${result.envFile}: ${result.collectorUrl ? `INOSEC_TRANSPORT=${result.collectorUrl}, ` : ''}INOSEC_CONTROL_URL=${result.server}.`,
        ...result.notes.map((note) => `Note: ${note}.`),
        `Next: start the agent with \`inosec-agent run --config ${result.envFile}\`, or as a service: \`systemctl restart inosec-agent\` (its EnvironmentFile must be ${result.envFile}).`,
      ].join('\n'),
    );
    return ENROLL_EXIT.ok;
  } catch (error) {
    if (error instanceof EnrollError) {
      io.err(`inosec-agent enroll: ${error.message}`);
      if (error.exitCode === ENROLL_EXIT.usage) io.err(`\n${ENROLL_USAGE}`);
      return error.exitCode;
    }
    io.err(`inosec-agent enroll: unexpected failure: ${(error as Error).message}`);
    return ENROLL_EXIT.software;
  }
}
