/**
 * The control API under `/__syncsim/` (issue 7 §2, DESIGN §8): one msw
 * handler per endpoint over the served emulators. Users act through the same
 * models the HTTP handlers use (the org's save pipeline as the admin user,
 * Marketo's person model as a user), so validation rules and required fields
 * apply exactly as in the simulator. Who may call it is decided in front of
 * msw (mocks/server.ts), where the client's address is known.
 */
import { http, type HttpResponseResolver, type RequestHandler } from 'msw';
import type { ConvertLeadOptions, SaveResult } from '../salesforce/index.ts';
import { FAULT_KINDS, type FaultKind, type FaultSpec, type FaultSystem } from '../faults.ts';
import { iso } from '../../src/sim/clock.ts';
import type { ServedEmulators } from './emulators.ts';
import { ControlError, durationOf, failure, fieldsOf, ok, optionalText, readJson, text } from './respond.ts';
import { loadSetup } from './setup.ts';

export const CONTROL_PREFIX = '/__syncsim';

const SYSTEMS: readonly FaultSystem[] = ['salesforce', 'marketo'];
const ACCESS = ['edit', 'read', 'none'] as const;
const YAML_TYPES = ['yaml', 'text/plain'];

/** Every endpoint, for the index page and for 404/405 answers. */
export const CONTROL_ENDPOINTS: Array<[method: string, path: string, what: string]> = [
  ['GET', '/__syncsim', 'this index: endpoints, credentials, clock'],
  ['POST', '/__syncsim/reset', 'fresh emulators (sessions and tokens end; the clock keeps its time)'],
  ['POST', '/__syncsim/setup', "load a scenario's setup: YAML body, or JSON {path} / {yaml}; ?reset=false layers it on the current data"],
  ['GET', '/__syncsim/refs', 'what each scenario ref names now'],
  ['GET', '/__syncsim/clock', 'now, and whether the clock is held'],
  ['POST', '/__syncsim/clock/advance', 'move time forward: {by: "5m"} or {by: 300000}'],
  ['POST', '/__syncsim/clock/hold', 'freeze the clock'],
  ['POST', '/__syncsim/clock/release', 'let the clock run again from where it stands'],
  ['GET', '/__syncsim/faults', 'faults in force and faults fired'],
  ['POST', '/__syncsim/faults', 'inject: {system, kind, for?, times?, probability?}'],
  ['DELETE', '/__syncsim/faults', 'clear all faults, or ?system=salesforce|marketo'],
  ['GET', '/__syncsim/log/salesforce', "Salesforce's request log (?since=seq)"],
  ['GET', '/__syncsim/log/marketo', "Marketo's request log (?since=seq)"],
  ['GET', '/__syncsim/records/salesforce/:object', 'current records (?includeDeleted=true)'],
  ['GET', '/__syncsim/records/marketo', 'current people'],
  ['GET', '/__syncsim/records/marketo/activities', 'activities (?leadId=N)'],
  ['POST', '/__syncsim/salesforce/create', 'a Salesforce user creates: {object, fields, ref?}'],
  ['POST', '/__syncsim/salesforce/update', 'a Salesforce user edits: {ref | id, fields}'],
  ['POST', '/__syncsim/salesforce/delete', 'a Salesforce user deletes: {ref | id}'],
  ['POST', '/__syncsim/salesforce/convert', 'convert a lead: {ref | id, convertedStatus?, accountId?, contactId?, doNotCreateOpportunity?}'],
  ['POST', '/__syncsim/salesforce/merge', 'merge: {into: ref | id, from: ref | id | [..]}'],
  ['POST', '/__syncsim/salesforce/permissions', "the sync user's access: {field: 'Lead.Phone', access: edit|read|none}"],
  ['POST', '/__syncsim/salesforce/rules', 'add, replace or (active: false) turn off a validation rule: {object, name, formula, message, field?, active?}'],
  ['POST', '/__syncsim/marketo/create', 'a Marketo user creates a person: {fields, ref?}'],
  ['POST', '/__syncsim/marketo/update', 'a Marketo user edits: {ref | id, fields}'],
  ['POST', '/__syncsim/marketo/delete', 'a Marketo user deletes: {ref | id}'],
  ['POST', '/__syncsim/marketo/merge', 'merge people: {into: ref | id, from: ref | id | [..]}'],
  ['GET', '/__syncsim/properties', 'the DESIGN §5 properties that need no engine state (?permissionsFromSeq=N ignores older requests)'],
];

