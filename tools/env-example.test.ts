import { readFileSync } from 'node:fs';
import { agentConfigSchema } from '@inosec/edge-agent';
import { collectorConfigSchema } from '@inosec/collector';
import { applianceConfigSchema, controlPlaneConfigSchema } from '@inosec/control-plane';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';

const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
const listed = new Map<string, string>();
for (const match of example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)) listed.set(match[1]!, match[2]!);

const schemas = [applianceConfigSchema, controlPlaneConfigSchema, collectorConfigSchema, agentConfigSchema];

describe('.env.example', () => {
  it('lists exactly the variables the components read', () => {
    const read = new Set(schemas.flatMap((schema) => Object.keys(schema.shape)));
    expect([...listed.keys()].sort()).toEqual([...read].sort());
  });

  it('shows each default as the schema applies it', () => {
    let checked = 0;
    for (const schema of schemas) {
      for (const [key, field] of Object.entries(schema.shape as Record<string, ZodType>)) {
        const fallback = field.safeParse(undefined);
        if (!fallback.success || fallback.data === undefined) continue; // required or optional: no default
        const shown = field.safeParse(listed.get(key));
        expect(shown.success && shown.data, key).toEqual(fallback.data);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
