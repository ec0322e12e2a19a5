/**
 * sObject Collections, `/composite/sobjects` (reference §2.3): create (POST),
 * update (PATCH), upsert (PATCH `/{T}/{extField}`), retrieve by ids (POST or
 * GET `/{T}`) and delete (DELETE `?ids=`). At most 200 records a call
 * (EXCEEDED_ID_LIMIT beyond). Well-formed requests answer HTTP 200 with one
 * result per record, in order, errors carrying `statusCode`. With
 * `allOrNone` one failure rolls the whole call back: failing records keep
 * their own error, the others get ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
import type { HttpHandler } from 'msw';
import type { ObjectDef, SaveError, SaveResult } from '../types.ts';
import { SalesforceError } from '../types.ts';
import { isSalesforceId, to18 } from '../ids.ts';
import type { SalesforceHttp } from './context.ts';
import { expectObject, jsonParserError, jsonTokenName } from './json-body.ts';
import { bodyFields, malformedId, pickFields, renderRecord, visibleObject } from './records.ts';
import { json } from './respond.ts';
import { restRoute, type ApiCall } from './rest.ts';

export const MAX_COLLECTION_RECORDS = 200;
export const MAX_RETRIEVE_IDS = 2000;

const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

type ItemResult = { id?: string; success: boolean; errors: SaveError[]; created?: boolean };

function tooMany(limit: number): SalesforceError {
  return new SalesforceError('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${limit} records into this call`, 400);
}

function failed(error: SaveError, id?: string): ItemResult {
  return id === undefined ? { success: false, errors: [error] } : { id, success: false, errors: [error] };
}

function fromSave(result: SaveResult, withCreated: boolean): ItemResult {
  if (!result.success) return result.id === undefined ? { success: false, errors: result.errors } : { id: result.id, success: false, errors: result.errors };
  const out: ItemResult = { id: result.id, success: true, errors: [] };
  if (withCreated) out.created = result.created === true;
  return out;
}

/** A SalesforceError thrown by the org for one record becomes that record's error. */
function guard(fn: () => ItemResult, id?: string): ItemResult {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SalesforceError) return failed({ statusCode: err.errorCode, message: err.message, fields: err.fields ?? [] }, id);
    throw err;
  }
}

interface Body {
  allOrNone: boolean;
  records: Array<Record<string, unknown>>;
}

async function collectionBody(call: ApiCall): Promise<Body> {
  const body = expectObject(await call.body(), 'SObjectCollection');
  const records = body['records'];
  if (!Array.isArray(records)) {
    throw jsonParserError(`records: expected an array of records, found ${records === undefined ? 'nothing' : jsonTokenName(records)}`);
  }
  if (records.length > MAX_COLLECTION_RECORDS) throw tooMany(MAX_COLLECTION_RECORDS);
  const allOrNone = body['allOrNone'] ?? false;
  if (typeof allOrNone !== 'boolean') throw jsonParserError(`allOrNone: expected true or false, found ${jsonTokenName(allOrNone)}`);
  const out = records.map((r, i) => {
    if (r && typeof r === 'object' && !Array.isArray(r)) return r as Record<string, unknown>;
    throw jsonParserError(`records[${i}]: expected a record object, found ${jsonTokenName(r)}`);
  });
  call.note.records = out.length;
  return { allOrNone, records: out };
}

