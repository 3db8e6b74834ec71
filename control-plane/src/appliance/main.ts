#!/usr/bin/env node
// The appliance entry point (`npm start`): parses configuration once, starts every component, prints
// the URL, and stops everything in reverse order on SIGINT or SIGTERM.
import { existsSync } from 'node:fs';
import { ConfigError } from '@inosec/protos';
import { loadControlPlaneConfig } from '../config/control-plane.config.js';
import { createLogger } from '../logging/logger.js';
import { VERSION } from '../version.js';
import { loadApplianceConfig } from './appliance.config.js';
import { startAppliance, type RunningAppliance } from './appliance.js';

const EX_CONFIG = 78; // sysexits.h: configuration error

async function main(): Promise<number> {
  // ./.env, when present, fills variables the environment does not set (the environment wins).
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Both components' settings are checked before reporting, so one run names every bad variable.
  const errors: ConfigError[] = [];
  const parse = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const appliance = parse(loadApplianceConfig);
  const controlPlane = parse(loadControlPlaneConfig);
  if (appliance === undefined || controlPlane === undefined) {
    const messages = errors.map((e) => e.message).join('\n');
    process.stderr.write(`${messages}\nSee .env.example for every variable and its form.\n`);
    return EX_CONFIG;
  }
  const logger = createLogger(controlPlane.LOG_LEVEL, { version: VERSION });
  const log = logger.child({ component: 'appliance' });

  let running: RunningAppliance | undefined;
  let stopping: Promise<number> | undefined;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  // The first signal (or a fatal component failure) stops everything in order; a second signal kills
  // PostgreSQL at once (it recovers from its WAL on the next start) and leaves.
  const shutdown = (code: number): void => {
    stopping ??= (running?.stop() ?? Promise.resolve()).then(() => code);
    void stopping.then(resolveDone);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      log.warn({ signal }, 'Second signal: stopping at once');
      running?.kill();
      process.exit(130);
    }
    log.info({ signal }, 'Stopping the appliance');
    shutdown(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const onFatal = (error: Error): void => {
    log.fatal({ err: error }, `Stopping the appliance: ${error.message}`);
    process.stderr.write(`InoSec appliance is stopping: ${error.message}\n`);
    shutdown(1);
  };
  try {
    running = await startAppliance(appliance, controlPlane, logger, { onFatal });
  } catch (error) {
    log.fatal({ err: error }, `The appliance could not start: ${(error as Error).message}`);
    process.stderr.write(`InoSec appliance failed to start: ${(error as Error).message}\n`);
    return 1;
  }
  if (stopping !== undefined) {
    // A signal arrived while starting: stop what started, then leave.
    await running.stop();
    return 0;
  }
  log.info({ url: running.url }, `InoSec appliance ready at ${running.url}`);
  process.stdout.write(`\nInoSec appliance is running: ${running.url}  (Ctrl-C stops it)\n`);
  if (running.setupUrl !== undefined) {
    // Printed to the terminal only, never logged: the link holds a single-use token.
    process.stdout.write(
      `\nFirst start: set the administrator's password (sign-in: tenant "local", ${running.adminEmail}) at\n` +
        `  ${running.setupUrl}\n(one-time link, valid 7 days; a new one is printed at each start until it is used)\n`,
    );
  }
  process.stdout.write('\n');
  const code = await done;
  log.info({ code }, 'The appliance stopped');
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
    // pino writes synchronously to stdout; nothing else needs to drain.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`InoSec appliance crashed: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
