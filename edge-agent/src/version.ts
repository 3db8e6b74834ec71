// The agent's version. A single binary has no package.json beside it, so the build injects the version
// (esbuild `define`); from source and dist/ it is read from the workspace's package.json.
import { readFileSync } from 'node:fs';

declare const INOSEC_AGENT_VERSION: string | undefined;

function packageVersion(): string {
  return (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
}

export const AGENT_VERSION: string =
  typeof INOSEC_AGENT_VERSION === 'string' ? INOSEC_AGENT_VERSION : packageVersion();
