import { describe, expect, it } from 'vitest';
import { Schema } from '../../../mocks/marketo/fields.ts';
import { checkValue, isCalendarDate, marketoDatetime, parseDatetime } from '../../../mocks/marketo/values.ts';

const schema = new Schema();
const f = (name: string) => schema.get(name)!;
schema.add({ name: 'renewalDate', dataType: 'date' });
schema.add({ name: 'lastSeenAt', dataType: 'datetime' });
schema.add({ name: 'score', dataType: 'float' });
schema.add({ name: 'notes', dataType: 'text', length: 10 });

describe('Marketo value checks', () => {
  it('text: strings and numbers become strings, blank is null, length is enforced (1003)', () => {
    expect(checkValue(f('firstName'), 'Ann')).toEqual({ ok: true, value: 'Ann' });
    expect(checkValue(f('postalCode'), 12345)).toEqual({ ok: true, value: '12345' });
    expect(checkValue(f('firstName'), '')).toEqual({ ok: true, value: null });
    expect(checkValue(f('firstName'), null)).toEqual({ ok: true, value: null });
    expect(checkValue(f('firstName'), 'x'.repeat(255)).ok).toBe(true);
    expect(checkValue(f('firstName'), 'x'.repeat(256))).toEqual({ ok: false, reason: { code: '1003', message: "Value for field 'firstName' exceeds the maximum length of 255" } });
    expect(checkValue(f('notes'), 'x'.repeat(11)).ok).toBe(false);
    expect(checkValue(f('firstName'), { a: 1 })).toEqual({ ok: false, reason: { code: '1001', message: `Invalid value '{"a":1}'. Required of type 'string'` } });
  });

  it('email must be ASCII without spaces', () => {
    expect(checkValue(f('email'), 'a.b+c@x.test')).toEqual({ ok: true, value: 'a.b+c@x.test' });
    expect(checkValue(f('email'), 'josé@x.test')).toMatchObject({ ok: false, reason: { code: '1003' } });
    expect(checkValue(f('email'), 'a b@x.test')).toMatchObject({ ok: false, reason: { code: '1003' } });
  });

  it('integer: whole numbers in int32, from numbers or digit strings (1001 otherwise)', () => {
    expect(checkValue(f('numberOfEmployees'), 40)).toEqual({ ok: true, value: 40 });
    expect(checkValue(f('numberOfEmployees'), ' -7 ')).toEqual({ ok: true, value: -7 });
    expect(checkValue(f('numberOfEmployees'), '')).toEqual({ ok: true, value: null });
    for (const bad of ['4.5', 4.5, 'forty', 2147483648, true]) {
      expect(checkValue(f('numberOfEmployees'), bad)).toMatchObject({ ok: false, reason: { code: '1001', message: expect.stringContaining("Required of type 'integer'") } });
    }
  });

  it('float and currency: finite numbers', () => {
    expect(checkValue(f('annualRevenue'), '1200.50')).toEqual({ ok: true, value: 1200.5 });
    expect(checkValue(f('score'), 1e3)).toEqual({ ok: true, value: 1000 });
    expect(checkValue(f('score'), 'NaN').ok).toBe(false);
    expect(checkValue(f('annualRevenue'), '$5').ok).toBe(false);
  });

  it('boolean: true/false, 1/0, yes/no', () => {
    expect(checkValue(f('unsubscribed'), true)).toEqual({ ok: true, value: true });
    expect(checkValue(f('unsubscribed'), 'FALSE')).toEqual({ ok: true, value: false });
    expect(checkValue(f('unsubscribed'), 1)).toEqual({ ok: true, value: true });
    expect(checkValue(f('unsubscribed'), 'yes')).toEqual({ ok: true, value: true });
    expect(checkValue(f('unsubscribed'), 'maybe')).toMatchObject({ ok: false, reason: { code: '1001' } });
  });

  it('date: real calendar days; a datetime is cut to its UTC day', () => {
    expect(checkValue(f('renewalDate'), '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(checkValue(f('renewalDate'), '2026-02-29').ok).toBe(false);
    expect(checkValue(f('renewalDate'), '2026-01-05T23:30:00-02:00')).toEqual({ ok: true, value: '2026-01-06' });
    expect(checkValue(f('renewalDate'), '05/01/2026').ok).toBe(false);
  });

  it('datetime: ISO-8601 with a zone, stored as UTC second precision with Z', () => {
    expect(checkValue(f('lastSeenAt'), '2026-01-05T10:00:00+01:00')).toEqual({ ok: true, value: '2026-01-05T09:00:00Z' });
    expect(checkValue(f('lastSeenAt'), '2026-01-05T09:00:00.123Z')).toEqual({ ok: true, value: '2026-01-05T09:00:00Z' });
    expect(checkValue(f('lastSeenAt'), '2026-01-05')).toEqual({ ok: true, value: '2026-01-05T00:00:00Z' });
    expect(checkValue(f('lastSeenAt'), '2026-01-05T25:00:00Z').ok).toBe(false);
    expect(checkValue(f('lastSeenAt'), 'tomorrow').ok).toBe(false);
  });

  it('sfdcType accepts Lead, Contact or empty only', () => {
    expect(checkValue(f('sfdcType'), 'Lead')).toEqual({ ok: true, value: 'Lead' });
    expect(checkValue(f('sfdcType'), '')).toEqual({ ok: true, value: null });
    expect(checkValue(f('sfdcType'), 'Account')).toMatchObject({ ok: false, reason: { code: '1003' } });
  });

  it('date helpers', () => {
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(parseDatetime('2026-01-05T09:00:00+0530')).toBe(Date.UTC(2026, 0, 5, 3, 30));
    expect(parseDatetime('2026-01-05T09:00')).toBeUndefined();
    expect(marketoDatetime(Date.UTC(2026, 0, 5, 9, 0, 0, 999))).toBe('2026-01-05T09:00:00Z');
  });
});
