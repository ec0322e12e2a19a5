/**
 * Shared pieces of the record endpoints: resolving an object as the calling
 * user sees it, checking ids, rendering records with `attributes`, and
 * picking the fields a request names.
 */
import type { ObjectDef, SfRecord } from '../types.ts';
import { SalesforceError } from '../types.ts';
import { isSalesforceId, to18 } from '../ids.ts';
import type { ApiCall } from './rest.ts';
import { NOT_FOUND_MESSAGE } from './respond.ts';

/** The object as the caller sees it (hidden fields absent); 404 NOT_FOUND when there is none. */
export function visibleObject(call: ApiCall, name: string | undefined): ObjectDef {
  const def = name ? call.sf.org.queryContext(call.user.id).object(name) : undefined;
  if (!def) throw new SalesforceError('NOT_FOUND', NOT_FOUND_MESSAGE, 404);
  return def;
}

export function malformedId(def: ObjectDef, id: string): SalesforceError {
  return new SalesforceError('MALFORMED_ID', `${def.label} ID: id value of incorrect type: ${id}`, 400, ['Id']);
}

/** The 18-character id when `id` is a well-formed id of `def`'s object; else 400 MALFORMED_ID. */
export function checkId(call: ApiCall, def: ObjectDef, id: string): string {
  if (!isSalesforceId(id) || call.sf.org.objectOfId(id) !== def.name) throw malformedId(def, id);
  return to18(id);
}

/** An existing, undeleted record: 404 NOT_FOUND when unknown, 404 ENTITY_IS_DELETED when in the recycle bin. */
export function liveRecord(call: ApiCall, def: ObjectDef, id18: string): SfRecord {
  const record = call.sf.org.get(def.name, id18, { includeDeleted: true });
  if (!record) throw new SalesforceError('NOT_FOUND', NOT_FOUND_MESSAGE, 404);
  // UNCONFIRMED for GET (reference §9.4): Salesforce may answer NOT_FOUND there; we answer as for PATCH/DELETE.
  if (record['IsDeleted'] === true) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted', 404, []);
  return record;
}

export function recordUrl(version: string, object: string, id: string): string {
  return `/services/data/v${version}/sobjects/${object}/${id}`;
}

/** SOQL's wording for a field the caller cannot see, so hidden and unknown fields read the same. */
export function noSuchColumn(object: string, field: string): SalesforceError {
  return new SalesforceError(
    'INVALID_FIELD',
    `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    400,
  );
}

/** Canonical names of a `fields=a,b` list; unknown or hidden names answer INVALID_FIELD. */
export function pickFields(def: ObjectDef, list: string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const name = raw.trim();
    if (name === '') continue;
    const field = def.fields.get(name.toLowerCase());
    if (!field) throw noSuchColumn(def.name, name);
    if (!out.includes(field.name)) out.push(field.name);
  }
  return out;
}

/** A record as the REST API renders it: `attributes`, then the fields in order. */
export function renderRecord(version: string, def: ObjectDef, record: SfRecord, fields?: string[]): Record<string, unknown> {
  const id = String(record['Id']);
  const out: Record<string, unknown> = { attributes: { type: def.name, url: recordUrl(version, def.name, id) } };
  const names = fields ?? [...def.fields.values()].map((f) => f.name);
  for (const name of names) out[name] = record[name] ?? null;
  // UNCONFIRMED: a retrieve with `fields` also answers the Id.
  if (fields && !('Id' in out)) out['Id'] = id;
  return out;
}

/** A record body's fields, without the `attributes` clients often send along. */
export function bodyFields(body: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...fields } = body;
  return fields;
}
