// Keyset cursors of `(time DESC, id DESC)` lists: the shared opaque cursor (http/cursor.ts) of the last row's
// time (with microseconds, as PostgreSQL prints it) and id. Never an offset: pages stay exact while rows are added.
import { z } from 'zod';
import { decodeCursor as decodeKey, encodeCursor as encodeKey } from '../http/cursor.js';

/** The sort key of a row in a `(time DESC, id DESC)` list. */
export interface KeysetPosition {
  /** An ISO-8601 time with up to microsecond precision (`2026-01-02T03:04:05.123456Z`). */
  at: string;
  id: string;
}

const position = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/),
  z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
]);

/** Encodes the position after which the next page starts. */
export function encodeCursor(at: KeysetPosition): string {
  return encodeKey([at.at, at.id]);
}

/** Decodes a cursor of encodeCursor; a cursor that is not one is a 400 naming `query.cursor`. */
export function decodeCursor(cursor: string): KeysetPosition {
  const [at, id] = decodeKey(cursor, position) as [string, string];
  return { at, id };
}
