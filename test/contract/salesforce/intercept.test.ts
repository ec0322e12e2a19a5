// The one place every request passes (`intercept`), without a server: msw's getResponse drives the handlers.
import { describe, expect, it } from 'vitest';
import { getResponse } from 'msw';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { createSalesforce } from '../../../mocks/salesforce/index.ts';

describe('createSalesforce({ intercept })', () => {
  it('sees every request and may answer instead of the emulator', async () => {
    const seen: string[] = [];
    const sf = createSalesforce({
      clock: new VirtualClock(),
      intercept: async (request, next) => {
        const path = new URL(request.url).pathname;
        seen.push(`${request.method} ${path}`);
        if (path.endsWith('/limits')) return new Response('down', { status: 503 });
        return next();
      },
    });
    const versions = await getResponse(sf.handlers, new Request('http://x.test/services/data'));
    expect(versions?.status).toBe(200);
    const token = sf.org.openSession(sf.org.syncUser.id);
    const limits = await getResponse(sf.handlers, new Request('http://x.test/services/data/v60.0/limits', { headers: { Authorization: `Bearer ${token}` } }));
    expect(limits?.status).toBe(503);
    expect(seen).toEqual(['GET /services/data', 'GET /services/data/v60.0/limits']);
    expect(sf.org.apiUsage().used).toBe(0);
  });
});
