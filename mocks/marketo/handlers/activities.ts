/**
 * Activity endpoints (reference B5, B6): types, date paging tokens, lead
 * activities, lead changes and deleted leads. The three readers page by
 * activity position and always return `nextPageToken`; a page may be short
 * or empty while `moreResult` is true (MarketoInstance.pageActivities).
 */
import { ACTIVITY } from '../activities.ts';
import { MAX_BATCH } from '../instance.ts';
import { activityToken, readActivityToken } from '../paging-tokens.ts';
import type { Activity } from '../types.ts';
import { MarketoError } from '../types.ts';
import { isCalendarDate, parseDatetime } from '../values.ts';
import type { Outcome, Route, RouteContext } from './route.ts';
import { idListParam, intParam, listParam } from './route.ts';

const MAX_TYPE_IDS = 10;
const MAX_LEAD_IDS = 30;

/**
 * The activity as the API shows it (internal bookkeeping stripped). Results are only ever serialized by the pipeline,
 * so the log's own attribute objects are shown as they are, not copied first: the JSON is the same.
 */
export function activityJson(a: Activity) {
  const { change: _change, loggedAt: _loggedAt, ...rest } = a;
  return { ...rest, attributes: a.attributes };
}

/** A Change Data Value's own attributes, which Get Lead Changes shows as `fields` instead. */
function shownInLeadChanges(x: { name: string }): boolean {
  return x.name !== 'New Value' && x.name !== 'Old Value';
}

function startToken(ctx: RouteContext): number {
  const token = ctx.query.get('nextPageToken');
  if (!token) throw new MarketoError('701', 'nextPageToken cannot be blank');
  return readActivityToken(token);
}

function leadIdFilter(ctx: RouteContext): Set<number> | undefined {
  if (ctx.query.has('listId')) {
    throw new MarketoError('1003', 'listId is not supported by this emulator (it has no static lists): use leadIds');
  }
  const ids = idListParam(ctx.query, 'leadIds');
  if (ids.length > MAX_LEAD_IDS) throw new MarketoError('1003', `Too many leadIds: ${ids.length}, at most ${MAX_LEAD_IDS}`);
  return ids.length > 0 ? new Set(ids) : undefined;
}

function page(ctx: RouteContext, match: (a: Activity) => boolean, show: (a: Activity) => unknown): Outcome {
  const from = startToken(ctx);
  const batchSize = intParam(ctx.query, 'batchSize', MAX_BATCH, 1, MAX_BATCH);
  const { items, nextId, moreResult } = ctx.instance.pageActivities(from, batchSize, match);
  ctx.note.records = items.length;
  // Marketo omits `result` on an empty page and always sends the token.
  return { ...(items.length > 0 ? { result: items.map(show) } : {}), nextPageToken: activityToken(nextId), moreResult };
}

const types: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\/types\.json$/,
  operation: 'getActivityTypes',
  run(ctx) {
    const result = ctx.instance.activityLog.types();
    ctx.note.records = result.length;
    return { result };
  },
};

const pagingToken: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\/pagingtoken\.json$/,
  operation: 'getPagingToken',
  run(ctx) {
    const since = ctx.query.get('sinceDatetime');
    if (!since) throw new MarketoError('701', 'sinceDatetime cannot be blank');
    const ms = parseDatetime(since) ?? (isCalendarDate(since.trim()) ? Date.parse(`${since.trim()}T00:00:00Z`) : undefined);
    // [UNCONFIRMED] the code for an unparseable sinceDatetime; 1003 is our choice.
    if (ms === undefined) throw new MarketoError('1003', `Invalid sinceDatetime '${since}': use ISO-8601, e.g. 2026-01-05T09:00:00Z`);
    return { nextPageToken: activityToken(ctx.instance.activityLog.firstIdSince(ms)) };
  },
};

const leadActivities: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\.json$/,
  operation: 'getActivities',
  run(ctx) {
    const typeIds = idListParam(ctx.query, 'activityTypeIds');
    if (typeIds.length === 0) throw new MarketoError('701', 'activityTypeIds cannot be blank');
    if (typeIds.length > MAX_TYPE_IDS) throw new MarketoError('1003', `Too many activityTypeIds: ${typeIds.length}, at most ${MAX_TYPE_IDS}`);
    const unknown = typeIds.filter((id) => !ctx.instance.activityLog.isKnownType(id));
    if (unknown.length > 0) throw new MarketoError('1003', `Invalid activityTypeIds [${unknown.join(', ')}]`);
    const types = new Set(typeIds);
    const leads = leadIdFilter(ctx);
    return page(ctx, (a) => types.has(a.activityTypeId) && (!leads || leads.has(a.leadId)), activityJson);
  },
};

const leadChanges: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\/leadchanges\.json$/,
  operation: 'getLeadChanges',
  run(ctx) {
    const names = listParam(ctx.query, 'fields');
    if (names.length === 0) throw new MarketoError('701', 'fields cannot be blank');
    const fields = new Set(ctx.instance.resolveFields(names).map((f) => f.name));
    ctx.note.fieldsRead.push(...fields);
    const leads = leadIdFilter(ctx);
    const match = (a: Activity) =>
      (!leads || leads.has(a.leadId)) &&
      (a.activityTypeId === ACTIVITY.newLead || (a.activityTypeId === ACTIVITY.changeDataValue && !!a.change && fields.has(a.change.name)));
    const show = (a: Activity) => ({
      id: a.id,
      marketoGUID: a.marketoGUID,
      leadId: a.leadId,
      activityDate: a.activityDate,
      activityTypeId: a.activityTypeId,
      fields: a.change ? [{ id: a.change.fieldId, name: a.change.name, newValue: a.change.newValue, oldValue: a.change.oldValue }] : [],
      attributes: a.attributes.filter(shownInLeadChanges),
    });
    return page(ctx, match, show);
  },
};

const deletedLeads: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/activities\/deletedleads\.json$/,
  operation: 'getDeletedLeads',
  run(ctx) {
    return page(ctx, (a) => a.activityTypeId === ACTIVITY.deleteLead, activityJson);
  },
};

export const activityRoutes: Route[] = [types, pagingToken, leadActivities, leadChanges, deletedLeads];
