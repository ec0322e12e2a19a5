/**
 * Rows of a SELECT list without parent fields, in the REST shape, built by one object literal made for that list.
 * Adding ~30 properties one by one under names known only at run time is a megamorphic keyed store each (~3 µs a
 * row); a literal with the names written in is one allocation of one hidden class (~0.1 µs). A plan (plan.ts)
 * makes one and reuses it for every query of its shape.
 */
import type { SfRecord } from '../types.ts';

/** Shapes a stored row: `attributes` first, then each field in SELECT order, null when absent. */
export type FlatRowShaper = (record: SfRecord, url: string) => Record<string, unknown>;

/**
 * A shaper for rows of `type` with the fields `names` (canonical, no duplicates). The names come from the
 * schema; JSON.stringify writes each as a JavaScript string literal, whatever it holds.
 */
export function flatRowShaper(type: string, names: readonly string[]): FlatRowShaper {
  const fields = names.map((n) => `${JSON.stringify(n)}: r[${JSON.stringify(n)}] ?? null`);
  const body = `return { attributes: { type: ${JSON.stringify(type)}, url }, ${fields.join(', ')} };`;
  return new Function('r', 'url', body) as FlatRowShaper;
}

/** Row texts by shaper and URL prefix (see rowTexts). */
const texts = new WeakMap<FlatRowShaper, Map<string, WeakMap<SfRecord, string>>>();

/**
 * `JSON.stringify(shaper(record, prefix + record.Id))` for each stored row, kept while the row lives: a stored row
 * is frozen and a save replaces it with another, so one row always shapes to the same text. A poll that reads the
 * same rows cycle after cycle writes each of them once.
 */
export function rowTexts(shaper: FlatRowShaper, prefix: string): (record: SfRecord) => string {
  let byPrefix = texts.get(shaper);
  if (!byPrefix) texts.set(shaper, (byPrefix = new Map()));
  let cache = byPrefix.get(prefix);
  if (!cache) byPrefix.set(prefix, (cache = new WeakMap()));
  const known = cache;
  return (record) => {
    let text = known.get(record);
    if (text === undefined) known.set(record, (text = JSON.stringify(shaper(record, prefix + String(record.Id)))));
    return text;
  };
}