/** The record's object from `attributes.type`, as the caller sees it; else a per-record error. */
function recordType(call: ApiCall, record: Record<string, unknown>): ObjectDef | SaveError {
  const attributes = record['attributes'];
  const type = attributes && typeof attributes === 'object' ? (attributes as Record<string, unknown>)['type'] : undefined;
  if (typeof type !== 'string' || type === '') return { statusCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.', fields: [] };
  const def = call.sf.org.queryContext(call.user.id).object(type);
  // UNCONFIRMED wording for an unknown type inside a collection; SOQL's INVALID_TYPE text is the closest real one.
  if (!def) return { statusCode: 'INVALID_TYPE', message: `sObject type '${type}' is not supported.`, fields: [] };
  return def;
}

function isDef(x: ObjectDef | SaveError): x is ObjectDef {
  return 'fields' in x && x.fields instanceof Map;
}

/**
 * Runs one write per record. With allOrNone and any failure, undoes them
 * all (the org's savepoint) and reports the others as rolled back.
 */
function applyAll(call: ApiCall, allOrNone: boolean, count: number, write: (i: number) => ItemResult): ItemResult[] {
  const savepoint = allOrNone ? call.sf.org.savepoint?.() : undefined;
  const results: ItemResult[] = [];
  for (let i = 0; i < count; i++) results.push(write(i));
  if (allOrNone && results.some((r) => !r.success)) {
    // OrgApi.savepoint is optional: an org without it cannot undo the successful writes.
    savepoint?.rollback();
    // A record that existed before keeps its id in the answer; a rolled-back insert has none.
    return results.map((r) => (r.success ? failed(ROLLED_BACK, r.created === true || call.note.operation === 'createMany' ? undefined : r.id) : r));
  }
  savepoint?.release();
  return results;
}

function answer(call: ApiCall, results: ItemResult[]): Response {
  for (const r of results) call.noteErrors(r.errors);
  return json(results);
}

function noteWritten(call: ApiCall, fields: Record<string, unknown>): void {
  for (const k of Object.keys(fields)) if (!call.note.fieldsWritten.includes(k)) call.note.fieldsWritten.push(k);
}

function requireVersion(call: ApiCall, min: number): void {
  if (Number.parseFloat(call.version) < min) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
}

async function create(call: ApiCall): Promise<Response> {
  requireVersion(call, 42);
  const { allOrNone, records } = await collectionBody(call);
  const results = applyAll(call, allOrNone, records.length, (i) => {
    const record = records[i]!;
    const def = recordType(call, record);
    if (!isDef(def)) return failed(def);
    call.note.object ??= def.name;
    const fields = bodyFields(record);
    noteWritten(call, fields);
    if ('id' in fields || 'Id' in fields) {
      return failed({ statusCode: 'INVALID_FIELD', message: 'cannot specify Id in an insert call', fields: [] });
    }
    return guard(() => fromSave(call.sf.org.create(def.name, fields, call.user.id), false));
  });
  return answer(call, results);
}

/** The record's id for an update: `id` (what jsforce sends) or `Id`. */
function updateId(record: Record<string, unknown>): unknown {
  return record['id'] ?? record['Id'];
}

async function update(call: ApiCall): Promise<Response> {
  requireVersion(call, 42);
  const { allOrNone, records } = await collectionBody(call);
  const results = applyAll(call, allOrNone, records.length, (i) => {
    const record = records[i]!;
    const def = recordType(call, record);
    if (!isDef(def)) return failed(def);
    call.note.object ??= def.name;
    const { id: _lower, Id: _upper, ...fields } = bodyFields(record);
    noteWritten(call, fields);
    const rawId = updateId(record);
    if (rawId === undefined || rawId === null || rawId === '') {
      return failed({ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] });
    }
    const idText = String(rawId);
    if (!isSalesforceId(idText) || call.sf.org.objectOfId(idText) !== def.name) {
      const e = malformedId(def, idText);
      return failed({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }, idText);
    }
    const id = to18(idText);
    // A deleted record: the org's update answers ENTITY_IS_DELETED ('entity is deleted') with the id, as a
    // collection reports it.
    return guard(() => fromSave(call.sf.org.update(def.name, id, fields, call.user.id), false), id);
  });
  return answer(call, results);
}

