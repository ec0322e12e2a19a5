import { describe, expect, it } from 'vitest';
import { LOGIN_URL, raw, rejection, soapConnection, useSalesforce } from './harness.ts';

const sf = useSalesforce({ dailyApiLimit: 5 });

describe('the daily API allowance', () => {
  it('counts REST calls, then answers 403 REQUEST_LIMIT_EXCEEDED; versions and login stay free', async () => {
    const conn = await soapConnection();
    expect(sf.org.apiUsage().used).toBe(0);
    for (let i = 1; i <= 5; i++) {
      await conn.limits();
      expect(conn.limitInfo.apiUsage).toEqual({ used: i, limit: 5 });
    }
    const err = await rejection(conn.describeGlobal());
    expect(err.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(err.message).toBe('TotalRequests Limit exceeded.');
    const res = await raw(conn, 'GET', '/sobjects');
    expect(res.status).toBe(403);
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=5/5');
    expect(await res.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);

    expect((await fetch(`${LOGIN_URL}/services/data`)).status).toBe(200);
    await soapConnection();
    expect(sf.org.apiUsage().used).toBe(5);
    const entry = sf.org.requestLog.at(-2)!;
    expect(entry).toMatchObject({ status: 403, errorCodes: ['REQUEST_LIMIT_EXCEEDED'] });
  });

  it('SOAP calls count too and fault with REQUEST_LIMIT_EXCEEDED once spent', async () => {
    const conn = await soapConnection();
    const err = await rejection(conn.soap.convertLead({ leadId: '00Q000000000000AAA', convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true } as never));
    expect(err.message).toBe('REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.');
  });
});
