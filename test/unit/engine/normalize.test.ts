import { describe, expect, it } from 'vitest';
import { canon, kindOfMarketoType, kindOfSfType, parseDateTime, sameValue, toMarketo, toSalesforce } from '../../../src/engine/normalize.ts';

describe('canonical values across the two type systems', () => {
  it('text: blank and missing are null, anything else is kept as written', () => {
    expect(canon('', 'text')).toBeNull();
    expect(canon(null, 'text')).toBeNull();
    expect(canon(undefined, 'text')).toBeNull();
    expect(canon(' Acme ', 'text')).toBe(' Acme ');
  });

  it('numbers: numeric strings become numbers, blanks null, garbage unknown', () => {
    expect(canon('1250000', 'number')).toBe(1250000);
    expect(canon(12.5, 'number')).toBe(12.5);
    expect(canon('', 'number')).toBeNull();
    expect(canon('abc', 'number')).toBeUndefined();
  });

  it('booleans: Marketo spellings and an unset value read as false, never null', () => {
    expect(canon(true, 'boolean')).toBe(true);
    expect(canon('true', 'boolean')).toBe(true);
    expect(canon('1', 'boolean')).toBe(true);
    expect(canon(null, 'boolean')).toBe(false);
    expect(canon('', 'boolean')).toBe(false);
    expect(canon('maybe', 'boolean')).toBeUndefined();
  });

  it('dates and datetimes from either side compare equal at second precision', () => {
    expect(canon('2026-01-05', 'date')).toBe('2026-01-05');
    expect(canon('2026-01-05T00:00:00Z', 'date')).toBe('2026-01-05');
    const sf = canon('2026-01-05T09:30:15.250+0000', 'datetime');
    const mk = canon('2026-01-05T09:30:15Z', 'datetime');
    expect(sf).toBe('2026-01-05T09:30:15Z');
    expect(sameValue(sf!, mk!)).toBe(true);
    expect(canon('2026-01-05T01:30:15-08:00', 'datetime')).toBe('2026-01-05T09:30:15Z');
    expect(parseDateTime('not a date')).toBeUndefined();
  });

  it('a round trip SF → canonical → Marketo → canonical → SF never changes a value', () => {
    const cases: Array<[unknown, 'text' | 'number' | 'boolean' | 'date' | 'datetime']> = [
      ['Acme', 'text'],
      [null, 'text'],
      [42, 'number'],
      [0.1, 'number'],
      [false, 'boolean'],
      ['2026-02-28', 'date'],
      ['2026-01-05T09:30:15.000+0000', 'datetime'],
    ];
    for (const [sfValue, kind] of cases) {
      const c1 = canon(sfValue, kind)!;
      const mk = toMarketo(c1, kind);
      const c2 = canon(mk, kind)!;
      expect(sameValue(c1, c2)).toBe(true);
      const back = canon(toSalesforce(c2, kind), kind)!;
      expect(sameValue(back, c1)).toBe(true);
    }
  });

  it('maps describe types to kinds', () => {
    expect(kindOfSfType('currency')).toBe('number');
    expect(kindOfSfType('picklist')).toBe('text');
    expect(kindOfSfType('boolean')).toBe('boolean');
    expect(kindOfMarketoType('integer')).toBe('number');
    expect(kindOfMarketoType('email')).toBe('text');
    expect(kindOfMarketoType('datetime')).toBe('datetime');
  });
});
