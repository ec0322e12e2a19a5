/**
 * Lead schema endpoints (reference B4): describe.json, describe2.json and
 * schema/fields.json (list, one field, create custom fields).
 */
import { isTextType } from '../fields.ts';
import { offsetToken, readOffsetToken } from '../paging-tokens.ts';
import type { FieldDataType, FieldDef } from '../types.ts';
import { MarketoError } from '../types.ts';
import type { Route } from './route.ts';
import { intParam, objectBody } from './route.ts';

function describeOne(f: FieldDef) {
  return {
    id: f.id,
    displayName: f.displayName,
    dataType: f.dataType,
    ...(f.length !== undefined ? { length: f.length } : {}),
    rest: { name: f.name, readOnly: f.readOnly },
    soap: { name: f.name.charAt(0).toUpperCase() + f.name.slice(1), readOnly: f.readOnly },
  };
}

function schemaOne(f: FieldDef) {
  return {
    displayName: f.displayName,
    name: f.name,
    description: null,
    dataType: f.dataType,
    ...(f.length !== undefined ? { length: f.length } : {}),
    isHidden: false,
    isHtmlEncodingInEmail: isTextType(f.dataType),
    isSensitive: false,
    isCustom: f.custom,
    isApiCreated: f.custom,
  };
}

const describe: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/leads\/describe\.json$/,
  operation: 'describeLeads',
  run(ctx) {
    const result = ctx.instance.fields().map(describeOne);
    ctx.note.records = result.length;
    return { result };
  },
};

/** [UNCONFIRMED] describe2's exact shape (reference B4); this is the expected one. */
const describe2: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/leads\/describe2\.json$/,
  operation: 'describeLeads2',
  run(ctx) {
    const fields = ctx.instance.fields();
    return {
      result: [
        {
          name: 'API Lead',
          searchableFields: fields.filter((f) => f.searchable).map((f) => [f.name]),
          fields: fields.map((f) => ({
            name: f.name,
            displayName: f.displayName,
            dataType: f.dataType,
            ...(f.length !== undefined ? { length: f.length } : {}),
            updateable: !f.readOnly,
            crmManaged: false,
          })),
        },
      ],
    };
  },
};

const listFields: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/leads\/schema\/fields\.json$/,
  operation: 'listLeadFields',
  run(ctx) {
    const all = ctx.instance.fields();
    const batchSize = intParam(ctx.query, 'batchSize', 300, 1, 300);
    const token = ctx.query.get('nextPageToken');
    const offset = token ? readOffsetToken('fields', token) : 0;
    const result = all.slice(offset, offset + batchSize).map(schemaOne);
    ctx.note.records = result.length;
    const more = offset + batchSize < all.length;
    return { result, ...(more ? { moreResult: true, nextPageToken: offsetToken('fields', offset + batchSize) } : {}) };
  },
};

const getField: Route = {
  method: 'GET',
  pattern: /^\/rest\/v1\/leads\/schema\/fields\/([^/]+)\.json$/,
  operation: 'getLeadField',
  run(ctx) {
    const name = decodeURIComponent(ctx.params[0]!);
    const f = ctx.instance.schema.get(name);
    if (!f) throw new MarketoError('1013', `Field '${name}' not found`);
    return { result: [schemaOne(f)] };
  },
};

/** Create custom fields: `{input:[{displayName, name, dataType, length?}]}`, up to 100; per-field result. */
const createFields: Route = {
  method: 'POST',
  pattern: /^\/rest\/v1\/leads\/schema\/fields\.json$/,
  operation: 'createLeadFields',
  body: 'json',
  run(ctx) {
    const input = objectBody(ctx.body).input;
    if (!Array.isArray(input) || input.length === 0) throw new MarketoError('701', 'input cannot be blank');
    if (input.length > 100) throw new MarketoError('1003', `Too many fields in input: ${input.length}, at most 100`);
    ctx.note.records = input.length;
    const result = input.map((raw) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      try {
        const def = ctx.instance.addField({
          name: r.name as string,
          dataType: r.dataType as FieldDataType,
          ...(typeof r.displayName === 'string' ? { displayName: r.displayName } : {}),
          ...(typeof r.length === 'number' ? { length: r.length } : {}),
        });
        return { name: def.name, status: 'created' };
      } catch (e) {
        if (!(e instanceof MarketoError)) throw e;
        return { name: r.name ?? null, status: 'skipped', reasons: [{ code: e.code, message: e.message }] };
      }
    });
    return { result };
  },
};

export const schemaRoutes: Route[] = [describe, describe2, listFields, getField, createFields];
