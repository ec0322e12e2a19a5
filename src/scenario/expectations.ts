/**
 * `expect:` checks (DESIGN §7) judged on a world. Each returns undefined
 * when it holds, or a Mismatch that says what was expected and what was
 * found on each side, so a failure reads without opening the timeline.
 */
import type { Person } from '../../mocks/marketo/index.ts';
import { STANDARD_FIELD_PAIRS } from '../engine/field-map.ts';
import type { PropertyWorld } from '../sim/properties.ts';
import type { Violation } from '../sim/oracle.ts';
import type { RefTable } from './refs.ts';
import type { Expectation, Fields, Scalar } from './schema.ts';

export interface Mismatch {
  message: string;
  expected: string;
  found: string;
  violations?: Violation[];
}

/** A world as the checks read it. */
export type ExpectWorld = PropertyWorld;

// ------------------------------------------------------------------------------- values

/** Empty as Salesforce and Marketo show it: null, undefined or blank text. */
function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/**
 * Does a stored value match what the file wrote? `null` means empty; a
 * number matches the same number written as text (Marketo and Salesforce
 * disagree on how they print currency); booleans match "true"/"false".
 */
export function valueMatches(expected: Scalar, actual: unknown): boolean {
  if (expected === null) return isEmpty(actual);
  if (isEmpty(actual)) return false;
  if (typeof expected === 'number') return Number(actual) === expected;
  if (typeof expected === 'boolean') return actual === expected || String(actual).toLowerCase() === String(expected);
  if (typeof actual === 'number' && /^-?\d+(\.\d+)?$/.test(expected)) return Number(expected) === actual;
  return String(actual) === expected;
}

export function show(v: unknown): string {
  return v === undefined || v === null || v === '' ? '(empty)' : JSON.stringify(v);
}

