import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainParam } from '../../../mocks/salesforce/handlers/rest.ts';

/** What the query handler read before: URLSearchParams over the query text. */
const viaSearchParams = (query: string, name: string) => new URLSearchParams(query.charCodeAt(0) === 0x3f ? `?${query}` : query).get(name);

describe('plainParam (a query parameter read off the URL text)', () => {
  it('answers as URLSearchParams does, or leaves the answer to it', () => {
    const cases: Array<[string, string]> = [
      ['q=SELECT%20Id%20FROM%20Lead', 'q'],
      ['q=a+b%2Bc', 'q'],
      ['x=1&q=2&q=3', 'q'],
      ['q', 'q'],
      ['q=', 'q'],
      ['', 'q'],
      ['&&q=%E2%82%AC', 'q'],
      ['?q=1', 'q'],
      ['%71=1', 'q'],
      ['q=%zz', 'q'],
      ['q=%ED%A0%80', 'q'],
      ['q=a=b', 'q'],
      ['r=1', 'q'],
    ];
    for (const [query, name] of cases) {
      const got = plainParam(query, name);
      if (got !== undefined) expect(got, query).toBe(viaSearchParams(query, name));
    }
    expect(plainParam('q=SELECT%20Id%20FROM%20Lead', 'q')).toBe('SELECT Id FROM Lead');
    expect(plainParam('%71=1', 'q')).toBeUndefined();
    expect(plainParam('q=%zz', 'q')).toBeUndefined();
    expect(plainParam('r=1', 'q')).toBeNull();
  });

  it('never differs from URLSearchParams on any query text', () => {
    const piece = fc.constantFrom('q', 'r', '=', '&', '+', '%', '%2', '%20', '%2B', '%26', '%3D', '%71', '%E2%82%AC', '%ED%A0%80', '%C3', 'é', 'a', '?', ' ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const query = parts.join('');
        const got = plainParam(query, 'q');
        if (got !== undefined) expect(got).toBe(viaSearchParams(query, 'q'));
      }),
      { numRuns: 2000, seed: 8 },
    );
  });
});
