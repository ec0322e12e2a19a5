// jsforce against `sync-sim serve` in another process, over real HTTP: the pinned 3.10.16 and the
// latest 3.x (from 3.10.17 it sends through undici, which msw cannot intercept in-process; served
// mode is how a team on a newer jsforce tests against the emulators).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection as PinnedConnection } from 'jsforce';
import { CLIENT, control, ROOT, startServe, SYNC_USER, VERSION, type ServedChild } from './harness.ts';

function packageOf(name: string): { version: string; engines?: { node?: string } } {
  return JSON.parse(readFileSync(`${ROOT}/node_modules/${name}/package.json`, 'utf8')) as { version: string; engines?: { node?: string } };
}

/** The Node major a package's `engines.node` (`>=22`, `>=18`) asks for at least. */
function minNodeMajor(range: string | undefined): number {
  const m = range ? />=\s*(\d+)/.exec(range) : null;
  return m ? Number(m[1]) : 0;
}

const nodeMajor = Number(process.versions.node.split('.')[0]);
const pinned = packageOf('jsforce');
const latest = packageOf('jsforce-latest');

type AnyConnection = PinnedConnection;
interface Variant {
  label: string;
  make: (opts: Record<string, unknown>) => AnyConnection;
  skip: string | false;
}

// jsforce ≥ 3.10.17 declares engines.node >=22 (its undici crashes at import on Node 20): load it only where it runs.
const latestSkip = nodeMajor < minNodeMajor(latest.engines?.node) ? `jsforce ${latest.version} needs Node ${latest.engines?.node}; this is Node ${process.versions.node}` : false;
const LatestConnection = latestSkip ? undefined : (await import('jsforce-latest')).Connection;

const variants: Variant[] = [
  { label: `jsforce ${pinned.version} (pinned)`, make: (o) => new PinnedConnection(o), skip: false },
  {
    label: `jsforce ${latest.version} (jsforce-latest)`,
    make: (o) => new LatestConnection!(o) as unknown as AnyConnection,
    skip: latestSkip,
  },
];

interface TransportLike {
  httpRequest(req: unknown, options?: Record<string, unknown>): unknown;
}

/** No wall-clock retries: a failure shows at once (see test/contract/salesforce/harness.ts). */
function noRetries<C extends AnyConnection>(conn: C): C {
  const transport = (conn as unknown as { _transport: TransportLike })._transport;
  const original = transport.httpRequest.bind(transport);
  transport.httpRequest = (req, options = {}) => original(req, { ...options, retry: { maxRetries: 0 } });
  return conn;
}

let served: ServedChild;
beforeAll(async () => {
  served = await startServe();
  const rule = await control(served.origin, 'POST', '/salesforce/rules', {
    object: 'Lead',
    name: 'Served_Needs_Phone',
    formula: 'AND(Company = "Rule Co", ISBLANK(Phone))',
    message: 'Rule Co leads need a phone number',
    field: 'Phone',
  });
  expect(rule.status).toBe(201);
});
afterAll(async () => {
  await served?.stop();
});

describe.each(variants)('$label', ({ label, make, skip }) => {
  const tag = label.replace(/\W+/g, '-');

  it.skipIf(skip)('SOAP login follows serverUrl back to the served origin; create and query', async () => {
    const conn = noRetries(make({ loginUrl: served.origin, version: VERSION }));
    const info = await conn.login(SYNC_USER.username, SYNC_USER.password);
    expect(conn.instanceUrl).toBe(served.origin);
    expect(info.id).toMatch(/^005/);
    const created = await conn.sobject('Lead').create({ LastName: `Soap ${tag}`, Company: 'Served Co' });
    expect(created.success).toBe(true);
    const result = await conn.query<{ Id: string; LastName: string }>(`SELECT Id, LastName FROM Lead WHERE LastName = 'Soap ${tag}'`);
    expect(result.totalSize).toBe(1);
    expect(result.records[0]!.Id).toBe(created.id);
  });

  it.skipIf(skip)('OAuth password grant answers instance_url on the served origin; create and query', async () => {
    const conn = noRetries(make({ oauth2: { ...CLIENT, loginUrl: served.origin }, version: VERSION }));
    await conn.login(SYNC_USER.username, SYNC_USER.password);
    expect(conn.instanceUrl).toBe(served.origin);
    expect(conn.accessToken).toMatch(/^00D/);
    const created = await conn.sobject('Lead').create({ LastName: `OAuth ${tag}`, Company: 'Served Co' });
    expect(created.success).toBe(true);
    const result = await conn.query<{ LastName: string }>(`SELECT LastName FROM Lead WHERE Id = '${created.id}'`);
    expect(result.records.map((r) => r.LastName)).toEqual([`OAuth ${tag}`]);
  });

  it.skipIf(skip)('a validation rule set through the control API refuses the write with its message', async () => {
    const conn = noRetries(make({ oauth2: { ...CLIENT, loginUrl: served.origin }, version: VERSION }));
    await conn.login(SYNC_USER.username, SYNC_USER.password);
    const err = (await conn
      .sobject('Lead')
      .create({ LastName: `Rule ${tag}`, Company: 'Rule Co' })
      .then(
        (r) => r,
        (e: unknown) => e,
      )) as { errorCode?: string; message?: string; success?: boolean; errors?: Array<{ statusCode?: string; errorCode?: string; message: string }> };
    const code = err.errorCode ?? err.errors?.[0]?.statusCode ?? err.errors?.[0]?.errorCode;
    const message = err.message ?? err.errors?.[0]?.message;
    expect(code).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(message).toContain('Rule Co leads need a phone number');
    // With the phone the same record goes in.
    const ok = await conn.sobject('Lead').create({ LastName: `Rule ${tag}`, Company: 'Rule Co', Phone: '+1 555 0100' });
    expect(ok.success).toBe(true);
  });

  it.skipIf(skip)('a bad password is INVALID_LOGIN over SOAP and invalid_grant over OAuth', async () => {
    const soap = noRetries(make({ loginUrl: served.origin, version: VERSION }));
    await expect(soap.login(SYNC_USER.username, 'wrong')).rejects.toThrow(/INVALID_LOGIN/);
    const oauth = noRetries(make({ oauth2: { ...CLIENT, loginUrl: served.origin }, version: VERSION }));
    await expect(oauth.login(SYNC_USER.username, 'wrong')).rejects.toThrow(/invalid_grant|authentication failure/);
  });
});
