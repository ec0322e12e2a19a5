/**
 * Overhead (figure 5): one jsforce call through msw against the same
 * operation on the org model directly, in the same process and run. The
 * emulator's interceptor hook times the handler, which splits the HTTP cost
 * into: the org model itself, the emulator's HTTP layer (routing, auth,
 * JSON, request log), and msw + jsforce (interception, Request/Response
 * objects, the client's own work).
 */
import { Connection } from 'jsforce';
import { setupServer } from 'msw/node';
import { createSalesforce } from '../mocks/salesforce/index.ts';
import { VirtualClock } from '../src/sim/clock.ts';

export async function overhead(quick: boolean): Promise<Record<string, unknown>> {
  const clock = new VirtualClock();
  let handlerNs = 0n;
  const sf = createSalesforce({
    clock,
    intercept: async (_request, next) => {
      const t = process.hrtime.bigint();
      try {
        return await next();
      } finally {
        handlerNs += process.hrtime.bigint() - t;
      }
    },
  });
  const server = setupServer(...sf.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    const org = sf.org;
    const created = org.create('Lead', { LastName: 'Bench', Company: 'Acme' }, org.adminUser.id);
    if (!created.success) throw new Error('overhead: could not create the lead');
    const id = created.id;
    const loginUrl = 'https://login.salesforce.com';
    const conn = new Connection({ loginUrl, oauth2: { loginUrl, clientId: 'syncsim', clientSecret: 'syncsim-secret' } });
    await conn.login('sync@example.com', 'sync-password');
    const n = quick ? 300 : 2000;
    const titles = ['CEO', 'CFO'];
    // Warm both paths up (JIT, first-request costs) before timing.
    for (let i = 0; i < 50; i++) {
      await conn.sobject('Lead').update({ Id: id, Title: titles[i % 2] });
      org.update('Lead', id, { Title: titles[(i + 1) % 2] }, org.syncUser.id);
    }
    handlerNs = 0n;
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = await conn.sobject('Lead').update({ Id: id, Title: titles[i % 2] });
      if (!r.success) throw new Error('overhead: update through HTTP failed');
    }
    const httpNs = process.hrtime.bigint() - t;
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const r = org.update('Lead', id, { Title: titles[i % 2] }, org.syncUser.id);
      if (!r.success) throw new Error('overhead: direct update failed');
    }
    const directNs = process.hrtime.bigint() - t;
    const us = (ns: bigint) => Number(ns) / 1000 / n;
    const http = us(httpNs);
    const direct = us(directNs);
    const handler = us(handlerNs);
    return {
      calls: n,
      httpUs: http,
      directUs: direct,
      ratio: http / direct,
      modelUs: direct,
      emulatorHttpUs: Math.max(0, handler - direct),
      mswJsforceUs: Math.max(0, http - handler),
    };
  } finally {
    server.close();
  }
}
