#!/usr/bin/env node
// inosec-agent: the entry of the agent binary (and of `node edge-agent/dist/cli/main.js`).
// No top-level await: the single-executable build bundles this file as CommonJS.
import { agentCli } from './agent-cli.js';

void agentCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
}).then((code) => process.exit(code));
