// The same handlers served over real HTTP (@mswjs/http-middleware, as `sync-sim serve` does):
// paths match without hosts and instance_url/serverUrl point back at the server's own origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from '@mswjs/http-middleware';
import { Connection } from 'jsforce';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { createSalesforce } from '../../../mocks/salesforce/index.ts';
import { CLIENT, noRetries, SYNC_USER, VERSION } from './harness.ts';

const sf = createSalesforce({ clock: new VirtualClock() });
let server: Server;
let origin: string;

beforeAll(async () => {
  server = await new Promise<Server>((resolve) => {
    const s = createServer(...sf.handlers).listen(0, '127.0.0.1', () => resolve(s));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('served over HTTP on loopback', () => {
  it('SOAP login and REST calls follow serverUrl back to the server', async () => {
    const conn = noRetries(new Connection({ loginUrl: origin, version: VERSION }));
    await conn.login(SYNC_USER.username, SYNC_USER.password);
    expect(conn.instanceUrl).toBe(origin);
    const created = await conn.sobject('Lead').create({ LastName: 'Served', Company: 'Loopback' });
    expect(created.success).toBe(true);
    const result = await conn.query<{ LastName: string }>("SELECT LastName FROM Lead WHERE Company = 'Loopback'");
    expect(result.records.map((r) => r.LastName)).toEqual(['Served']);
  });

  it('OAuth answers instance_url on the server origin; errors keep their status', async () => {
    const conn = noRetries(new Connection({ oauth2: { ...CLIENT, loginUrl: origin }, version: VERSION }));
    await conn.login(SYNC_USER.username, SYNC_USER.password);
    expect(conn.instanceUrl).toBe(origin);
    const res = await fetch(`${origin}/services/data/v${VERSION}/sobjects/Lead/abc`, { headers: { Authorization: `Bearer ${conn.accessToken}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('MALFORMED_ID');
  });
});
