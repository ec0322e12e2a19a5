/**
 * Custom activity types and records (reference B6): list, describe, create
 * (a draft), add attributes, approve, and add activities to people. Only an
 * approved type takes records.
 */
import { checkAttributeValue } from '../activities.ts';
import { MAX_BATCH } from '../instance.ts';
import type { CustomActivityTypeDef, FieldValue, Reason } from '../types.ts';
import { MarketoError } from '../types.ts';
import { marketoDatetime, parseDatetime } from '../values.ts';
import type { Route, RouteContext } from './route.ts';
import { objectBody } from './route.ts';

const listTypes: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\/external\/types\.json$/,
  operation: 'getCustomActivityTypes',
  run(ctx) {
    const result = ctx.instance.activityLog.customTypes();
    ctx.note.records = result.length;
    return { result };
  },
};

function typeOf(ctx: RouteContext): CustomActivityTypeDef {
  const apiName = decodeURIComponent(ctx.params[0]!);
  const t = ctx.instance.activityLog.customType(apiName);
  if (!t) throw new MarketoError('1013', `Activity type '${apiName}' not found`);
  return t;
}

const describeType: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\/external\/type\/([^/]+)\/describe\.json$/,
  operation: 'describeCustomActivityType',
  run(ctx) {
    const t = typeOf(ctx);
    if (ctx.query.get('draft') !== 'true' && t.status === 'draft') {
      throw new MarketoError('1013', `Activity type '${t.apiName}' has no approved version: ask with draft=true`);
    }
    return { result: [t] };
  },
};

const createType: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/activities\/external\/type\.json$/,
  operation: 'createCustomActivityType',
  body: 'json',
  run(ctx) {
    const b = objectBody(ctx.body);
    const t = ctx.instance.activityLog.createCustomType({
      apiName: b.apiName,
      name: b.name,
      description: b.description,
      triggerName: b.triggerName,
      filterName: b.filterName,
      primaryAttribute: b.primaryAttribute,
    });
    return { result: [t] };
  },
};

const createAttributes: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/activities\/external\/type\/([^/]+)\/attributes\/create\.json$/,
  operation: 'createCustomActivityTypeAttributes',
  body: 'json',
  run(ctx) {
    const apiName = decodeURIComponent(ctx.params[0]!);
    return { result: [ctx.instance.activityLog.addCustomAttributes(apiName, objectBody(ctx.body).attributes)] };
  },
};

const approveType: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/activities\/external\/type\/([^/]+)\/approve\.json$/,
  operation: 'approveCustomActivityType',
  run(ctx) {
    return { result: [ctx.instance.activityLog.approveCustomType(decodeURIComponent(ctx.params[0]!))] };
  },
};

type AddResult = { id: number; marketoGUID: string; status: 'added' } | { status: 'skipped'; reasons: Reason[] };

function addOne(ctx: RouteContext, raw: unknown): AddResult {
  const skip = (code: string, message: string): AddResult => ({ status: 'skipped', reasons: [{ code, message }] });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return skip('1003', 'Invalid data: each input must be an object');
  const r = raw as Record<string, unknown>;
  const leadId = typeof r.leadId === 'number' ? r.leadId : Number(r.leadId);
  if (!Number.isInteger(leadId) || !ctx.instance.getPerson(leadId)) return skip('1004', `Lead [${String(r.leadId)}] not found`);
  const typeId = typeof r.activityTypeId === 'number' ? r.activityTypeId : Number(r.activityTypeId);
  const type = ctx.instance.activityLog.customTypeById(typeId);
  if (!type || type.status === 'draft') return skip('1013', `Activity type [${String(r.activityTypeId)}] not found or not approved`);
  if (typeof r.activityDate !== 'string' || parseDatetime(r.activityDate) === undefined) {
    return skip('1003', `Invalid activityDate '${String(r.activityDate)}': ISO-8601 datetime required`);
  }
  if (r.primaryAttributeValue === undefined || r.primaryAttributeValue === null || r.primaryAttributeValue === '') {
    return skip('1003', `primaryAttributeValue is required (${type.primaryAttribute.apiName})`);
  }
  const primary = checkAttributeValue(type.primaryAttribute.dataType, r.primaryAttributeValue);
  if (primary === undefined) {
    return skip('1001', `Invalid value '${String(r.primaryAttributeValue)}'. Required of type '${type.primaryAttribute.dataType}'`);
  }
  const attributes: Array<{ name: string; apiName: string; value: FieldValue }> = [];
  const given = r.attributes ?? [];
  if (!Array.isArray(given)) return skip('1003', 'attributes must be an array of {apiName, value}');
  for (const a of given) {
    const x = (a ?? {}) as Record<string, unknown>;
    const def = type.attributes.find((d) => d.apiName === x.apiName || d.name === x.name);
    if (!def) return skip('1006', `Field '${String(x.apiName ?? x.name)}' not found`);
    const v = checkAttributeValue(def.dataType, x.value);
    if (v === undefined) return skip('1001', `Invalid value '${String(x.value)}'. Required of type '${def.dataType}'`);
    attributes.push({ name: def.name, apiName: def.apiName, value: v });
  }
  const a = ctx.instance.logActivity({
    leadId,
    activityTypeId: type.id,
    activityDate: marketoDatetime(parseDatetime(r.activityDate)!),
    primaryAttributeValue: primary === null ? null : String(primary),
    attributes,
  });
  return { id: a.id, marketoGUID: a.marketoGUID, status: 'added' };
}

const addActivities: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/activities\/external\.json$/,
  operation: 'addCustomActivities',
  body: 'json',
  run(ctx) {
    const input = objectBody(ctx.body).input;
    if (!Array.isArray(input) || input.length === 0) throw new MarketoError('701', 'input cannot be blank');
    if (input.length > MAX_BATCH) throw new MarketoError('1003', `Too many records in input: ${input.length}, at most ${MAX_BATCH}`);
    ctx.note.records = input.length;
    return { result: input.map((r) => addOne(ctx, r)) };
  },
};

export const customActivityRoutes: Route[] = [listTypes, describeType, createType, createAttributes, approveType, addActivities];
