/**
 * Overhead (figure 5): one jsforce update through each transport against the
 * same operation on the org model directly, in the same process and run:
 *
 * - in-process: jsforce → the in-process fetch (src/sim/in-process-fetch.ts)
 *   → the emulator's msw handlers; what the simulator uses by default;
 * - msw-server: jsforce's own node-fetch → Node's HTTP stack intercepted by
 *   msw's setupServer → the same handlers; what a real jsforce sees.
 *
 * Times are CPU time (process.cpuUsage), so other work on a shared machine
 * does not count. The emulator's interceptor hook times the handler, which
 * splits each call into the org model itself, the emulator's HTTP layer
 * (routing, auth, JSON, request log) and the transport (msw, jsforce, and for
 * msw-server node http and the interceptors). The in-process path runs first:
 * a listening setupServer wraps the global Request and Response classes,
 * which would slow it.
 */
import { Connection } from 'jsforce';
import { setupServer } from 'msw/node';
import { createSalesforce } from '../mocks/salesforce/index.ts';
import type { FetchFn } from '../src/engine/fetch-fn.ts';
import { useFetchTransport, type JsforceTransport } from '../src/engine/jsforce-fetch.ts';
import { VirtualClock } from '../src/sim/clock.ts';
import { inProcessFetch } from '../src/sim/in-process-fetch.ts';

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export async function overhead(quick: boolean): Promise<Record<string, unknown>> {
  const clock = new VirtualClock();
  let handlerUs = 0;
  const sf = createSalesforce({
    clock,
    intercept: async (_request, next) => {
      const t = cpuUs();
      try {
        return await next();
      } finally {
        handlerUs += cpuUs() - t;
      }
    },
  });
  const org = sf.org;
  const created = org.create('Lead', { LastName: 'Bench', Company: 'Acme' }, org.adminUser.id);
  if (!created.success) throw new Error('overhead: could not create the lead');
  const id = created.id;
  const n = quick ? 300 : 2000;
  const titles = ['CEO', 'CFO'];
  const loginUrl = 'https://login.salesforce.com';
  const connect = async (fetchFn?: FetchFn) => {
    const conn = new Connection({ loginUrl, oauth2: { loginUrl, clientId: 'syncsim', clientSecret: 'syncsim-secret' } });
    if (fetchFn) {
      useFetchTransport((conn as unknown as { _transport: JsforceTransport })._transport, fetchFn);
      useFetchTransport((conn.oauth2 as unknown as { _transport: JsforceTransport })._transport, fetchFn);
    }
    await conn.login('sync@example.com', 'sync-password');
    return conn;
  };
  /** CPU µs per update through `conn`, and of that, µs inside the emulator's handler. */
  const timeHttp = async (conn: Connection) => {
    // Warm up (JIT, first-request costs) before timing.
    for (let i = 0; i < 50; i++) await conn.sobject('Lead').update({ Id: id, Title: titles[i % 2] });
    handlerUs = 0;
    const t = cpuUs();
    for (let i = 0; i < n; i++) {
      const r = await conn.sobject('Lead').update({ Id: id, Title: titles[i % 2] });
      if (!r.success) throw new Error('overhead: update through HTTP failed');
    }
    return { total: (cpuUs() - t) / n, handler: handlerUs / n };
  };

  const inProcess = await timeHttp(await connect(inProcessFetch(() => sf.handlers)));

  for (let i = 0; i < 50; i++) org.update('Lead', id, { Title: titles[i % 2] }, org.syncUser.id);
  let t = cpuUs();
  for (let i = 0; i < n; i++) {
    const r = org.update('Lead', id, { Title: titles[i % 2] }, org.syncUser.id);
    if (!r.success) throw new Error('overhead: direct update failed');
  }
  const direct = (cpuUs() - t) / n;

  const server = setupServer(...sf.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  let viaServer: { total: number; handler: number };
  try {
    viaServer = await timeHttp(await connect());
  } finally {
    server.close();
  }
  return {
    calls: n,
    directUs: direct,
    modelUs: direct,
    // msw-server (setupServer): the figures the table showed before the in-process transport.
    httpUs: viaServer.total,
    ratio: viaServer.total / direct,
    emulatorHttpUs: Math.max(0, viaServer.handler - direct),
    mswJsforceUs: Math.max(0, viaServer.total - viaServer.handler),
    // in-process fetch.
    inProcessUs: inProcess.total,
    inProcessRatio: inProcess.total / direct,
    inProcessEmulatorHttpUs: Math.max(0, inProcess.handler - direct),
    inProcessTransportUs: Math.max(0, inProcess.total - inProcess.handler),
  };
}
