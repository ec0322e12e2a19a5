/**
 * `/sobjects`: describeGlobal, describe (as the calling user sees the
 * object), basic info, and single-record create (201), retrieve, update
 * (204), delete (204) and upsert by external id (201 created, 200 updated).
 * A failed single-record call answers exactly one error object.
 */
import type { HttpHandler } from 'msw';
import type { SaveResult } from '../types.ts';
import { SalesforceError } from '../types.ts';
import { DESCRIBE_API_VERSION, atVersion } from '../describe.ts';
import type { SalesforceHttp } from './context.ts';
import { expectObject } from './json-body.ts';
import { bodyFields, checkId, liveRecord, pickFields, recordUrl, renderRecord, visibleObject } from './records.ts';
import { json, jsonText, noContent, saveErrorResponse } from './respond.ts';
import { restRoute, type ApiCall } from './rest.ts';

function failure(call: ApiCall, result: SaveResult & { success: false }): Response {
  const error = result.errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'save failed', fields: [] };
  call.noteErrors([error]);
  return saveErrorResponse(error);
}

async function recordBody(call: ApiCall, object: string): Promise<Record<string, unknown>> {
  const fields = bodyFields(expectObject(await call.body(), object));
  call.note.fieldsWritten = Object.keys(fields);
  return fields;
}

/** The org describes itself at one API version; its URLs are re-pointed at the version asked for. */
function valueAtVersion(call: ApiCall, value: unknown): unknown {
  return call.version === DESCRIBE_API_VERSION ? value : JSON.parse(atVersion(JSON.stringify(value), call.version));
}

function describeGlobal(call: ApiCall): Response {
  return jsonText(atVersion(JSON.stringify(call.sf.org.describeGlobal(call.user.id)), call.version));
}

function describe(call: ApiCall): Response {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const text = call.sf.org.describeText(def.name, call.user.id, call.version);
  if (text === undefined) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
  return jsonText(text);
}

/** GET /sobjects/{T}: the object's describeGlobal entry and recently viewed items (none here). */
function basicInfo(call: ApiCall): Response {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const global = call.sf.org.describeGlobal(call.user.id) as { sobjects?: Array<Record<string, unknown>> };
  const entry = global.sobjects?.find((s) => s['name'] === def.name) ?? { name: def.name, label: def.label, keyPrefix: def.keyPrefix };
  return json({ objectDescribe: valueAtVersion(call, entry), recentItems: [] });
}

async function create(call: ApiCall): Promise<Response> {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const fields = await recordBody(call, def.name);
  const result = call.sf.org.create(def.name, fields, call.user.id);
  if (!result.success) return failure(call, result);
  return json({ id: result.id, success: true, errors: [] }, 201);
}

function retrieve(call: ApiCall): Response {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const id = checkId(call, def, call.params['id'] ?? '');
  const param = call.query.get('fields');
  const fields = param === null ? undefined : pickFields(def, param.split(','));
  call.note.fieldsRead = fields ?? [];
  const record = liveRecord(call, def, id);
  return json(renderRecord(call.version, def, record, fields));
}

async function update(call: ApiCall): Promise<Response> {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const id = checkId(call, def, call.params['id'] ?? '');
  const fields = await recordBody(call, def.name);
  liveRecord(call, def, id);
  const result = call.sf.org.update(def.name, id, fields, call.user.id);
  if (!result.success) return failure(call, result);
  return noContent();
}

function destroy(call: ApiCall): Response {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const id = checkId(call, def, call.params['id'] ?? '');
  liveRecord(call, def, id);
  const result = call.sf.org.delete(def.name, id, call.user.id);
  if (!result.success) return failure(call, result);
  return noContent();
}

async function upsert(call: ApiCall): Promise<Response> {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  const fieldName = call.params['extField'] ?? '';
  const field = def.fields.get(fieldName.toLowerCase());
  if (!field) {
    throw new SalesforceError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`, 404);
  }
  const fields = await recordBody(call, def.name);
  const value = call.params['value'] ?? '';
  let result: SaveResult;
  try {
    result = call.sf.org.upsert(def.name, field.name, value, fields, call.user.id);
  } catch (err) {
    // Several records match: HTTP 300 with their URLs (the org passes the ids in `fields`).
    if (err instanceof SalesforceError && err.errorCode === 'MULTIPLE_CHOICES') {
      call.note.errorCodes.push('MULTIPLE_CHOICES');
      return json((err.fields ?? []).map((id) => recordUrl(call.version, def.name, id)), 300);
    }
    throw err;
  }
  if (!result.success) return failure(call, result);
  // API 46.0+: an insert answers 201 created:true, an update 200 created:false (reference §2.1; UNCONFIRMED boundary).
  return result.created
    ? json({ id: result.id, success: true, errors: [], created: true }, 201)
    : json({ id: result.id, success: true, errors: [], created: false }, 200);
}

/** In match order: fixed paths (describe, updated, deleted) before `/:id`. */
export function sobjectHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    restRoute(sf, 'get', '/sobjects', 'describeGlobal', describeGlobal),
    restRoute(sf, 'get', '/sobjects/:type/describe', 'describe', describe),
    restRoute(sf, 'get', '/sobjects/:type', 'basicInfo', basicInfo),
    restRoute(sf, 'post', '/sobjects/:type', 'create', create),
  ];
}

/** Record routes, registered after the fixed sub-resources of `/sobjects/:type/...`. */
export function sobjectRecordHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    restRoute(sf, 'get', '/sobjects/:type/:id', 'retrieve', retrieve),
    restRoute(sf, 'patch', '/sobjects/:type/:id', 'update', update),
    restRoute(sf, 'delete', '/sobjects/:type/:id', 'delete', destroy),
    restRoute(sf, 'patch', '/sobjects/:type/:extField/:value', 'upsert', upsert),
  ];
}