function showFields(fields: Fields): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} = ${show(v)}`)
    .join(', ');
}

/** The Marketo field a Salesforce field syncs with, and back (standard pairs; custom fields keep their name). */
export function marketoNameOf(sfField: string): string {
  return STANDARD_FIELD_PAIRS.find(([sf]) => sf.toLowerCase() === sfField.toLowerCase())?.[1] ?? sfField;
}

export function salesforceNameOf(mktoField: string): string {
  return STANDARD_FIELD_PAIRS.find(([, mk]) => mk.toLowerCase() === mktoField.toLowerCase())?.[0] ?? mktoField;
}

function personValue(p: Person, field: string): unknown {
  if (field in p) return p[field];
  const key = Object.keys(p).find((k) => k.toLowerCase() === field.toLowerCase());
  return key === undefined ? undefined : p[key];
}

// ------------------------------------------------------------------------------- the checks

export interface CheckContext {
  world: ExpectWorld;
  refs: RefTable;
  /** `converged: true`: settles the world and returns every property's violations (the driver's settle, the oracle). */
  converged: () => Promise<Violation[]>;
}

export async function checkExpectation(ctx: CheckContext, check: Expectation): Promise<Mismatch | undefined> {
  const { world, refs } = ctx;
  switch (check.type) {
    case 'salesforce': {
      const target = check.object ? refs.salesforceOf(check.ref, check.object) : refs.salesforce(check.ref);
      const expected = showFields(check.fields);
      if (!target) {
        return { message: `\`${check.ref}\` has no Salesforce ${check.object ?? 'record'} yet`, expected: `${check.object ?? 'a record'} with ${expected}`, found: 'no Salesforce record for this ref' };
      }
      const record = world.org.get(target.object, target.id, { includeDeleted: true });
      if (!record) return { message: `${target.object} ${target.id} of \`${check.ref}\` does not exist`, expected, found: 'no such record' };
      const wrong = Object.entries(check.fields).filter(([f, v]) => !valueMatches(v, record[f]));
      if (wrong.length === 0) return undefined;
      const person = refs.person(check.ref);
      return {
        message: `Salesforce ${target.object} ${target.id} (\`${check.ref}\`) ${wrong.map(([f]) => f).join(', ')} differ${wrong.length === 1 ? 's' : ''}`,
        expected: wrong.map(([f, v]) => `${f} = ${show(v)}`).join(', '),
        found: [
          `Salesforce: ${wrong.map(([f]) => `${f} = ${show(record[f])}`).join(', ')}${record.IsDeleted === true ? ' (record deleted)' : ''}`,
          person
            ? `Marketo person ${person.id}: ${wrong.map(([f]) => `${marketoNameOf(f)} = ${show(personValue(person, marketoNameOf(f)))}`).join(', ')}`
            : 'Marketo: no person for this ref',
        ].join('; '),
      };
    }
    case 'marketo': {
      const person = refs.person(check.ref);
      const expected = showFields(check.fields);
      if (!person) return { message: `\`${check.ref}\` has no Marketo person`, expected: `a person with ${expected}`, found: 'no person for this ref (not synced yet, or deleted)' };
      const wrong = Object.entries(check.fields).filter(([f, v]) => !valueMatches(v, personValue(person, f)));
      if (wrong.length === 0) return undefined;
      const sf = refs.salesforce(check.ref);
      const record = sf ? world.org.get(sf.object, sf.id, { includeDeleted: true }) : undefined;
      return {
        message: `Marketo person ${person.id} (\`${check.ref}\`) ${wrong.map(([f]) => f).join(', ')} differ${wrong.length === 1 ? 's' : ''}`,
        expected: wrong.map(([f, v]) => `${f} = ${show(v)}`).join(', '),
        found: [
          `Marketo: ${wrong.map(([f]) => `${f} = ${show(personValue(person, f))}`).join(', ')}`,
          record && sf
            ? `Salesforce ${sf.object} ${sf.id}: ${wrong.map(([f]) => `${salesforceNameOf(f)} = ${show(record[salesforceNameOf(f)])}`).join(', ')}`
            : 'Salesforce: no record for this ref',
        ].join('; '),
      };
    }
    case 'activity': {
      const person = refs.person(check.ref);
      const wanted = `${check.count ?? 'at least 1'} "${check.activityType}" activit${check.count === 1 ? 'y' : 'ies'}${check.contains ? ` containing "${check.contains}"` : ''}`;
      if (!person) return { message: `\`${check.ref}\` has no Marketo person to hold activities`, expected: wanted, found: 'no person' };
      const typeIds = activityTypeIds(world, check.activityType);
      const ofType = typeIds.length === 0 ? [] : world.instance.listActivities({ leadId: person.id, typeIds });
      const matching = ofType.filter((a) => !check.contains || activityText(a).includes(check.contains));
      const ok = check.count === undefined ? matching.length >= 1 : matching.length === check.count;
      if (ok) return undefined;
      const all = world.instance.listActivities({ leadId: person.id });
      const names = new Map(allActivityTypes(world).map((t) => [t.id, t.name]));
      return {
        message: `person ${person.id} (\`${check.ref}\`) has ${matching.length} matching "${check.activityType}" activit${matching.length === 1 ? 'y' : 'ies'}`,
        expected: wanted,
        found:
          all.length === 0
            ? 'no activities'
            : all.map((a) => `#${a.id} ${names.get(a.activityTypeId) ?? a.activityTypeId}${a.primaryAttributeValue ? ` [${a.primaryAttributeValue}]` : ''}${a.activityTypeId && typeIds.includes(a.activityTypeId) ? ` ${activityText(a)}` : ''}`).join('; '),
      };
    }
    case 'linked': {
      const person = refs.person(check.ref);
      if (!person) return { message: `\`${check.ref}\` has no Marketo person`, expected: `sfdcType = ${show(check.sfdcType)}`, found: 'no person' };
      const found = `person ${person.id}: sfdcType = ${show(person.sfdcType)}, sfdcLeadId = ${show(person.sfdcLeadId)}, sfdcContactId = ${show(person.sfdcContactId)}`;
      if (check.sfdcType === null) {
        return isEmpty(person.sfdcType) && isEmpty(person.sfdcLeadId) && isEmpty(person.sfdcContactId)
          ? undefined
          : { message: `person ${person.id} (\`${check.ref}\`) is linked to Salesforce`, expected: 'no Salesforce link (sfdcType empty)', found };
      }
      const idField = check.sfdcType === 'Lead' ? 'sfdcLeadId' : 'sfdcContactId';
      const id = person[idField];
      let problem = person.sfdcType !== check.sfdcType ? `sfdcType is ${show(person.sfdcType)}` : isEmpty(id) ? `${idField} is empty` : undefined;
      if (!problem) {
        const record = world.org.get(check.sfdcType, String(id), { includeDeleted: true });
        // The person's link is the engine's word on which record the pair is now (a new lead after a delete, say).
        if (!record) problem = `${idField} ${String(id)} names no ${check.sfdcType}`;
      }
      return problem ? { message: `person ${person.id} (\`${check.ref}\`) is not linked to a ${check.sfdcType}: ${problem}`, expected: `sfdcType = "${check.sfdcType}" with ${idField} set`, found } : undefined;
    }
    case 'count': {
      const actual = check.target === 'marketo.people' ? world.instance.peopleCount : world.org.count(check.target.slice('salesforce.'.length));
      return actual === check.expected
        ? undefined
        : { message: `${check.target} is ${actual}`, expected: `${check.target}: ${check.expected}`, found: `${check.target}: ${actual}` };
    }
    case 'converged': {
      const violations = await ctx.converged();
      if (violations.length === 0) return undefined;
      const byProperty = [...new Set(violations.map((v) => v.property))];
      return {
        message: `not converged: ${byProperty.map((p) => `${p} (${violations.filter((v) => v.property === p).length})`).join(', ')}`,
        expected: 'every property of DESIGN §5 once faults and people stop and the world is quiet',
        found: violations.map((v) => `[${v.property}] ${v.message}`).join('\n'),
        violations,
      };
    }
  }
}

function allActivityTypes(world: ExpectWorld): Array<{ id: number; name: string; apiName?: string }> {
  const custom = world.instance.activityLog.customTypes().map((t) => ({ id: t.id, name: t.name, apiName: t.apiName }));
  const standard = world.instance.activityLog.types().filter((t) => !custom.some((c) => c.id === t.id));
  return [...standard, ...custom];
}

function activityTypeIds(world: ExpectWorld, type: string | number): number[] {
  if (typeof type === 'number') return [type];
  const wanted = type.toLowerCase();
  return allActivityTypes(world)
    .filter((t) => t.name.toLowerCase() === wanted || t.apiName?.toLowerCase() === wanted)
    .map((t) => t.id);
}

/** What `contains` searches: the primary attribute and every attribute, as `name=value`. */
function activityText(a: { primaryAttributeValue?: string | null; attributes: Array<{ name: string; apiName?: string; value: unknown }> }): string {
  const parts = a.primaryAttributeValue ? [String(a.primaryAttributeValue)] : [];
  for (const x of a.attributes) parts.push(`${x.apiName ?? x.name}=${x.value === null ? '' : String(x.value)}`);
  return parts.join(' ');
}

