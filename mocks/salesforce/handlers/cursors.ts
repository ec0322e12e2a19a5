/**
 * Server-side query cursors (query locators). A query answers its first
 * page and keeps the rest here under an id shaped like Salesforce's
 * (`01g…`); `nextRecordsUrl` is `/services/data/vXX.X/query/<id>-<offset>`.
 * Like the real ones, a cursor belongs to the user who opened it and lapses
 * after 15 minutes without use.
 */
import type { Clock } from '../../../src/sim/clock.ts';
import { SalesforceError } from '../types.ts';
import { IdFactory } from '../ids.ts';

/** Idle lifetime of a query locator (Salesforce: 15 minutes of inactivity). */
export const CURSOR_IDLE_MS = 15 * 60_000;

/** A query's rows, shaped page by page (see runQuery's `slice`). */
export interface QueryRows {
  totalSize: number;
  /** Rows to page through (0 for COUNT()). */
  size: number;
  slice(from: number, to?: number): Array<Record<string, unknown>>;
  /** `JSON.stringify(slice(from, to))` written without the rows as objects, when the rows offer it. */
  sliceText?(from: number, to?: number): string;
}

interface Cursor {
  userId: string;
  rows: QueryRows;
  totalSize: number;
  pageSize: number;
  lastUsed: number;
}

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

export class QueryCursors {
  private readonly open = new Map<string, Cursor>();
  private readonly ids = new IdFactory();

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** The first page of a result; opens a cursor when there is more. */
  first(userId: string, version: string, rows: QueryRows, pageSize: number): QueryPage {
    this.prune();
    const totalSize = rows.totalSize;
    if (rows.size <= pageSize) return { totalSize, done: true, records: rows.slice(0) };
    const id = this.ids.next('01g');
    this.open.set(id, { userId, rows, totalSize, pageSize, lastUsed: this.clock.now() });
    return { totalSize, done: false, nextRecordsUrl: `/services/data/v${version}/query/${id}-${pageSize}`, records: rows.slice(0, pageSize) };
  }

  /**
   * `JSON.stringify(first(...))`: a result that fits on one page and can write its rows' text (QueryRows.sliceText)
   * is written without shaping them again, as JSON.stringify would write `{totalSize, done, records}`.
   */
  firstText(userId: string, version: string, rows: QueryRows, pageSize: number): string {
    if (rows.size > pageSize || !rows.sliceText) return JSON.stringify(this.first(userId, version, rows, pageSize));
    this.prune();
    return `{"totalSize":${JSON.stringify(rows.totalSize)},"done":true,"records":${rows.sliceText(0)}}`;
  }

  /** The page at `locator` (`<id>-<offset>`), for the user who opened it. */
  next(userId: string, version: string, locator: string): QueryPage {
    this.prune();
    const m = /^(01g[a-zA-Z0-9]{15})-(\d+)$/.exec(locator);
    const cursor = m ? this.open.get(m[1]!) : undefined;
    if (!m || !cursor || cursor.userId !== userId) {
      throw new SalesforceError('INVALID_QUERY_LOCATOR', 'invalid query locator', 400);
    }
    const offset = Number(m[2]);
    if (offset > cursor.rows.size) throw new SalesforceError('INVALID_QUERY_LOCATOR', 'invalid query locator', 400);
    cursor.lastUsed = this.clock.now();
    const end = offset + cursor.pageSize;
    const records = cursor.rows.slice(offset, end);
    if (end >= cursor.rows.size) {
      this.open.delete(m[1]!);
      return { totalSize: cursor.totalSize, done: true, records };
    }
    return { totalSize: cursor.totalSize, done: false, nextRecordsUrl: `/services/data/v${version}/query/${m[1]}-${end}`, records };
  }

  /** Number of cursors still open (for tests and the control API). */
  get size(): number {
    return this.open.size;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [id, cursor] of this.open) if (now - cursor.lastUsed > CURSOR_IDLE_MS) this.open.delete(id);
  }
}
