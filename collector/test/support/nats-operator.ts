// A real nats-server in operator mode (JetStream on, memory resolver) with an operator, a system account and a
// telemetry account whose users are signed by an account signing key, as the control plane issues them
// (control-plane/src/nats-auth/). The collector may not import the control plane, so this test support signs
// the same JWTs with @nats-io/jwt directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  createAccount,
  createOperator,
  createUser,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
  type KeyPair,
  type Permissions,
} from '@nats-io/jwt';
import { freePort } from './postgres.js';

export interface OperatorNats {
  url: string;
  dir: string;
  /** Signs a user of the telemetry account with these permissions and returns its `.creds` text. */
  creds(name: string, permissions: Permissions, options?: { expiresInSeconds?: number }): Promise<string>;
  /** An agent's credentials: publish `telemetry.<id>`, subscribe `_INBOX_<id>.>`. */
  agentCreds(agentId: string): Promise<string>;
  /** A collector's credentials: the JetStream API, acks, alerts, the default inbox. */
  collectorCreds(): Promise<string>;
  destroy(): Promise<void>;
}

const ALL = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

export async function startOperatorNats(): Promise<OperatorNats> {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const signer = createAccount();
  const operatorJwt = await encodeOperator('test', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, { limits: ALL }, { signer: operator });
  const accountJwt = await encodeAccount(
    'TELEMETRY',
    account,
    {
      limits: { ...ALL, disk_storage: -1, mem_storage: -1, streams: -1, consumer: -1, disallow_bearer: true },
      signing_keys: [signer.getPublicKey()],
    },
    { signer: operator },
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inosec-nats-op-'));
  const port = await freePort();
  const config = path.join(dir, 'nats.conf');
  await writeFile(
    config,
    [
      `host: "127.0.0.1"`,
      `port: ${port}`,
      `jetstream { store_dir: "${path.join(dir, 'store')}" }`,
      `operator: "${operatorJwt}"`,
      `system_account: "${system.getPublicKey()}"`,
      'resolver: MEMORY',
      'resolver_preload {',
      `  ${system.getPublicKey()}: "${systemJwt}"`,
      `  ${account.getPublicKey()}: "${accountJwt}"`,
      '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-c', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`nats-server did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const creds = async (
    name: string,
    permissions: Permissions,
    options: { expiresInSeconds?: number } = {},
  ) => {
    const user: KeyPair = createUser();
    const exp = Math.floor(Date.now() / 1_000) + (options.expiresInSeconds ?? 3_600);
    const jwt = await encodeUser(
      name,
      user,
      account.getPublicKey(),
      { ...permissions, bearer_token: false },
      { signer, exp },
    );
    return new TextDecoder().decode(fmtCreds(jwt, user));
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    dir,
    creds,
    agentCreds: (agentId) =>
      creds(`agent ${agentId}`, {
        pub: { allow: [`telemetry.${agentId}`], deny: [] },
        sub: { allow: [`_INBOX_${agentId}.>`], deny: [] },
      }),
    collectorCreds: () =>
      creds('collector', {
        pub: { allow: ['$JS.API.>', '$JS.ACK.TELEMETRY.>', 'inosec.alerts.>'], deny: ['telemetry.>'] },
        sub: { allow: ['_INBOX.>'], deny: [] },
      }),
    async destroy() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
