// Opaque keyset cursors of the fleet lists: the sort key of a page's last row as a JSON array, base64url.
import { InvalidRequestProblem } from '../http/problems.js';

/** Encodes the position after which the next page starts. */
export function encodeFleetCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor of `arity` keys, each checked by `valid`; anything else is a 400 naming `query.cursor`.
 */
export function decodeFleetCursor<T extends string | number>(
  cursor: string,
  valid: ReadonlyArray<(value: unknown) => value is T>,
): T[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== valid.length || !key.every((v, i) => valid[i]?.(v))) {
    throw new InvalidRequestProblem('invalid request: query.cursor: not a cursor of this list', [
      { path: 'query.cursor', message: 'not a cursor of this list' },
    ]);
  }
  return key as T[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const cursorKeys = {
  text: (v: unknown): v is string => typeof v === 'string' && v.length <= 300,
  uuid: (v: unknown): v is string => typeof v === 'string' && UUID.test(v),
  time: (v: unknown): v is string => typeof v === 'string' && AT.test(v),
  int: (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
};
