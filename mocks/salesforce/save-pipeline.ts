/**
 * The save pipeline of one record, in Salesforce's order; the first stage
 * that fails decides the errors (DESIGN; issue 2 §2):
 *   1. unknown or hidden field           → INVALID_FIELD
 *   2. field not writable by this user   → INVALID_FIELD_FOR_INSERT_UPDATE
 *   3. value format                      → INVALID_EMAIL_ADDRESS, STRING_TOO_LONG, JSON_PARSER_ERROR, ...
 *   4. required fields                   → one REQUIRED_FIELD_MISSING naming them all
 *   5. validation rules                  → FIELD_CUSTOM_VALIDATION_EXCEPTION, one per failing rule
 * It computes the record to store; the org then applies audit fields and
 * stores it. Pure: it changes nothing.
 */
import { coerceValue } from './field-values.ts';
import type { ReferenceLookup } from './field-values.ts';
import { isSystemField } from './schema.ts';
import { evaluateRule } from './validation-rules.ts';
import type { CompiledRule } from './validation-rules.ts';
import type { Access, FieldDef, ObjectDef, SaveError, SfRecord, SfValue } from './types.ts';

export interface SaveRequest {
  object: ObjectDef;
  /** The acting user's effective access to a field. */
  access: (field: FieldDef) => Access;
  /** The body as sent: field names in any case. */
  input: Record<string, unknown>;
  /** The stored record before this save; undefined on insert. */
  prior: SfRecord | undefined;
  /** Values the org fills in when the caller leaves them out on insert (OwnerId = the running user). */
  insertDefaults?: Record<string, SfValue>;
  lookup: ReferenceLookup;
  rules: readonly CompiledRule[];
  now: number;
  /** The running user's User row and custom permissions, for $User and $Permission in rules. */
  user?: SfRecord;
  permissions?: ReadonlySet<string>;
  /** Told about a rule whose formula failed at run time (the rule is then skipped). */
  onRuleError?: (rule: CompiledRule, message: string) => void;
}

export type SaveOutcome =
  | { ok: true; record: SfRecord; written: string[] }
  | { ok: false; errors: SaveError[] };

const fail = (errors: SaveError[]): SaveOutcome => ({ ok: false, errors });

export function runSavePipeline(req: SaveRequest): SaveOutcome {
  const { object, input, prior } = req;
  const isInsert = prior === undefined;

  // 1. Every named field exists and is visible to the user.
  const named: Array<[FieldDef, unknown]> = [];
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes') continue;
    // A blank Id on insert is the same as none (clients serialise empty records that way).
    if (isInsert && key.toLowerCase() === 'id' && (raw === null || raw === '')) continue;
    const field = object.fields.get(key.toLowerCase());
    if (!field || req.access(field) === 'none') {
      return fail([{ statusCode: 'INVALID_FIELD', message: `No such column '${key}' on sobject of type ${object.name}`, fields: [] }]);
    }
    named.push([field, raw]);
  }

  // 2. ... and writable, by its definition and by the user's field-level security.
  if (isInsert && named.some(([f, raw]) => f.name === 'Id' && raw !== null && raw !== '')) {
    return fail([{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: 'cannot specify Id in an insert call', fields: ['Id'] }]);
  }
  const readOnly = named
    .filter(([f]) => (isInsert ? !f.createable : !f.updateable) || req.access(f) !== 'edit')
    .map(([f]) => f.name);
  if (readOnly.length > 0) {
    return fail([{
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields: readOnly,
    }]);
  }

  // 3. Each value in its field's format (the first bad one is reported).
  const values = new Map<FieldDef, SfValue>();
  for (const [field, raw] of named) {
    const coerced = coerceValue(field, raw, req.lookup);
    if (!coerced.ok) return fail([coerced.error]);
    values.set(field, coerced.value);
  }

  const record: SfRecord = isInsert ? insertTemplate(object, req.insertDefaults ?? {}) : { ...prior };
  for (const [field, value] of values) record[field.name] = value;

  // 4. Required fields: never null after the save. On insert a defaulted
  // field left out takes its default; one sent as blank is missing.
  const missing: string[] = [];
  for (const f of object.fields.values()) {
    if (f.nillable || f.type === 'boolean' || isSystemField(f)) continue;
    if (isInsert && !f.createable) continue;
    if (record[f.name] === null || record[f.name] === undefined) missing.push(f.name);
  }
  if (missing.length > 0) {
    return fail([{ statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing }]);
  }

  // 5. Validation rules, each failing one reported.
  const errors: SaveError[] = [];
  for (const rule of req.rules) {
    if (!rule.spec.active) continue;
    const outcome = evaluateRule(rule, { record, prior, now: req.now, user: req.user, permissions: req.permissions });
    if ('error' in outcome) req.onRuleError?.(rule, outcome.error);
    else if (outcome.fires) {
      errors.push({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: rule.spec.message, fields: rule.spec.field ? [rule.spec.field] : [] });
    }
  }
  if (errors.length > 0) return fail(errors);

  return { ok: true, record, written: [...values.keys()].map((f) => f.name) };
}

/** A new record before the caller's values: every field present, defaults applied. */
export function insertTemplate(object: ObjectDef, defaults: Record<string, SfValue>): SfRecord {
  const record: SfRecord = {};
  for (const f of object.fields.values()) {
    record[f.name] = f.name in defaults ? defaults[f.name]! : f.defaultValue ?? (f.type === 'boolean' ? false : null);
  }
  return record;
}
