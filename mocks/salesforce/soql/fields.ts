import type { FieldDef, ObjectDef, QueryContext, SfRecord, SfValue } from '../types.ts';
import { badRelationship, noSuchColumn } from './errors.ts';

/** A resolved field reference such as `Email` or `Owner.Name`. */
export interface FieldPath {
  /** Canonical spelling, e.g. 'Owner.Name'. */
  canonical: string;
  /** Lookup fields walked through, in order (e.g. OwnerId for Owner.Name). */
  hops: FieldDef[];
  leaf: FieldDef;
}

/** Why a reference did not resolve: the message text of an INVALID_FIELD. */
export class PathError {
  constructor(readonly text: string) {}
}

// Every object has an Id; the contract says a query may always name it.
const ID_FIELD: FieldDef = {
  name: 'Id', label: 'Record ID', type: 'id', length: 18, precision: 0, scale: 0, digits: 0, nillable: false,
  createable: false, updateable: false, defaultedOnCreate: true, custom: false, calculated: false, externalId: false,
  unique: false, idLookup: true, filterable: true, sortable: true, picklistValues: [], restrictedPicklist: false,
  referenceTo: [], relationshipName: null, defaultValue: null,
};

function field(obj: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return obj.fields.get(lower) ?? (lower === 'id' ? ID_FIELD : undefined);
}

/**
 * Resolves `raw` (possibly prefixed with the FROM alias) against the user's view
 * of `root`. Hidden fields are absent from that view, so they fail exactly like
 * fields that do not exist.
 */
export function resolvePath(ctx: QueryContext, root: ObjectDef, raw: string, alias?: string): FieldPath | PathError {
  let parts = raw.split('.');
  if (alias && parts.length > 1 && parts[0]!.toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
  const hops: FieldDef[] = [];
  const names: string[] = [];
  let objects: ObjectDef[] = [root];
  for (const part of parts.slice(0, -1)) {
    const lower = part.toLowerCase();
    let hop: FieldDef | undefined;
    for (const o of objects) {
      hop = [...o.fields.values()].find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower);
      if (hop) break;
    }
    if (!hop) return new PathError(badRelationship(part));
    hops.push(hop);
    names.push(hop.relationshipName!);
    objects = hop.referenceTo.map((t) => ctx.object(t)).filter((o): o is ObjectDef => o !== undefined);
    if (objects.length === 0) return new PathError(badRelationship(part));
  }
  const last = parts[parts.length - 1]!;
  let leaf: FieldDef | undefined;
  for (const o of objects) if ((leaf = field(o, last))) break;
  if (!leaf) {
    // A polymorphic lookup (Owner: User or Group) is checked against the 'Name' entity.
    const entity = objects.length > 1 ? 'Name' : objects[0]!.name;
    return new PathError(noSuchColumn(last, entity));
  }
  names.push(leaf.name);
  return { canonical: names.join('.'), hops, leaf };
}

/** The parent records along a path (undefined once a lookup is empty or dangling). */
export function walk(ctx: QueryContext, record: SfRecord, path: FieldPath): Array<{ object: string; record: SfRecord } | undefined> {
  const out: Array<{ object: string; record: SfRecord } | undefined> = [];
  let current: SfRecord | undefined = record;
  for (const hop of path.hops) {
    const id: unknown = current?.[hop.name];
    const got: { object: string; record: SfRecord } | undefined = typeof id === 'string' ? ctx.get(id) : undefined;
    out.push(got);
    current = got?.record;
  }
  return out;
}

/** The value a path reads on a record (null through an empty lookup). */
export function readPath(ctx: QueryContext, record: SfRecord, path: FieldPath): SfValue {
  if (path.hops.length === 0) return record[path.leaf.name] ?? null;
  const parents = walk(ctx, record, path);
  const last = parents[parents.length - 1];
  return last?.record[path.leaf.name] ?? null;
}
