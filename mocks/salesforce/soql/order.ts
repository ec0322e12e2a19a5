import type { QueryContext, SfRecord } from '../types.ts';
import { readPath, type FieldPath } from './fields.ts';
import { compareValues, kindOf, normalize } from './values.ts';

export interface SortKey {
  path: FieldPath;
  desc: boolean;
  /** Salesforce's default: NULLS FIRST for ASC, NULLS LAST for DESC. */
  nullsFirst: boolean;
}

/**
 * ORDER BY, then Id as the last key, so equal keys (and queries without ORDER
 * BY) come back in a stable, repeatable order.
 */
export function sortRecords(rows: SfRecord[], keys: SortKey[], ctx: QueryContext): SfRecord[] {
  const kinds = keys.map((k) => kindOf(k.path.leaf.type));
  const decorated = rows.map((record) => ({
    record,
    values: keys.map((k, i) => normalize(kinds[i]!, readPath(ctx, record, k.path))),
    id: String(record.Id ?? ''),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const x = a.values[i] ?? null;
      const y = b.values[i] ?? null;
      if (x === null && y === null) continue;
      if (x === null) return key.nullsFirst ? -1 : 1;
      if (y === null) return key.nullsFirst ? 1 : -1;
      const c = compareValues(kinds[i]!, x, y);
      if (c !== 0) return key.desc ? -c : c;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return decorated.map((d) => d.record);
}
