/**
 * Look-up by value for external-id and unique fields, so an upsert or a
 * uniqueness check costs O(1) rather than a scan of the object. Values match
 * case-insensitively, as Salesforce external ids do unless marked case
 * sensitive (the emulator has no case-sensitive ones). Deleted rows are
 * indexed too; callers filter them.
 */
import type { SfRecord } from './types.ts';

export class ValueIndex {
  /** field name → lower-cased value → ids. */
  private readonly byField = new Map<string, Map<string, Set<string>>>();

  /** Starts indexing `field` (idempotent), from the given rows. */
  addField(field: string, rows: Iterable<[string, SfRecord]>): void {
    if (this.byField.has(field)) return;
    const map = new Map<string, Set<string>>();
    this.byField.set(field, map);
    for (const [id, row] of rows) add(map, row[field], id);
  }

  get fields(): Iterable<string> {
    return this.byField.keys();
  }

  /** Keeps the index in step with one row changing from `before` to `after` (either may be absent). */
  replace(id: string, before: SfRecord | undefined, after: SfRecord | undefined): void {
    for (const [field, map] of this.byField) {
      const old = before?.[field] ?? null;
      const now = after?.[field] ?? null;
      if (old === now) continue;
      remove(map, old, id);
      add(map, now, id);
    }
  }

  /** Ids whose `field` equals `value` (case-insensitively). */
  find(field: string, value: unknown): string[] {
    if (value === null || value === undefined) return [];
    return [...(this.byField.get(field)?.get(String(value).toLowerCase()) ?? [])];
  }
}

function add(map: Map<string, Set<string>>, value: unknown, id: string): void {
  if (value === null || value === undefined) return;
  const key = String(value).toLowerCase();
  let ids = map.get(key);
  if (!ids) map.set(key, (ids = new Set()));
  ids.add(id);
}

function remove(map: Map<string, Set<string>>, value: unknown, id: string): void {
  if (value === null || value === undefined) return;
  const key = String(value).toLowerCase();
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(key);
}
