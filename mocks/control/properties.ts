/**
 * The DESIGN §5 properties that can be judged from the two systems alone,
 * without the engine's state (served mode has no engine of ours): a minimal
 * version, until the simulator's own checker can be shared.
 *
 * - converged: every linked pair agrees on the fields both sides carry (the
 *   standard pairs below and every custom field present on both), limited to
 *   fields the sync user can read; a person with an `SFDC Sync Failure`
 *   activity is taken as blocked by a standing rejection and skipped.
 * - no-duplicate: no two people link to the same Salesforce record, and each
 *   person's link points at a record that exists (or is flagged sfdcIsDeleted).
 * - respects-permissions: no Salesforce request by the sync user names a field
 *   it cannot read (or, for writes, edit), judged against the current
 *   permissions (a permission changed mid-run can flag earlier requests).
 *
 * conflict-winner, error-logged, no-lost-update, quiet-when-idle and
 * deterministic need the edit history or the engine's cycles, so they are
 * not checked here.
 */
import type { MarketoInstance, Person } from '../marketo/index.ts';
import type { Org } from '../salesforce/index.ts';

export interface PropertyResult {
  name: 'converged' | 'no-duplicate' | 'respects-permissions';
  ok: boolean;
  violations: string[];
}

/** Salesforce field ↔ Marketo field compared on a linked pair (Marketo's default sync mapping, the common part). */
const PAIRS: Array<[string, string]> = [
  ['Email', 'email'],
  ['FirstName', 'firstName'],
  ['LastName', 'lastName'],
  ['Title', 'title'],
  ['Phone', 'phone'],
];
const LEAD_ONLY_PAIRS: Array<[string, string]> = [['Company', 'company']];
const FAILURE_ACTIVITY = 'SFDC Sync Failure';
const LIMIT = 50;

function linkOf(p: Person): { object: 'Lead' | 'Contact'; id: string } | undefined {
  if (p.sfdcType === 'Contact' && p.sfdcContactId) return { object: 'Contact', id: p.sfdcContactId };
  if (p.sfdcLeadId && p.sfdcType !== 'Contact') return { object: 'Lead', id: p.sfdcLeadId };
  return undefined;
}

function same(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  if (empty(a) || empty(b)) return empty(a) && empty(b);
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a) === String(b);
}

function failureTypeId(instance: MarketoInstance): number | undefined {
  return instance.activityLog.types().find((t) => t.name === FAILURE_ACTIVITY)?.id;
}

/** A query refused before it ran is logged without its object; its SOQL still names it. */
function queriedObject(path: string): string | undefined {
  const q = /[?&]q=([^&]*)/.exec(path)?.[1];
  if (!q) return undefined;
  let soql: string;
  try {
    soql = decodeURIComponent(q.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  return /\bFROM\s+(\w+)/i.exec(soql)?.[1];
}

export function checkProperties(org: Org, instance: MarketoInstance): PropertyResult[] {
  const people = instance.listPeople();
  const sync = org.syncUser.id;
  const failureType = failureTypeId(instance);
  const blocked = new Set(
    failureType === undefined ? [] : instance.listActivities({ typeIds: [failureType] }).map((a) => a.leadId),
  );

  const converged: string[] = [];
  const duplicate: string[] = [];
  const byRecord = new Map<string, number>();
  const marketoFields = new Set(instance.fields().map((f) => f.name.toLowerCase()));

  for (const p of people) {
    const link = linkOf(p);
    if (!link) continue;
    const other = byRecord.get(link.id);
    if (other !== undefined) duplicate.push(`people ${other} and ${p.id} both link to ${link.object} ${link.id}`);
    byRecord.set(link.id, p.id);
    const record = org.get(link.object, link.id);
    if (!record) {
      if (!p.sfdcIsDeleted) duplicate.push(`person ${p.id} links to ${link.object} ${link.id}, which does not exist, and is not flagged sfdcIsDeleted`);
      continue;
    }
    if (blocked.has(p.id)) continue;
    const def = org.objectDef(link.object);
    const custom = def ? [...def.fields.values()].filter((f) => f.custom && marketoFields.has(f.name.toLowerCase())).map((f): [string, string] => [f.name, f.name]) : [];
    const pairs = [...PAIRS, ...(link.object === 'Lead' ? LEAD_ONLY_PAIRS : []), ...custom];
    for (const [sfField, mktoField] of pairs) {
      if (org.access(sync, link.object, sfField) === 'none') continue;
      const mktoValue = Object.entries(p).find(([k]) => k.toLowerCase() === mktoField.toLowerCase())?.[1];
      if (!same(record[sfField], mktoValue)) {
        converged.push(`person ${p.id} ⇄ ${link.object} ${link.id}: ${sfField} is ${JSON.stringify(record[sfField] ?? null)} in Salesforce, ${mktoField} is ${JSON.stringify(mktoValue ?? null)} in Marketo`);
      }
    }
  }

  const permissions: string[] = [];
  for (const entry of org.requestLog) {
    const object = entry.object ?? queriedObject(entry.path);
    if (entry.user !== sync || !object) continue;
    for (const field of entry.fieldsRead) {
      if (field.includes('.')) continue;
      if (org.access(sync, object, field) === 'none') permissions.push(`request #${entry.seq} (${entry.method} ${entry.operation}) reads ${object}.${field}, which the sync user cannot see`);
    }
    for (const field of entry.fieldsWritten) {
      if (field === 'attributes' || field === 'Id' || field.includes('.')) continue;
      if (org.access(sync, object, field) !== 'edit') permissions.push(`request #${entry.seq} (${entry.method} ${entry.operation}) writes ${object}.${field}, which the sync user cannot edit`);
    }
  }

  const result = (name: PropertyResult['name'], violations: string[]): PropertyResult => ({
    name,
    ok: violations.length === 0,
    violations: violations.slice(0, LIMIT),
  });
  return [result('converged', converged), result('no-duplicate', duplicate), result('respects-permissions', permissions)];
}
