// queryParams(urlParts(href).query) must give what new URL(href).searchParams gives (the emulators read queries so).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryParams, urlParts } from '../../mocks/url-parts.ts';

const viaText = (href: string) => [...queryParams(urlParts(href).query)];
const viaParser = (href: string) => [...new URL(href).searchParams];

describe('queryParams', () => {
  it('reads a query as URL.searchParams does, a leading ? and escapes included', () => {
    for (const href of [
      'https://h.test/services/data/v50.0/query?q=SELECT+Id,Name+FROM+Lead+WHERE+Name+%3D+%27a%20b%27',
      'https://h.test/p??a=1&b=2',
      'https://h.test/p?',
      'https://h.test/p',
      'https://h.test/p?%zz=%E0%A4%A&&x&=y#f?g=h',
      'https://h.test/rest/v1/leads.json?filterType=id&filterValues=1,2&fields=email,sfdcLeadId',
    ]) {
      expect(viaText(new URL(href).href), href).toEqual(viaParser(href));
    }
  });

  it('agrees with URL.searchParams on any web URL', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constantFrom('', '?', '??'), (raw, extra) => {
        const u = new URL(raw);
        if (extra !== '') u.search = extra + u.search.slice(1);
        expect(viaText(u.href)).toEqual(viaParser(u.href));
      }),
      { numRuns: 500 },
    );
  });
});
