/**
 * The per-field three-way merge (DESIGN §1.3, §1.8, §4).
 *
 * The ancestor is the value both sides last agreed on, kept per link in the
 * state store. Changed on one side → copy it over. Changed on both → the
 * field's policy decides. Echoes of the engine's own writes equal the
 * ancestor, so they show no change. Nothing here looks at who modified a
 * record last: that would lose user edits landing between read and write.
 */
import { sameValue } from './normalize.ts';
import type { Canon, FieldKey, MappedField, Side, SfObject, WinnerPolicy } from './types.ts';

/** Marketo wins for leads, Salesforce for contacts (Marketo's lead- and contact-sync pages). */
export const DEFAULT_WINNER: Record<SfObject, Side> = { Lead: 'marketo', Contact: 'salesforce' };

export function winnerFor(policy: WinnerPolicy | undefined, object: SfObject, field: string): Side {
  const key = `${object}.${field}` as FieldKey;
  return policy?.fields?.[key] ?? policy?.[object] ?? DEFAULT_WINNER[object];
}

export interface FieldOutcome {
  field: MappedField;
  decision: 'agree' | 'to-salesforce' | 'to-marketo';
  value: Canon;
  winner?: Side;
  reason: string;
}

export interface MergeInput {
  object: SfObject;
  fields: readonly MappedField[];
  /** Last agreed values by Salesforce field name; a missing key means "never synced". */
  ancestor: Readonly<Record<string, Canon>>;
  sf: Readonly<Record<string, Canon>>;
  mkto: Readonly<Record<string, Canon>>;
  policy?: WinnerPolicy;
}

/** Decides every field of one linked pair. Pure. */
export function mergeFields(input: MergeInput): FieldOutcome[] {
  const out: FieldOutcome[] = [];
  for (const field of input.fields) {
    const s = input.sf[field.sf] ?? null;
    const m = input.mkto[field.sf] ?? null;
    const hasAncestor = Object.prototype.hasOwnProperty.call(input.ancestor, field.sf);
    const a = hasAncestor ? input.ancestor[field.sf]! : undefined;
    if (sameValue(s, m)) {
      out.push({ field, decision: 'agree', value: s, reason: 'equal' });
      continue;
    }
    // A field the sync user may not update flows one way: Salesforce is its system of record.
    if (!field.updateable) {
      out.push({ field, decision: 'to-marketo', value: s, winner: 'salesforce', reason: 'read-only for the sync user' });
      continue;
    }
    if (!field.mktoWritable) {
      out.push({ field, decision: 'to-salesforce', value: m, winner: 'marketo', reason: 'read-only in Marketo' });
      continue;
    }
    const sfChanged = a === undefined ? true : !sameValue(s, a);
    const mkChanged = a === undefined ? true : !sameValue(m, a);
    if (sfChanged && !mkChanged) {
      out.push({ field, decision: 'to-marketo', value: s, reason: 'changed in Salesforce' });
    } else if (mkChanged && !sfChanged) {
      out.push({ field, decision: 'to-salesforce', value: m, reason: 'changed in Marketo' });
    } else if (a === undefined && (s === null) !== (m === null)) {
      // Never synced before: a value beats a blank, as Marketo's merge fills empty fields.
      const fromSf = s !== null;
      out.push({ field, decision: fromSf ? 'to-marketo' : 'to-salesforce', value: fromSf ? s : m, reason: 'first sync: blank filled' });
    } else {
      const winner = winnerFor(input.policy, input.object, field.sf);
      out.push({
        field,
        decision: winner === 'marketo' ? 'to-salesforce' : 'to-marketo',
        value: winner === 'marketo' ? m : s,
        winner,
        reason: a === undefined ? `first sync, both set: ${winner} wins` : `changed on both sides: ${winner} wins`,
      });
    }
  }
  return out;
}
