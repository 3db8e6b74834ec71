#!/usr/bin/env node
// inosec-audit: verifies the audit log's hash chains from the command line.
//
//   inosec-audit verify [--tenant <uuid> | --platform | --all]     (default --all)
//
// Reads DATABASE_URL: a connection of the schema owner or a superuser (the application role sees one tenant
// at a time). Prints one line per chain and exits 0 when every chain is intact, 1 when one is broken, 2 on a
// usage or connection error.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { verifyAllAuditChains, verifyAuditChain, type ChainReport } from './audit-verify.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const USAGE = `usage: inosec-audit verify [--tenant <uuid> | --platform | --all] [--json]
  Verifies the audit log's hash chains and reports the first broken link of each.
  DATABASE_URL must name a connection of the schema owner or a superuser.
  Exit status: 0 intact, 1 a chain is broken, 2 usage or connection error.`;

/** What to verify. */
export type VerifyTarget = { kind: 'all' } | { kind: 'platform' } | { kind: 'tenant'; tenantId: string };

/** Parsed command line, or a usage error message. */
export function parseArgs(
  args: readonly string[],
): { target: VerifyTarget; json: boolean } | { error: string } {
  const [command, ...rest] = args;
  if (command !== 'verify')
    return { error: command === undefined ? 'no command' : `unknown command ${command}` };
  let target: VerifyTarget | undefined;
  let json = false;
  const set = (next: VerifyTarget): string | undefined => {
    if (target !== undefined) return 'give one of --tenant, --platform, --all';
    target = next;
    return undefined;
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    let problem: string | undefined;
    if (arg === '--all') problem = set({ kind: 'all' });
    else if (arg === '--platform') problem = set({ kind: 'platform' });
    else if (arg === '--json') json = true;
    else if (arg === '--tenant') {
      const id = rest[++i];
      if (id === undefined || !UUID.test(id)) return { error: '--tenant needs a tenant id (uuid)' };
      problem = set({ kind: 'tenant', tenantId: id.toLowerCase() });
    } else return { error: `unknown option ${arg ?? ''}` };
    if (problem !== undefined) return { error: problem };
  }
  return { target: target ?? { kind: 'all' }, json };
}

function describeReport(report: ChainReport): string {
  const chain = report.tenantId === null ? 'platform' : `tenant ${report.tenantId}`;
  const head = report.head ? ` head ${report.head.id} ${report.head.hash}` : '';
  if (report.ok) return `OK      ${chain}: ${report.checked} rows intact${head}`;
  const broken = report.firstBroken;
  const what =
    broken?.reason === 'content_changed'
      ? 'its content was changed'
      : broken?.reason === 'previous_missing_or_changed'
        ? 'the previous row is missing or was changed'
        : 'its content was changed and the previous row is missing or was changed';
  return `BROKEN  ${chain}: first broken link at row ${broken?.id ?? '?'} (${what}); ${report.checked} rows checked`;
}

/** Verifies the chains `target` names over `client`. */
export async function runVerify(client: pg.ClientBase, target: VerifyTarget): Promise<ChainReport[]> {
  if (target.kind === 'all') return verifyAllAuditChains(client);
  return [await verifyAuditChain(client, target.kind === 'platform' ? null : target.tenantId)];
}

/**
 * The command: returns its exit status (0 intact, 1 broken, 2 usage or connection error) and writes to the
 * given streams; never throws.
 */
export async function main(
  args: readonly string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const parsed = parseArgs(args);
  if ('error' in parsed) {
    err(`inosec-audit: ${parsed.error}`);
    err(USAGE);
    return 2;
  }
  const url = env['DATABASE_URL'];
  if (url === undefined || url === '') {
    err('inosec-audit: DATABASE_URL is not set (a connection of the schema owner or a superuser)');
    return 2;
  }
  const client = new pg.Client({ connectionString: url, application_name: 'inosec-audit' });
  client.on('error', () => undefined);
  let reports: ChainReport[];
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    reports = await runVerify(client, parsed.target);
    await client.query('COMMIT');
  } catch (error) {
    // Never print the URL: it carries a password.
    err(`inosec-audit: verification failed: ${(error as Error).message}`);
    return 2;
  } finally {
    await client.end().catch(() => undefined);
  }
  if (parsed.json) out(JSON.stringify({ ok: reports.every((r) => r.ok), chains: reports }));
  else {
    if (reports.length === 0) out('OK      no audit entries');
    for (const report of reports) out(describeReport(report));
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

/** Whether this module is the process's entry (run directly or through an npm bin symlink). */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntry()) process.exitCode = await main(process.argv.slice(2));
