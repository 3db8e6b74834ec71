#!/usr/bin/env node
// The `inosec-detect` command (detect-cli.ts).
import { runDetect } from './detect-cli.js';

process.exitCode = await runDetect(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
});
