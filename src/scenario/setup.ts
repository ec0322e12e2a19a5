/**
 * A scenario's setup (the `salesforce:` and `marketo:` sections) applied to
 * the emulators: custom fields (and their Marketo mirrors), the sync user's
 * field permissions, validation rules, records created as the admin user,
 * and Marketo people. It needs only the org and the instance, so served mode
 * (no engine) can reuse it; a World fits the same shape and also gets the
 * setup in its trace.
 */
import type { MarketoInstance } from '../../mocks/marketo/index.ts';
import type { Org } from '../../mocks/salesforce/index.ts';
import type { Trace } from '../sim/trace.ts';
import { mirroredMarketoFields } from './catalogue.ts';
import { RefTable } from './refs.ts';
import type { Scenario, SourceLoc } from './schema.ts';

/** What setup needs: the two emulators' models, and a trace when there is one. */
export interface SetupTarget {
  org: Org;
  instance: MarketoInstance;
  trace?: Trace;
}

/** A setup item the emulators refused (a record failing a rule, a bad formula): names the place. */
export class SetupError extends Error {
  constructor(
    readonly loc: SourceLoc,
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${loc.file}:${loc.line}:${loc.column}: ${what}: ${reason}`);
    this.name = 'SetupError';
  }
}

function reasonOf(err: unknown): string {
  const e = err as { code?: string; errorCode?: string; message?: string };
  const code = e.code ?? e.errorCode;
  return code && !String(e.message).startsWith(code) ? `${code}: ${e.message}` : String(e.message ?? err);
}

/**
 * Applies `scenario`'s setup to the emulators and returns the ref table with
 * every record and person it created. Throws SetupError for an item the
 * emulators refuse.
 */
export function applySetup(target: SetupTarget, scenario: Scenario): RefTable {
  const { org, instance, trace } = target;
  const refs = new RefTable({ org, instance });
  const admin = org.adminUser.id;

  for (const { loc, ...spec } of scenario.salesforce.fields) {
    try {
      org.addField(spec);
    } catch (err) {
      throw new SetupError(loc, `custom field ${spec.object}.${spec.name}`, reasonOf(err));
    }
    trace?.record('world', 'setup', `Salesforce custom field ${spec.object}.${spec.name} (${spec.type})`);
  }
  const marketoFields = [
    ...scenario.marketo.fields.map(({ loc, name, type, displayName, length, readOnly }) => ({
      loc, name, dataType: type, ...(displayName !== undefined ? { displayName } : {}), ...(length !== undefined ? { length } : {}),
      ...(readOnly !== undefined ? { readOnly } : {}),
    })),
    // As Marketo's native sync does, a Lead/Contact custom field exists on people under the same API name.
    ...mirroredMarketoFields(scenario.salesforce.fields, scenario.marketo.fields).map((f) => ({
      loc: scenario.salesforce.fields.find((d) => d.name.toLowerCase() === f.name.toLowerCase())!.loc,
      name: f.name,
      dataType: f.type,
    })),
  ];
  for (const { loc, ...spec } of marketoFields) {
    try {
      instance.addField(spec);
    } catch (err) {
      throw new SetupError(loc, `Marketo field ${spec.name}`, reasonOf(err));
    }
    trace?.record('world', 'setup', `Marketo custom field ${spec.name} (${spec.dataType})`);
  }
  for (const p of scenario.salesforce.permissions) {
    try {
      org.setAccess(org.syncUser.id, `${p.object}.${p.field}`, p.access);
    } catch (err) {
      throw new SetupError(p.loc, `permission ${p.object}.${p.field}`, reasonOf(err));
    }
    trace?.record('world', 'setup', `sync user: ${p.object}.${p.field} ${p.access}`);
  }
  for (const { loc, ...rule } of scenario.salesforce.rules) {
    try {
      org.setRule(rule);
    } catch (err) {
      throw new SetupError(loc, `validation rule ${rule.object}.${rule.name}`, reasonOf(err));
    }
    trace?.record('world', 'setup', `validation rule ${rule.object}.${rule.name}${rule.active === false ? ' (inactive)' : ''}: ${rule.formula}`);
  }
  for (const r of scenario.salesforce.records) {
    let result;
    try {
      result = org.create(r.object, r.fields, admin);
    } catch (err) {
      throw new SetupError(r.loc, `record \`${r.ref}\` (${r.object})`, reasonOf(err));
    }
    if (!result.success) {
      const e = result.errors[0]!;
      throw new SetupError(r.loc, `record \`${r.ref}\` (${r.object})`, `Salesforce refused it: ${e.statusCode}: ${e.message}`);
    }
    refs.defineSalesforce(r.ref, r.object, result.id);
    trace?.record('user', 'sf.create', `${r.object} ${result.id} (${r.ref})`, { fields: r.fields });
  }
  for (const p of scenario.marketo.people) {
    let person;
    try {
      person = instance.createPerson(p.fields, { source: 'user' });
    } catch (err) {
      throw new SetupError(p.loc, `person \`${p.ref}\``, `Marketo refused it: ${reasonOf(err)}`);
    }
    refs.definePerson(p.ref, person.id);
    trace?.record('user', 'mkto.create', `person ${person.id} (${p.ref})`, { fields: p.fields });
  }
  return refs;
}
