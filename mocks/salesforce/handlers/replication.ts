/**
 * getUpdated / getDeleted: `GET /sobjects/{T}/updated?start=&end=` and
 * `/deleted`, with or without the trailing slash the docs use. Dates are
 * ISO 8601 with `Z` or an offset (jsforce sends `+00:00`, URL-encoded);
 * seconds are ignored, as Salesforce does.
 */
import type { HttpHandler } from 'msw';
import { SalesforceError } from '../types.ts';
import type { SalesforceHttp } from './context.ts';
import { visibleObject } from './records.ts';
import { json } from './respond.ts';
import { restRoute, type ApiCall } from './rest.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an ISO 8601 date-time, or undefined. A bare date-time is UTC. */
export function parseReplicationDate(text: string): number | undefined {
  // A '+' left unencoded in a query string arrives as a space.
  const m = ISO.exec(text.trim().replace(/ (\d{2}:?\d{2})$/, '+$1'));
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(t) ? undefined : t;
}

function dateParam(call: ApiCall, name: 'start' | 'end'): number {
  const raw = call.query.get(name);
  // UNCONFIRMED code and wording for a missing or unreadable date; both name the parameter.
  if (raw === null || raw === '') throw new SalesforceError('MISSING_ARGUMENT', `Missing required parameter: ${name}`, 400);
  const ms = parseReplicationDate(raw);
  if (ms === undefined) {
    throw new SalesforceError('INVALID_REPLICATION_DATE', `Invalid ${name} date: '${raw}'. Use ISO 8601: YYYY-MM-DDThh:mm:ss+hh:mm`, 400);
  }
  return ms - (((ms % 60_000) + 60_000) % 60_000);
}

/** The window as given; the org floors it to minutes and refuses bad or too old ones (INVALID_REPLICATION_DATE). */
function timespan(call: ApiCall): { object: string; start: number; end: number } {
  const def = visibleObject(call, call.params['type']);
  call.note.object = def.name;
  return { object: def.name, start: dateParam(call, 'start'), end: dateParam(call, 'end') };
}

function updated(call: ApiCall): Response {
  const { object, start, end } = timespan(call);
  return json(call.sf.org.updated(object, start, end));
}

function deleted(call: ApiCall): Response {
  const { object, start, end } = timespan(call);
  return json(call.sf.org.deleted(object, start, end));
}

export function replicationHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    restRoute(sf, 'get', '/sobjects/:type/updated', 'getUpdated', updated),
    restRoute(sf, 'get', '/sobjects/:type/deleted', 'getDeleted', deleted),
  ];
}
