import { readFileSync } from 'node:fs';

/** The control plane's version, from its package.json (the same path from src/ and dist/). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