/** Runs an endpoint; a ControlError (or a refused user action) becomes its JSON answer, never a 500 with a stack. */
function endpoint(run: (args: { request: Request; url: URL; params: Record<string, string> }) => Promise<Response> | Response): HttpResponseResolver {
  return async ({ request, params }) => {
    try {
      return await run({ request, url: new URL(request.url), params: params as Record<string, string> });
    } catch (e) {
      if (e instanceof ControlError) return failure(e);
      const err = e as { errorCode?: unknown; code?: unknown; message?: unknown };
      const code = typeof err.errorCode === 'string' ? err.errorCode : typeof err.code === 'string' ? err.code : undefined;
      if (code) return failure(new ControlError(400, code, String(err.message)));
      return failure(new ControlError(500, 'INTERNAL_ERROR', `the control API failed: ${String(err.message ?? e)}`));
    }
  };
}

function refused(system: FaultSystem, code: string, message: string, fields?: string[]): ControlError {
  return new ControlError(422, code, message, { system, ...(fields ? { fields } : {}) });
}

function checkSave(r: SaveResult): string {
  if (r.success) return r.id;
  const e = r.errors[0]!;
  throw refused('salesforce', e.statusCode, e.message, e.fields);
}

/**
 * Checks the DESIGN §5 properties on the served emulators. Supplied by the
 * caller (the CLI passes src/sim/properties.ts), because the checks share
 * the engine's field mapping, which the emulators must not import.
 */
export type PropertyCheck = (
  org: ServedEmulators['sf']['org'],
  instance: ServedEmulators['mkto']['instance'],
  opts: { permissionsFromSeq?: number },
) => { properties: Array<{ name: string; ok: boolean; violations: unknown[] }>; note?: string };

