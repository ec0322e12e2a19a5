import { describe, expect, it } from 'vitest';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import { parseSoql } from '../../../mocks/salesforce/soql/parse.ts';
import { tokenize } from '../../../mocks/salesforce/soql/lexer.ts';

/** What a fresh parse of `soql` gives, for comparison with the cached answer. */
function fresh(soql: string) {
  return { soql, query: parseQuery(soql), tokens: tokenize(soql) };
}

describe('SOQL parse cache: queries that differ only in datetime literals parse as if fresh', () => {
  const poll = (at: string) => `SELECT Id, Title FROM Lead WHERE SystemModstamp > ${at} ORDER BY SystemModstamp, Id`;

  it('a poll with a new watermark parses as if fresh; a repeat is the same frozen answer', () => {
    const first = parseSoql(poll('2026-01-05T09:00:00Z'));
    const second = parseSoql(poll('2026-01-05T09:05:00Z'));
    expect(second).toEqual(fresh(poll('2026-01-05T09:05:00Z')));
    expect(first).toEqual(fresh(poll('2026-01-05T09:00:00Z')));
    expect(Object.isFrozen(second.query.where)).toBe(true);
    // The first answer is untouched and still served for its own text.
    expect(parseSoql(poll('2026-01-05T09:00:00Z'))).toBe(first);
  });

  it('poll after poll parses as if fresh', () => {
    const q = (at: string) => `SELECT Id, Email FROM Lead WHERE (SystemModstamp > ${at} AND IsDeleted = false) OR Id IN ('00Q000000000001') ORDER BY SystemModstamp`;
    parseSoql(q('2026-02-01T00:00:00Z'));
    for (let minute = 1; minute <= 4; minute++) {
      const soql = q(`2026-02-01T00:0${minute}:00Z`);
      const got = parseSoql(soql);
      expect(got).toEqual(fresh(soql));
    }
    expect(parseSoql(q('2026-02-01T00:00:00Z'))).toEqual(fresh(q('2026-02-01T00:00:00Z')));
  });

  it('several literals, IN lists and offsets swap in text order', () => {
    const q = (a: string, b: string, c: string) =>
      `SELECT Id FROM Lead WHERE CreatedDate >= ${a} AND LastModifiedDate < ${b} AND SystemModstamp IN (${c}) ORDER BY Id`;
    parseSoql(q('2026-01-01T00:00:00Z', '2026-02-01T00:00:00.000+01:00', '2026-03-01T00:00:00Z'));
    const soql = q('2027-01-01T00:00:00Z', '2027-02-01T00:00:00.000-05:00', '2027-03-01T00:00:00Z');
    expect(parseSoql(soql)).toEqual(fresh(soql));
  });

  it('a repeated literal or one inside a string is parsed afresh, not guessed', () => {
    const twice = (a: string, b: string) => `SELECT Id FROM Lead WHERE CreatedDate > ${a} OR SystemModstamp > ${b}`;
    parseSoql(twice('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'));
    const soql = twice('2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z');
    expect(parseSoql(soql)).toEqual(fresh(soql));
    const inString = (a: string) => `SELECT Id FROM Lead WHERE Title = 'since ${a}'`;
    parseSoql(inString('2026-01-01T00:00:00Z'));
    expect(parseSoql(inString('2026-01-09T00:00:00Z'))).toEqual(fresh(inString('2026-01-09T00:00:00Z')));
  });
});
