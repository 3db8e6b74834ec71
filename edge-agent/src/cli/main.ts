#!/usr/bin/env node
// inosec-agent: the entry of the agent binary (and of `node edge-agent/dist/cli/main.js`).
import { agentCli } from './agent-cli.js';

const code = await agentCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
});
process.exit(code);
