/**
 * Lead endpoints (reference B4): get by filter, get by id, sync (upsert),
 * delete and merge.
 */
import { MAX_BATCH } from '../instance.ts';
import { offsetToken, readOffsetToken } from '../paging-tokens.ts';
import type { FieldDef } from '../types.ts';
import { MarketoError } from '../types.ts';
import type { Route, RouteContext } from './route.ts';
import { idListParam, intParam, listParam, objectBody } from './route.ts';

function readFields(ctx: RouteContext): FieldDef[] {
  const names = listParam(ctx.query, 'fields');
  const defs = names.length > 0 ? ctx.instance.resolveFields(names) : ctx.instance.defaultReadFields();
  ctx.note.fieldsRead.push(...defs.map((d) => d.name));
  return defs;
}

const getLeads: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/leads\.json$/,
  operation: 'getLeads',
  run(ctx) {
    const { instance, query } = ctx;
    const filterType = query.get('filterType');
    const fields = readFields(ctx);
    const ids = instance.filterLeads(filterType, query.get('filterValues'));
    ctx.note.fieldsRead.unshift(instance.schema.get(filterType!)!.name);
    const batchSize = intParam(query, 'batchSize', MAX_BATCH, 1, MAX_BATCH);
    const token = query.get('nextPageToken');
    const offset = token ? readOffsetToken('leads', token) : 0;
    const page = ids.slice(offset, offset + batchSize);
    const result = page.map((id) => instance.project(id, fields)!);
    ctx.note.records = result.length;
    const more = offset + batchSize < ids.length;
    return { result, ...(more ? { moreResult: true, nextPageToken: offsetToken('leads', offset + batchSize) } : {}) };
  },
};

const getLeadById: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/lead\/(\d+)\.json$/,
  operation: 'getLeadById',
  run(ctx) {
    const fields = readFields(ctx);
    const lead = ctx.instance.project(Number(ctx.params[0]), fields);
    // [UNCONFIRMED] an unknown id: success with an empty result (reference B4).
    ctx.note.records = lead ? 1 : 0;
    return { result: lead ? [lead] : [] };
  },
};

const syncLeads: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/leads\.json$/,
  operation: 'syncLeads',
  body: 'json',
  run(ctx) {
    const body = objectBody(ctx.body);
    if (Array.isArray(body.input)) {
      const written = new Set<string>();
      for (const r of body.input) {
        if (r && typeof r === 'object') for (const k of Object.keys(r)) written.add(ctx.instance.schema.get(k)?.name ?? k);
      }
      ctx.note.fieldsWritten.push(...written);
      ctx.note.records = body.input.length;
    }
    if (typeof body.lookupField === 'string') ctx.note.fieldsRead.push(body.lookupField);
    if (body.partitionName !== undefined && body.partitionName !== 'Default') {
      throw new MarketoError('1009', `Partition '${String(body.partitionName)}' not found: this instance has only 'Default'`);
    }
    return { result: ctx.instance.syncLeads(body) };
  },
};

const deleteRun = (ctx: RouteContext) => {
  const body = objectBody(ctx.body);
  if (Array.isArray(body.input)) ctx.note.records = body.input.length;
  return { result: ctx.instance.deleteLeads(body.input) };
};

const deleteLeads: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/leads\/delete\.json$/,
  operation: 'deleteLeads',
  body: 'json',
  run: deleteRun,
};

/** The endpoint table also lists Delete Leads as DELETE on leads.json with the same body. */
const deleteLeadsVerb: Route = { ...deleteLeads, method: 'DELETE', pattern: /^\/rest\/v1\/leads\.json$/ };

const mergeLeads: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/leads\/(\d+)\/merge\.json$/,
  operation: 'mergeLeads',
  run(ctx) {
    const ids = [...idListParam(ctx.query, 'leadId'), ...idListParam(ctx.query, 'leadIds')];
    if (ids.length === 0) throw new MarketoError('701', 'leadId cannot be blank');
    // mergeInCRM is accepted and has no effect: this instance has no native CRM sync.
    ctx.instance.mergePeople(Number(ctx.params[0]), ids);
    ctx.note.records = ids.length + 1;
    return {};
  },
};

export const leadRoutes: Route[] = [getLeads, getLeadById, syncLeads, deleteLeads, deleteLeadsVerb, mergeLeads];
