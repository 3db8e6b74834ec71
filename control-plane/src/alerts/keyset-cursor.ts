// Opaque keyset cursors: the sort key of the last row of a page (a time with microseconds, as PostgreSQL
// prints it, and a row id), base64url-encoded. Never an offset: pages stay exact while rows are added.
import { InvalidRequestProblem } from '../http/problems.js';

/** The sort key of a row in a `(time DESC, id DESC)` list. */
export interface KeysetPosition {
  /** An ISO-8601 time with up to microsecond precision (`2026-01-02T03:04:05.123456Z`). */
  at: string;
  id: string;
}

const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Encodes the position after which the next page starts. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at}|${position.id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor of encodeCursor; a cursor that is not one is a 400 naming `query.cursor`. */
export function decodeCursor(cursor: string): KeysetPosition {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (at === undefined || id === undefined || extra !== undefined || !AT.test(at) || !UUID.test(id)) {
    throw new InvalidRequestProblem('invalid request: query.cursor: not a cursor of this list', [
      { path: 'query.cursor', message: 'not a cursor of this list' },
    ]);
  }
  return { at, id };
}
