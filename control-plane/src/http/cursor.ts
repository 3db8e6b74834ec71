// Opaque keyset cursors: the sort key of the last item of a page, as base64url JSON. Clients pass them back
// unchanged; anything that does not decode to the expected shape is a 400, never a query.
import { z } from 'zod';
import { InvalidRequestProblem } from './problems.js';

/** Encodes a page's last sort key as an opaque cursor. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by encodeCursor and checks its shape with `schema`; undefined when no cursor was
 * given. Throws InvalidRequestProblem (`query.cursor`) when it was tampered with or belongs to another list.
 */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new InvalidRequestProblem('invalid request: query.cursor: not a cursor of this list', [
      { path: 'query.cursor', message: 'not a cursor of this list' },
    ]);
  }
  return result.data;
}
