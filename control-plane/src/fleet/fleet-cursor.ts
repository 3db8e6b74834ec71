// Keyset cursors of the fleet lists: the shared opaque cursor (http/cursor.ts) of a page's last sort key,
// each key checked by a guard.
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../http/cursor.js';

/** Encodes the position after which the next page starts. */
export const encodeFleetCursor = encodeCursor;

/**
 * Decodes a cursor of `arity` keys, each checked by `valid`; anything else is a 400 naming `query.cursor`.
 */
export function decodeFleetCursor<T extends string | number>(
  cursor: string,
  valid: ReadonlyArray<(value: unknown) => value is T>,
): T[] {
  const key = z.custom<T[]>(
    (v) => Array.isArray(v) && v.length === valid.length && v.every((item, i) => valid[i]?.(item)),
  );
  return decodeCursor(cursor, key) as T[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const cursorKeys = {
  text: (v: unknown): v is string => typeof v === 'string' && v.length <= 300,
  uuid: (v: unknown): v is string => typeof v === 'string' && UUID.test(v),
  time: (v: unknown): v is string => typeof v === 'string' && AT.test(v),
  int: (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
};
