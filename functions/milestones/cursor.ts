/**
 * The page cursor run-milestone hands back to the workflow. Opaque to it; inside:
 * which pass of the step's plan is running (`p`), that pass's own page cursor
 * (`c`, a store cursor), and lists gathered across pages for a pass that needs
 * them all at once (`a`: an escalation lists every provider in ONE email, the
 * contracted-provider list is published whole).
 *
 * Size: a listed provider costs ~70 bytes of cursor, so a list stays well under
 * the 256 KB Step Functions payload limit up to a few thousand providers.
 */
import { ValidationError } from '../commons/errors.ts';

/** A provider in a gathered list: [agb, name]. */
export type Listed = [agb: string, name: string];
export type Gathered = Record<string, Listed[]>;

export interface RunCursor {
  /** Index of the pass in the step's plan. */
  p: number;
  /** The pass's own page cursor; null at its start. */
  c: string | null;
  a: Gathered;
}

export const START: RunCursor = { p: 0, c: null, a: {} };

export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString('base64url');
}

export function decodeRunCursor(text: string | null | undefined): RunCursor {
  if (!text) return { p: 0, c: null, a: {} };
  try {
    const raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<RunCursor> & { v?: number };
    if (raw.v === 1 && Number.isInteger(raw.p) && raw.p! >= 0 && (raw.c === null || typeof raw.c === 'string') && raw.a && typeof raw.a === 'object') {
      return { p: raw.p!, c: raw.c, a: raw.a };
    }
  } catch {
    // reported below
  }
  throw new ValidationError('Invalid milestone page cursor', [{ path: 'cursor', message: 'not a cursor returned by run-milestone' }]);
}

/** Adds providers to a gathered list, once each (a page read twice adds nothing). */
export function gather(into: Gathered, name: string, items: readonly Listed[]): void {
  into[name] ??= [];
  const list = into[name];
  const seen = new Set(list.map(([agb]) => agb));
  for (const item of items) {
    if (seen.has(item[0])) continue;
    seen.add(item[0]);
    list.push(item);
  }
}
