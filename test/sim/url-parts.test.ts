import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRequest } from '../../src/sim/driver.ts';
import { queryParams, urlParts } from '../../mocks/url-parts.ts';

const viaParser = (href: string) => {
  const u = new URL(href);
  return { pathname: u.pathname, query: u.search.slice(1) };
};

describe('urlParts', () => {
  it('reads the path and query of a serialized URL as the URL parser does', () => {
    for (const href of [
      'https://x.my.salesforce.com/services/data/v59.0/query?q=SELECT+Id+FROM+Lead',
      'https://host:8443/a/b/?x=1&y=%20#frag?not-query',
      'https://host?only=query',
      'https://host#frag/with/slash',
      'https://host',
      'http://127.0.0.1:4010/rest/v1/leads.json?access_token=t&filterType=id&filterValues=1,2',
      'https://host/p?',
      'https://user:pw@host/p%20q/?a=b?c',
      'https://h.test?x=/a',
      'https://user:p%40ss@h.test/a%20b/c',
      'https://h.test/a#frag/ment',
      'http://[::1]:8080/identity/oauth/token?grant_type=x',
      'file:///tmp/x',
    ]) {
      expect(urlParts(new URL(href).href), href).toEqual(viaParser(href));
    }
  });

  it('agrees with the URL parser on any web URL', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const href = new URL(raw).href;
        expect(urlParts(href)).toEqual(viaParser(href));
      }),
      { numRuns: 500 },
    );
  });

  it('describeRequest keeps the method, the path and the parameters that say what was asked, never a secret', () => {
    const r = new Request('https://h/identity/oauth/token?grant_type=client_credentials&client_id=syncsim&client_secret=s3cret&password=pw');
    expect(describeRequest(r)).toBe('GET /identity/oauth/token grant_type=client_credentials client_id=syncsim');
    expect(describeRequest(new Request('https://h/services/data/v59.0/composite/sobjects?', { method: 'PATCH', body: '{}' }))).toBe('PATCH /services/data/v59.0/composite/sobjects');
    const long = 'x'.repeat(300);
    expect(describeRequest(new Request(`https://h/q?q=${long}`))).toBe(`GET /q q=${'x'.repeat(240)}…`);
  });
});

// queryParams(urlParts(href).query) must give what new URL(href).searchParams gives (the emulators read queries so).
const viaText = (href: string) => [...queryParams(urlParts(href).query)];
const searchParamsOf = (href: string) => [...new URL(href).searchParams];

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
      expect(viaText(new URL(href).href), href).toEqual(searchParamsOf(href));
    }
  });

  it('agrees with URL.searchParams on any web URL', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constantFrom('', '?', '??'), (raw, extra) => {
        const u = new URL(raw);
        if (extra !== '') u.search = extra + u.search.slice(1);
        expect(viaText(u.href)).toEqual(searchParamsOf(u.href));
      }),
      { numRuns: 500 },
    );
  });
});
