import { describe, expect, it } from 'vitest';
import { changedRowsQuery, createdLeadQuery, rowsByIdQuery, soqlEscape } from '../../../src/engine/soql.ts';

describe('the SOQL the engine sends', () => {
  it('polls on SystemModstamp, oldest first, with an unquoted second-precision datetime literal', () => {
    expect(changedRowsQuery('Lead', ['Id', 'Title'], Date.UTC(2026, 0, 5, 9, 4, 0, 750))).toBe(
      'SELECT Id, Title FROM Lead WHERE SystemModstamp > 2026-01-05T09:04:00Z ORDER BY SystemModstamp, Id',
    );
    expect(changedRowsQuery('Contact', ['Id'], undefined)).toBe('SELECT Id FROM Contact ORDER BY SystemModstamp, Id');
  });

  it('escapes string literals', () => {
    expect(soqlEscape("O'Brien \\ Co")).toBe("O\\'Brien \\\\ Co");
    expect(rowsByIdQuery('Lead', ['Id'], ['00Q1', "x'y"])).toBe("SELECT Id FROM Lead WHERE Id IN ('00Q1', 'x\\'y')");
  });

  it('looks for a lost create by creator, time and what was sent', () => {
    expect(createdLeadQuery({ sinceMs: Date.UTC(2026, 0, 5, 9), userId: '005X', email: "a'b@x.test" })).toBe(
      "SELECT Id FROM Lead WHERE CreatedDate >= 2026-01-05T09:00:00Z AND CreatedById = '005X' AND Email = 'a\\'b@x.test' ORDER BY CreatedDate, Id",
    );
    expect(createdLeadQuery({ sinceMs: 0, lastName: 'Smith', company: null })).toBe(
      "SELECT Id FROM Lead WHERE CreatedDate >= 1970-01-01T00:00:00Z AND LastName = 'Smith' AND Company = null ORDER BY CreatedDate, Id",
    );
  });
});