async function upsert(call: ApiCall): Promise<Response> {
  requireVersion(call, 46);
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const extParam = call.params['extField'] ?? '';
  const ext = def.fields.get(extParam.toLowerCase());
  if (!ext) throw new SalesforceError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${extParam}`, 404);
  const { allOrNone, records } = await collectionBody(call);
  const results = applyAll(call, allOrNone, records.length, (i) => {
    const record = records[i]!;
    const fields = bodyFields(record);
    noteWritten(call, fields);
    const key = Object.keys(fields).find((k) => k.toLowerCase() === ext.name.toLowerCase());
    const value = key === undefined ? undefined : fields[key];
    if (value === undefined || value === null || value === '') {
      return failed({ statusCode: 'MISSING_ARGUMENT', message: `${ext.name} not specified`, fields: [] });
    }
    const { [key!]: _ext, ...rest } = fields;
    return guard(() => {
      try {
        return fromSave(call.sf.org.upsert(def.name, ext.name, String(value), rest, call.user.id), true);
      } catch (err) {
        // UNCONFIRMED wording: in a collection several matches fail the record rather than answering 300.
        if (err instanceof SalesforceError && err.errorCode === 'MULTIPLE_CHOICES') {
          return failed({
            statusCode: 'DUPLICATE_EXTERNAL_ID',
            message: `${ext.name}: more than one record found for external id field: [${(err.fields ?? []).join(', ')}]`,
            fields: [ext.name],
          });
        }
        throw err;
      }
    });
  });
  return answer(call, results);
}

function retrieveIds(call: ApiCall, def: ObjectDef, ids: unknown[], fieldList: unknown[]): Response {
  if (ids.length > MAX_RETRIEVE_IDS) throw tooMany(MAX_RETRIEVE_IDS);
  const fields = pickFields(def, fieldList.map(String));
  if (fields.length === 0) throw new SalesforceError('MISSING_ARGUMENT', 'fields: name at least one field to retrieve', 400);
  call.note.fieldsRead = fields;
  call.note.records = ids.length;
  const out = ids.map((raw) => {
    const id = String(raw);
    if (!isSalesforceId(id) || call.sf.org.objectOfId(id) !== def.name) throw malformedId(def, id);
    const record = call.sf.org.get(def.name, to18(id));
    // UNCONFIRMED (reference §9.5): a missing or deleted id answers null in its place.
    return record ? renderRecord(call.version, def, record, fields) : null;
  });
  return json(out);
}

async function retrievePost(call: ApiCall): Promise<Response> {
  requireVersion(call, 42);
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const body = expectObject(await call.body(), 'SObjectCollectionRetrieve');
  const ids = body['ids'];
  const fields = body['fields'];
  if (!Array.isArray(ids)) throw jsonParserError(`ids: expected an array of ids, found ${ids === undefined ? 'nothing' : jsonTokenName(ids)}`);
  if (!Array.isArray(fields)) throw jsonParserError(`fields: expected an array of field names, found ${fields === undefined ? 'nothing' : jsonTokenName(fields)}`);
  return retrieveIds(call, def, ids, fields);
}

function retrieveGet(call: ApiCall): Response {
  requireVersion(call, 42);
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const list = (name: string) => (call.query.get(name) ?? '').split(',').filter((s) => s.trim() !== '');
  const ids = list('ids');
  if (ids.length === 0) throw new SalesforceError('MISSING_ARGUMENT', 'ids: name at least one id to retrieve', 400);
  return retrieveIds(call, def, ids, list('fields'));
}

function destroy(call: ApiCall): Response {
  requireVersion(call, 42);
  const raw = call.query.get('ids');
  if (raw === null || raw.trim() === '') throw new SalesforceError('MISSING_ARGUMENT', 'ids: name at least one id to delete', 400);
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length > MAX_COLLECTION_RECORDS) throw tooMany(MAX_COLLECTION_RECORDS);
  const allOrNone = (call.query.get('allOrNone') ?? 'false').toLowerCase() === 'true';
  call.note.records = ids.length;
  const results = applyAll(call, allOrNone, ids.length, (i) => {
    const id = ids[i]!;
    const object = isSalesforceId(id) ? call.sf.org.objectOfId(id) : undefined;
    if (!object) return failed({ statusCode: 'MALFORMED_ID', message: `malformed id ${id}`, fields: [] }, id);
    call.note.object ??= object;
    const id18 = to18(id);
    const existing = call.sf.org.get(object, id18, { includeDeleted: true });
    if (existing?.['IsDeleted'] === true) return failed({ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }, id18);
    return guard(() => fromSave(call.sf.org.delete(object, id18, call.user.id), false), id18);
  });
  return answer(call, results);
}

export function collectionHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    restRoute(sf, 'post', '/composite/sobjects', 'createMany', create),
    restRoute(sf, 'patch', '/composite/sobjects', 'updateMany', update),
    restRoute(sf, 'delete', '/composite/sobjects', 'deleteMany', destroy),
    restRoute(sf, 'post', '/composite/sobjects/:type', 'retrieveMany', retrievePost),
    restRoute(sf, 'get', '/composite/sobjects/:type', 'retrieveMany', retrieveGet),
    restRoute(sf, 'patch', '/composite/sobjects/:type/:extField', 'upsertMany', upsert),
  ];
}