/** `info(origin)` describes the server as the client reached it (the index page). */
export function controlHandlers(emu: ServedEmulators, info: (origin: string) => Record<string, unknown>, checkProperties?: PropertyCheck): RequestHandler[] {
  const org = () => emu.sf.org;
  const inst = () => emu.mkto.instance;
  const admin = () => emu.sf.org.adminUser.id;

  /** A Salesforce record named by `ref` or `id` in the body. */
  const sfTarget = (body: Record<string, unknown>, key: string, where: string): { object: string; id: string } => {
    const v = body[key];
    if (typeof v !== 'string' || v === '') throw new ControlError(400, 'MISSING_ARGUMENT', `${where}: \`${key}\` is required (a ref or a Salesforce id)`);
    if (emu.refs.has(v)) {
      const r = emu.refs.salesforce(v);
      if (!r) throw new ControlError(404, 'NOT_FOUND', `${where}: ref \`${v}\` has no Salesforce record (yet)`);
      return r;
    }
    const object = org().objectOfId(v);
    if (!object) throw new ControlError(404, 'NOT_FOUND', `${where}: \`${v}\` is neither a known ref nor a Salesforce id of this org`);
    return { object, id: v };
  };
  const sfTargets = (body: Record<string, unknown>, key: string, where: string) => {
    const v = body[key];
    const list = Array.isArray(v) ? v : [v];
    return list.map((item) => sfTarget({ [key]: item }, key, where));
  };

  /** A Marketo person named by `ref` or numeric `id`. */
  const personTarget = (body: Record<string, unknown>, key: string, where: string): number => {
    const v = body[key];
    if (typeof v === 'string' && emu.refs.has(v)) {
      const p = emu.refs.person(v);
      if (!p) throw new ControlError(404, 'NOT_FOUND', `${where}: ref \`${v}\` has no Marketo person (yet)`);
      return p.id;
    }
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n)) throw new ControlError(400, 'MISSING_ARGUMENT', `${where}: \`${key}\` is required (a ref or a Marketo person id)`);
    return n;
  };
  const marketo = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      if (typeof err.code === 'string') throw refused('marketo', err.code, String(err.message));
      throw e;
    }
  };
  const defineRef = (body: Record<string, unknown>, where: string, define: (ref: string) => void): string | undefined => {
    const ref = optionalText(body, 'ref', where);
    if (ref === undefined) return undefined;
    if (emu.refs.has(ref)) throw new ControlError(409, 'DUPLICATE_REF', `${where}: ref \`${ref}\` is already defined`);
    define(ref);
    return ref;
  };

  const P = CONTROL_PREFIX;
  const handlers: RequestHandler[] = [
    ...[P, `${P}/`].map((path) =>
      http.get(`*${path}`, endpoint(({ url }) => ok({ ...info(url.origin), endpoints: CONTROL_ENDPOINTS.map(([method, p, what]) => ({ method, path: p, what })) }))),
    ),

    http.post(`*${P}/reset`, endpoint(() => {
      emu.reset();
      return ok({ reset: true, now: iso(emu.clock.now()) });
    })),

    http.post(`*${P}/setup`, endpoint(async ({ request, url }) => {
      const reset = url.searchParams.get('reset') !== 'false';
      const type = (request.headers.get('content-type') ?? '').toLowerCase();
      if (YAML_TYPES.some((t) => type.includes(t))) {
        const yaml = await request.text();
        if (yaml.trim() === '') throw new ControlError(400, 'MISSING_ARGUMENT', 'setup: the YAML body is empty');
        return ok(loadSetup(emu, { yaml, fileName: url.searchParams.get('name') ?? 'scenario.yaml' }, { reset }));
      }
      const body = await readJson(request);
      if (typeof body['path'] === 'string') return ok(loadSetup(emu, { path: body['path'] }, { reset }));
      if (typeof body['yaml'] === 'string') return ok(loadSetup(emu, { yaml: body['yaml'], fileName: optionalText(body, 'name', 'setup') ?? 'scenario.yaml' }, { reset }));
      throw new ControlError(400, 'MISSING_ARGUMENT', 'setup: send the scenario as a YAML body (Content-Type: application/yaml), or JSON {"path": "scenarios/x.yaml"} or {"yaml": "..."}');
    })),

    http.get(`*${P}/refs`, endpoint(() => {
      const refs: Record<string, unknown> = {};
      for (const ref of emu.refs.names()) {
        const sf = emu.refs.salesforce(ref);
        const p = emu.refs.person(ref);
        refs[ref] = { ...(sf ? { salesforce: sf } : {}), ...(p ? { personId: p.id } : {}) };
      }
      return ok({ scenario: emu.scenario?.name ?? null, refs });
    })),

    // ---- clock
    http.get(`*${P}/clock`, endpoint(() => ok(clockState(emu)))),
    http.post(`*${P}/clock/advance`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      emu.clock.advanceBy(durationOf(body['by'], 'clock/advance: `by`'));
      return ok(clockState(emu));
    })),
    http.post(`*${P}/clock/hold`, endpoint(() => {
      emu.clock.hold();
      return ok(clockState(emu));
    })),
    http.post(`*${P}/clock/release`, endpoint(() => {
      emu.clock.release();
      return ok(clockState(emu));
    })),

    // ---- faults
    http.get(`*${P}/faults`, endpoint(() => ok({ active: emu.faults.list(), fired: emu.faults.fired.map((f) => ({ ...f, at: iso(f.at) })) }))),
    http.post(`*${P}/faults`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const system = body['system'];
      if (!SYSTEMS.includes(system as FaultSystem)) throw new ControlError(400, 'INVALID_ARGUMENT', `faults: \`system\` must be one of ${SYSTEMS.join(', ')}`);
      const kind = body['kind'];
      if (!FAULT_KINDS.includes(kind as FaultKind)) throw new ControlError(400, 'INVALID_ARGUMENT', `faults: \`kind\` must be one of ${FAULT_KINDS.join(', ')}`);
      const spec: FaultSpec = { system: system as FaultSystem, kind: kind as FaultKind };
      if (body['for'] !== undefined) spec.forMs = durationOf(body['for'], 'faults: `for`');
      if (body['times'] !== undefined) {
        const t = body['times'];
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) throw new ControlError(400, 'INVALID_ARGUMENT', 'faults: `times` must be a whole number ≥ 1');
        spec.times = t;
      }
      if (body['probability'] !== undefined) {
        const p = body['probability'];
        if (typeof p !== 'number' || !(p > 0 && p <= 1)) throw new ControlError(400, 'INVALID_ARGUMENT', 'faults: `probability` must be a number in (0, 1]');
        spec.probability = p;
      }
      // As in scenario files: with neither `for` nor `times`, the fault hits only the next request.
      if (spec.forMs === undefined && spec.times === undefined) spec.times = 1;
      const id = emu.faults.add(spec);
      return ok({ id, ...spec }, 201);
    })),
    http.delete(`*${P}/faults`, endpoint(({ url }) => {
      const system = url.searchParams.get('system');
      if (system !== null && !SYSTEMS.includes(system as FaultSystem)) throw new ControlError(400, 'INVALID_ARGUMENT', `faults: \`system\` must be one of ${SYSTEMS.join(', ')}`);
      emu.faults.clear((system as FaultSystem | null) ?? undefined);
      return ok({ active: emu.faults.list() });
    })),

    // ---- logs and records
    http.get(`*${P}/log/:system`, endpoint(({ url, params }) => {
      const since = sinceOf(url);
      if (params['system'] === 'salesforce') return ok({ entries: org().requestLog.filter((e) => e.seq > since) });
      if (params['system'] === 'marketo') return ok({ entries: inst().requestLog.filter((e) => e.seq > since) });
      throw new ControlError(404, 'NOT_FOUND', `log: no system \`${params['system']}\` (salesforce or marketo)`);
    })),
    http.get(`*${P}/records/salesforce/:object`, endpoint(({ url, params }) => {
      const def = org().objectDef(params['object']!);
      if (!def) throw new ControlError(404, 'NOT_FOUND', `records: no Salesforce object \`${params['object']}\``);
      const includeDeleted = url.searchParams.get('includeDeleted') === 'true';
      const records = [...org().queryContext(admin()).scan(def.name, { includeDeleted })];
      return ok({ object: def.name, totalSize: records.length, records });
    })),
    http.get(`*${P}/records/marketo`, endpoint(() => {
      const people = inst().listPeople();
      return ok({ totalSize: people.length, people });
    })),
    http.get(`*${P}/records/marketo/activities`, endpoint(({ url }) => {
      const lead = url.searchParams.get('leadId');
      const leadId = lead === null ? undefined : Number(lead);
      if (leadId !== undefined && !Number.isInteger(leadId)) throw new ControlError(400, 'INVALID_ARGUMENT', 'activities: `leadId` must be a person id');
      const types = new Map(inst().activityLog.types().map((t) => [t.id, t.name]));
      const activities = inst().listActivities(leadId === undefined ? {} : { leadId }).map((a) => ({ ...a, activityType: types.get(a.activityTypeId) ?? null }));
      return ok({ totalSize: activities.length, activities });
    })),

    // ---- a Salesforce user
    http.post(`*${P}/salesforce/create`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const object = text(body, 'object', 'salesforce/create');
      const ref = optionalText(body, 'ref', 'salesforce/create');
      if (ref !== undefined && emu.refs.has(ref)) throw new ControlError(409, 'DUPLICATE_REF', `salesforce/create: ref \`${ref}\` is already defined`);
      const id = checkSave(org().create(object, fieldsOf(body, 'salesforce/create'), admin()));
      defineRef(body, 'salesforce/create', (r) => emu.refs.defineSalesforce(r, org().objectOfId(id) ?? object, id));
      return ok({ id, object: org().objectOfId(id) ?? object, ...(ref ? { ref } : {}) }, 201);
    })),
    http.post(`*${P}/salesforce/update`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const t = sfTarget(body, body['ref'] !== undefined ? 'ref' : 'id', 'salesforce/update');
      checkSave(org().update(t.object, t.id, fieldsOf(body, 'salesforce/update'), admin()));
      return ok({ ...t, record: org().get(t.object, t.id) });
    })),
    http.post(`*${P}/salesforce/delete`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const t = sfTarget(body, body['ref'] !== undefined ? 'ref' : 'id', 'salesforce/delete');
      checkSave(org().delete(t.object, t.id, admin()));
      return ok({ ...t, deleted: true });
    })),
    http.post(`*${P}/salesforce/convert`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const t = sfTarget(body, body['ref'] !== undefined ? 'ref' : 'id', 'salesforce/convert');
      if (t.object !== 'Lead') throw new ControlError(400, 'INVALID_ARGUMENT', `salesforce/convert: ${t.object} ${t.id} is not a lead`);
      const opts: ConvertLeadOptions = {};
      for (const key of ['convertedStatus', 'accountId', 'contactId', 'opportunityName', 'ownerId'] as const) {
        const v = optionalText(body, key, 'salesforce/convert');
        if (v !== undefined) opts[key] = v;
      }
      for (const key of ['doNotCreateOpportunity', 'overwriteLeadSource'] as const) {
        if (typeof body[key] === 'boolean') opts[key] = body[key] as boolean;
      }
      const r = org().convertLead(t.id, admin(), opts);
      if (!r.success) throw refused('salesforce', r.errors[0]?.statusCode ?? 'ERROR', r.errors[0]?.message ?? 'conversion failed', r.errors[0]?.fields);
      return ok(r);
    })),
    http.post(`*${P}/salesforce/merge`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const into = sfTarget(body, 'into', 'salesforce/merge');
      const from = sfTargets(body, 'from', 'salesforce/merge');
      const r = org().merge(into.object, into.id, from.map((f) => f.id), admin());
      if (!r.success) throw refused('salesforce', r.errors[0]?.statusCode ?? 'ERROR', r.errors[0]?.message ?? 'merge failed', r.errors[0]?.fields);
      return ok(r);
    })),
    http.post(`*${P}/salesforce/permissions`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const field = text(body, 'field', 'salesforce/permissions');
      const access = body['access'];
      if (!ACCESS.includes(access as (typeof ACCESS)[number])) throw new ControlError(400, 'INVALID_ARGUMENT', `salesforce/permissions: \`access\` must be one of ${ACCESS.join(', ')}`);
      const username = optionalText(body, 'user', 'salesforce/permissions');
      const user = username === undefined ? org().syncUser : org().userByUsername(username);
      if (!user) throw new ControlError(404, 'NOT_FOUND', `salesforce/permissions: no user \`${username}\``);
      org().setAccess(user.id, field, access as (typeof ACCESS)[number]);
      const [object, name] = field.split('.') as [string, string];
      return ok({ user: user.username, field, access: org().access(user.id, object, name) });
    })),
    http.post(`*${P}/salesforce/rules`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const where = 'salesforce/rules';
      const rule = {
        object: text(body, 'object', where),
        name: text(body, 'name', where),
        formula: text(body, 'formula', where),
        message: text(body, 'message', where),
        ...(optionalText(body, 'field', where) !== undefined ? { field: optionalText(body, 'field', where)! } : {}),
        ...(typeof body['active'] === 'boolean' ? { active: body['active'] } : {}),
      };
      org().setRule(rule);
      return ok({ rules: org().rules(rule.object) }, 201);
    })),

    // ---- a Marketo user
    http.post(`*${P}/marketo/create`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const ref = optionalText(body, 'ref', 'marketo/create');
      if (ref !== undefined && emu.refs.has(ref)) throw new ControlError(409, 'DUPLICATE_REF', `marketo/create: ref \`${ref}\` is already defined`);
      const person = marketo(() => inst().createPerson(fieldsOf(body, 'marketo/create'), { source: 'user' }));
      defineRef(body, 'marketo/create', (r) => emu.refs.definePerson(r, person.id));
      return ok({ ...(ref ? { ref } : {}), person }, 201);
    })),
    http.post(`*${P}/marketo/update`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const id = personTarget(body, body['ref'] !== undefined ? 'ref' : 'id', 'marketo/update');
      const person = marketo(() => inst().updatePerson(id, fieldsOf(body, 'marketo/update'), { source: 'user' }));
      return ok({ person });
    })),
    http.post(`*${P}/marketo/delete`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const id = personTarget(body, body['ref'] !== undefined ? 'ref' : 'id', 'marketo/delete');
      marketo(() => inst().deletePerson(id));
      return ok({ id, deleted: true });
    })),
    http.post(`*${P}/marketo/merge`, endpoint(async ({ request }) => {
      const body = await readJson(request);
      const into = personTarget(body, 'into', 'marketo/merge');
      const from = (Array.isArray(body['from']) ? body['from'] : [body['from']]).map((f) => personTarget({ from: f }, 'from', 'marketo/merge'));
      const person = marketo(() => inst().mergePeople(into, from));
      return ok({ person });
    })),

    http.get(`*${P}/properties`, endpoint(({ url }) => {
      if (!checkProperties) throw new ControlError(501, 'NOT_CONFIGURED', 'properties: this server was started without a property checker (sync-sim serve has one)');
      const from = url.searchParams.get('permissionsFromSeq');
      const fromSeq = from === null ? undefined : Number(from);
      if (fromSeq !== undefined && !Number.isInteger(fromSeq)) throw new ControlError(400, 'INVALID_ARGUMENT', 'properties: `permissionsFromSeq` must be a request sequence number');
      const result = checkProperties(org(), inst(), fromSeq === undefined ? {} : { permissionsFromSeq: fromSeq });
      return ok({ ok: result.properties.every((p) => p.ok), ...result });
    })),
  ];

  // Known path, other method → 405; anything else under the prefix → 404.
  handlers.push(
    http.all(`*${P}/*`, endpoint(({ request, url }) => {
      const path = url.pathname.replace(/\/+$/, '');
      const allowed = CONTROL_ENDPOINTS.filter(([, p]) => new RegExp(`^${p.replace(/:\w+/g, '[^/]+')}$`).test(path)).map(([m]) => m);
      if (allowed.length > 0) {
        throw new ControlError(405, 'METHOD_NOT_ALLOWED', `${request.method} ${path}: allowed ${[...new Set(allowed)].join(', ')}`);
      }
      throw new ControlError(404, 'NOT_FOUND', `no control endpoint ${request.method} ${url.pathname}; GET ${P} lists them`);
    })),
  );
  return handlers;
}

function clockState(emu: ServedEmulators): Record<string, unknown> {
  const now = emu.clock.now();
  return { now: iso(now), epochMs: now, held: emu.clock.held };
}

function sinceOf(url: URL): number {
  const s = url.searchParams.get('since');
  if (s === null) return 0;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new ControlError(400, 'INVALID_ARGUMENT', 'log: `since` must be a request sequence number');
  return n;
}
