import { describe, expect, it } from 'vitest';
import { mergeFields, winnerFor } from '../../../src/engine/merge.ts';
import type { MappedField } from '../../../src/engine/types.ts';

const field = (sf: string, mkto: string, extra: Partial<MappedField> = {}): MappedField => ({
  sf,
  mkto,
  kind: 'text',
  createable: true,
  updateable: true,
  mktoWritable: true,
  ...extra,
});
const TITLE = field('Title', 'title');
const PHONE = field('Phone', 'phone');

describe('per-field three-way merge', () => {
  it('a change on one side is copied to the other; unchanged fields agree', () => {
    const out = mergeFields({
      object: 'Lead',
      fields: [TITLE, PHONE],
      ancestor: { Title: 'Manager', Phone: '1' },
      sf: { Title: 'CFO', Phone: '1' },
      mkto: { Title: 'Manager', Phone: '2' },
    });
    expect(out.map((o) => [o.field.sf, o.decision, o.value])).toEqual([
      ['Title', 'to-marketo', 'CFO'],
      ['Phone', 'to-salesforce', '2'],
    ]);
  });

  it('an echo (both sides equal the ancestor or each other) changes nothing', () => {
    const out = mergeFields({ object: 'Lead', fields: [TITLE], ancestor: { Title: 'A' }, sf: { Title: 'B' }, mkto: { Title: 'B' } });
    expect(out[0]).toMatchObject({ decision: 'agree', value: 'B' });
  });

  it('the same field changed on both sides goes to the policy: Marketo for leads, Salesforce for contacts', () => {
    const input = { fields: [TITLE], ancestor: { Title: 'A' }, sf: { Title: 'SF' }, mkto: { Title: 'MK' } };
    expect(mergeFields({ ...input, object: 'Lead' })[0]).toMatchObject({ decision: 'to-salesforce', value: 'MK', winner: 'marketo' });
    expect(mergeFields({ ...input, object: 'Contact' })[0]).toMatchObject({ decision: 'to-marketo', value: 'SF', winner: 'salesforce' });
    expect(mergeFields({ ...input, object: 'Lead', policy: { fields: { 'Lead.Title': 'salesforce' } } })[0]).toMatchObject({ value: 'SF' });
  });

  it('winnerFor: field policy, then object policy, then the default', () => {
    expect(winnerFor(undefined, 'Lead', 'Title')).toBe('marketo');
    expect(winnerFor({ Lead: 'salesforce' }, 'Lead', 'Title')).toBe('salesforce');
    expect(winnerFor({ Lead: 'salesforce', fields: { 'Lead.Title': 'marketo' } }, 'Lead', 'Title')).toBe('marketo');
    expect(winnerFor({ fields: { 'Lead.Title': 'salesforce' } }, 'Contact', 'Title')).toBe('salesforce');
  });

  it('never synced: a value fills a blank; two different values go to the policy', () => {
    const out = mergeFields({ object: 'Lead', fields: [TITLE, PHONE], ancestor: {}, sf: { Title: null, Phone: 'x' }, mkto: { Title: 'CEO', Phone: 'y' } });
    expect(out[0]).toMatchObject({ decision: 'to-salesforce', value: 'CEO' });
    expect(out[1]).toMatchObject({ decision: 'to-salesforce', value: 'y', winner: 'marketo' });
  });

  it('a field the sync user cannot update flows from Salesforce only', () => {
    const ro = field('Title', 'title', { updateable: false });
    const out = mergeFields({ object: 'Lead', fields: [ro], ancestor: { Title: 'A' }, sf: { Title: 'A' }, mkto: { Title: 'B' } });
    expect(out[0]).toMatchObject({ decision: 'to-marketo', value: 'A' });
  });

  it('numbers compare as numbers', () => {
    const rev = field('AnnualRevenue', 'annualRevenue', { kind: 'number' });
    const out = mergeFields({ object: 'Lead', fields: [rev], ancestor: { AnnualRevenue: 0.3 }, sf: { AnnualRevenue: 0.1 + 0.2 }, mkto: { AnnualRevenue: 0.3 } });
    expect(out[0]!.decision).toBe('agree');
  });
});
