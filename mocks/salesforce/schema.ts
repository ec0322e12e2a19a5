/**
 * Building blocks for object and field definitions: one FieldDef factory
 * with Salesforce's defaults per type, so standard and custom fields are
 * described the same way.
 */
import type { FieldDef, FieldType, ObjectDef, PicklistEntry, SfRecord, SfValue } from './types.ts';

export interface FieldOpts {
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  digits?: number;
  nillable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  defaultedOnCreate?: boolean;
  custom?: boolean;
  calculated?: boolean;
  externalId?: boolean;
  unique?: boolean;
  idLookup?: boolean;
  picklist?: string[];
  /** Which picklist value is the default. */
  picklistDefault?: string;
  restricted?: boolean;
  referenceTo?: string[];
  relationshipName?: string | null;
  defaultValue?: SfValue;
}

const TEXT_TYPES: ReadonlySet<FieldType> = new Set([
  'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'id', 'reference',
]);

export function isTextType(type: FieldType): boolean {
  return TEXT_TYPES.has(type);
}

export function isNumberType(type: FieldType): boolean {
  return type === 'int' || type === 'double' || type === 'currency' || type === 'percent';
}

/** "AnnualRevenue" → "Annual Revenue", "Score__c" → "Score". */
export function labelFromName(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/\bId$/, 'ID')
    .trim();
}

export function picklistEntries(values: string[], defaultValue?: string): PicklistEntry[] {
  return values.map((value) => ({ active: true, defaultValue: value === defaultValue, label: value, validFor: null, value }));
}

export function makeField(name: string, type: FieldType, opts: FieldOpts = {}): FieldDef {
  const text = isTextType(type);
  const length = text ? (opts.length ?? (type === 'id' || type === 'reference' ? 18 : 255)) : 0;
  const isBool = type === 'boolean';
  const picklistValues = picklistEntries(opts.picklist ?? [], opts.picklistDefault);
  const defaultValue = opts.defaultValue !== undefined
    ? opts.defaultValue
    : opts.picklistDefault ?? (isBool ? false : null);
  return {
    name,
    label: opts.label ?? labelFromName(name),
    type,
    length,
    precision: opts.precision ?? (type === 'double' || type === 'currency' || type === 'percent' ? 18 : 0),
    scale: opts.scale ?? (type === 'double' || type === 'currency' || type === 'percent' ? 2 : 0),
    digits: opts.digits ?? (type === 'int' ? 9 : 0),
    // Checkboxes are never null in Salesforce: nillable false, defaulted to false.
    nillable: opts.nillable ?? !isBool,
    createable: opts.createable ?? true,
    updateable: opts.updateable ?? true,
    defaultedOnCreate: opts.defaultedOnCreate ?? (isBool || opts.picklistDefault !== undefined || opts.defaultValue != null),
    custom: opts.custom ?? name.endsWith('__c'),
    calculated: opts.calculated ?? false,
    externalId: opts.externalId ?? false,
    unique: opts.unique ?? false,
    idLookup: opts.idLookup ?? (type === 'id' || opts.externalId === true),
    filterable: type !== 'textarea' || length <= 255,
    sortable: type !== 'textarea' || length <= 255,
    picklistValues,
    restrictedPicklist: opts.restricted ?? false,
    referenceTo: opts.referenceTo ?? [],
    relationshipName: opts.relationshipName ?? (type === 'reference' && name.endsWith('Id') ? name.slice(0, -2) : null),
    defaultValue,
  };
}

/**
 * Freezes a field definition, its picklist entries and reference targets: a definition shared by several orgs
 * (standard fields, interned custom fields) or views must not change under any of them. Returns `f`.
 */
export function freezeField(f: FieldDef): FieldDef {
  for (const p of f.picklistValues) Object.freeze(p);
  Object.freeze(f.picklistValues);
  Object.freeze(f.referenceTo);
  return Object.freeze(f);
}

const canonicalFields = new Map<string, FieldDef>();
const CANONICAL_KEPT = 1000;

/**
 * One shared, frozen definition per distinct field: two orgs adding the same custom field get the same object, so
 * what is cached by definition (describe texts) is shared between them. Equal means every property equal:
 * JSON.stringify of the definition, with a number default written out again (JSON writes -0 as 0, NaN as null).
 */
export function canonicalField(f: FieldDef): FieldDef {
  const dv = f.defaultValue;
  const key = JSON.stringify(f) + (typeof dv === 'number' ? `|${Object.is(dv, -0) ? '-0' : String(dv)}` : '');
  let canonical = canonicalFields.get(key);
  if (!canonical) {
    if (canonicalFields.size >= CANONICAL_KEPT) canonicalFields.clear();
    canonicalFields.set(key, (canonical = freezeField(f)));
  }
  return canonical;
}

/** A read-only system field (audit fields, Id, IsDeleted, ...). */
export function systemField(name: string, type: FieldType, opts: FieldOpts = {}): FieldDef {
  return makeField(name, type, { createable: false, updateable: false, defaultedOnCreate: true, ...opts });
}

export function makeObject(name: string, label: string, labelPlural: string, keyPrefix: string, fields: FieldDef[]): ObjectDef {
  return {
    name,
    label,
    labelPlural,
    keyPrefix,
    custom: name.endsWith('__c'),
    fields: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
  };
}

/** Fields a field-level-security setting can never hide: the record's own id and universally required fields. */
export function isAlwaysEditable(f: FieldDef): boolean {
  return !f.nillable && f.createable && f.type !== 'boolean';
}

/** System fields: neither createable nor updateable; at most readable. */
export function isSystemField(f: FieldDef): boolean {
  return !f.createable && !f.updateable;
}

/** A stored row of an object from a draft: every field of the object, in order, null (a checkbox false) when absent. */
export type RowBuilder = (draft: SfRecord) => SfRecord;

const rowBuilders = new Map<string, RowBuilder>();
const ROW_BUILDERS_KEPT = 500;

/**
 * The row builder for these fields, one object literal with the names written in: storing ~60 fields one by one
 * under names known only at run time is a megamorphic keyed store each (as for query rows, soql/flat-rows.ts), and
 * every row of one field list gets one hidden class. Shared by every org whose object has the same fields. The
 * names come from the schema; JSON.stringify writes each as a JavaScript string literal, whatever it holds.
 */
export function rowBuilder(fields: Iterable<FieldDef>): RowBuilder {
  const parts: string[] = [];
  for (const f of fields) {
    const name = JSON.stringify(f.name);
    parts.push(`${name}: d[${name}] ?? ${f.type === 'boolean' ? 'false' : 'null'}`);
  }
  const body = `return { ${parts.join(', ')} };`;
  let build = rowBuilders.get(body);
  if (!build) {
    if (rowBuilders.size >= ROW_BUILDERS_KEPT) rowBuilders.clear();
    rowBuilders.set(body, (build = new Function('d', body) as RowBuilder));
  }
  return build;
}
