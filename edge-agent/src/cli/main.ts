#!/usr/bin/env node
// inosec-agent: the entry of the agent binary (and of `node edge-agent/dist/cli/main.js`).
// No top-level await: the single-executable build bundles this file as CommonJS.
import { pino } from 'pino';
import { JitGovernor } from '../agent/jit-governor.js';
import { agentCli } from './agent-cli.js';

// Two libuv pool threads instead of four (the pool starts on first use, after this line): the agent's pool work
// (spool writes and fsyncs, file reads, gzip) is light, and each thread holds a stack and a malloc arena.
// A value set in the environment wins.
process.env.UV_THREADPOOL_SIZE ??= '2';

const args = process.argv.slice(2);
const logger = pino();
// The agent's own process runs without V8's optimizing compiler until it carries load (JitGovernor).
const jit =
  args[0] === 'run'
    ? JitGovernor.lean({
        onEnable: (reason) => logger.info({ reason }, 'Under load: V8 optimizing compiler turned on'),
      })
    : undefined;

void agentCli(
  args,
  {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    ...(jit ? { jit } : {}),
  },
  logger,
).then((code) => process.exit(code));
