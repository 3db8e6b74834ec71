// Builds, from the .proto files themselves (protobufjs reflection), a fully populated sample of every message
// type: every field set to a value that is not its type's default, one sample per member of each oneof.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const PROTO_ROOT = fileURLToPath(new URL('../proto', import.meta.url));

export function protoFiles(dir = PROTO_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return protoFiles(full);
      return entry.name.endsWith('.proto') ? [full] : [];
    })
    .sort();
}

export function loadReflection(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
  root.loadSync(protoFiles());
  root.resolveAll();
  return root;
}

/** Every message type of the reflection root, nested ones included, sorted by full name. */
export function allMessageTypes(root: protobuf.Root): protobuf.Type[] {
  const found: protobuf.Type[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) found.push(nested);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root);
  return found.sort((a, b) => a.fullName.localeCompare(b.fullName));
}

/** Message names declared in the .proto sources, found by reading the text (independent of protobufjs). */
export function declaredMessageNames(): string[] {
  const names: string[] = [];
  for (const file of protoFiles()) {
    const source = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(source)?.[1];
    if (!pkg) throw new Error(`${file} has no package`);
    // Top-level messages only: inosec.v1 does not nest messages (nested enums are fine).
    for (const match of source.matchAll(/^message\s+(\w+)/gm)) names.push(`${pkg}.${match[1]}`);
  }
  return names.sort();
}

export type Sample = Record<string, unknown>;

function scalarSample(field: protobuf.Field): unknown {
  switch (field.type) {
    case 'double':
      return 1234.5;
    case 'float':
      return 1.5;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return -123_456;
    case 'uint32':
    case 'fixed32':
      return 4_000_000_000;
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return -Number.MAX_SAFE_INTEGER;
    case 'uint64':
    case 'fixed64':
      return Number.MAX_SAFE_INTEGER;
    case 'bool':
      return true;
    case 'string':
      return `${field.name} ✓ ü 日本`;
    case 'bytes':
      return Uint8Array.of(0, 1, 2, 254, 255);
    default:
      throw new Error(`no sample for scalar type ${field.type} of ${field.fullName}`);
  }
}

function valueSample(field: protobuf.Field, depth: number): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const values = Object.values(resolved.values);
    return Math.max(...values);
  }
  if (resolved instanceof protobuf.Type) {
    if (depth > 8)
      throw new Error(`recursive message type ${resolved.fullName}: give it a depth-bounded sample`);
    return messageSamples(resolved, depth + 1)[0];
  }
  return scalarSample(field);
}

function fieldSample(field: protobuf.Field, depth: number): unknown {
  if (field instanceof protobuf.MapField) {
    if (field.keyType !== 'string')
      throw new Error(`map key ${field.keyType} of ${field.fullName} not supported`);
    return { alpha: valueSample(field, depth), 'beta.key': valueSample(field, depth) };
  }
  if (field.repeated) return [valueSample(field, depth), valueSample(field, depth)];
  return valueSample(field, depth);
}

/** A real oneof (not the synthetic one protobufjs creates for a proto3 `optional` field). */
function isRealOneof(oneof: protobuf.OneOf): boolean {
  const only = oneof.fieldsArray[0];
  return !(oneof.fieldsArray.length === 1 && only?.options?.['proto3_optional'] === true);
}

/**
 * Samples of `type`: as many as the largest oneof has members; sample i sets member i (modulo its size) of
 * every oneof and every other field.
 */
export function messageSamples(type: protobuf.Type, depth = 0): Sample[] {
  type.resolveAll();
  const oneofs = type.oneofsArray.filter(isRealOneof);
  const count = Math.max(1, ...oneofs.map((o) => o.fieldsArray.length));
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const chosen = new Set(oneofs.map((o) => o.fieldsArray[i % o.fieldsArray.length]));
    const sample: Sample = {};
    for (const field of type.fieldsArray) {
      const oneof = field.partOf;
      if (oneof && isRealOneof(oneof) && !chosen.has(field)) continue;
      sample[field.name] = fieldSample(field, depth);
    }
    samples.push(sample);
  }
  return samples;
}

/** Names of the fields a sample leaves unset: only the other members of its oneofs. */
export function unsetFields(type: protobuf.Type, sample: Sample): string[] {
  return type.fieldsArray.filter((field) => !(field.name in sample)).map((field) => field.name);
}
