import { beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { LOGIN_URL, rejection, soapConnection, useSalesforce, VERSION } from './harness.ts';

const sf = useSalesforce();
let conn: Connection;

beforeAll(async () => {
  conn = await soapConnection();
});

interface LeadConvertResult {
  success: boolean;
  leadId: string;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
}

describe('lead conversion through conn.soap.convertLead', () => {
  it('converts a lead into a contact and an account; the lead then refuses writes', async () => {
    const { id } = await conn.sobject('Lead').create({ FirstName: 'Ada', LastName: 'Lovelace', Company: 'Engines Ltd', Email: 'ada@engines.test' });
    const result = (await conn.soap.convertLead({
      leadId: id!,
      convertedStatus: 'Closed - Converted',
      doNotCreateOpportunity: true,
    } as never)) as unknown as LeadConvertResult;
    expect(result).toMatchObject({ success: true, leadId: id, opportunityId: null, errors: [] });
    expect(result.contactId).toMatch(/^003/);
    expect(result.accountId).toMatch(/^001/);

    const contact = await conn.sobject('Contact').retrieve(result.contactId!);
    expect(contact).toMatchObject({ LastName: 'Lovelace', Email: 'ada@engines.test', AccountId: result.accountId });
    const lead = await conn.sobject('Lead').retrieve(id!);
    expect(lead).toMatchObject({ IsConverted: true, ConvertedContactId: result.contactId, ConvertedAccountId: result.accountId });

    const err = await rejection(conn.sobject('Lead').update({ Id: id!, Title: 'After' }));
    expect(err.errorCode).toBe('CANNOT_UPDATE_CONVERTED_LEAD');
    expect(err.message).toBe('cannot reference converted lead');
  });

  it('answers per-request errors inside a 200 reply, in order, for a batch', async () => {
    const { id } = await conn.sobject('Lead').create({ LastName: 'Two', Company: 'C' });
    const results = (await conn.soap.convertLead([
      { leadId: id!, convertedStatus: 'Not A Status', doNotCreateOpportunity: true },
      { leadId: id!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true },
    ] as never)) as unknown as LeadConvertResult[];
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_STATUS' }] });
    expect(results[1]).toMatchObject({ success: true, leadId: id });
  });

  it('refreshes an expired session on the INVALID_SESSION_ID fault and retries', async () => {
    const { id } = await conn.sobject('Lead').create({ LastName: 'Late', Company: 'C' });
    sf.org.expireSessions();
    const result = (await conn.soap.convertLead({ leadId: id!, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true } as never)) as unknown as LeadConvertResult;
    expect(result.success).toBe(true);
    const log = sf.org.requestLog.filter((e) => e.operation === 'convertLead').slice(-2);
    expect(log.map((e) => e.status)).toEqual([500, 200]);
    expect(log[0]!.errorCodes).toEqual(['INVALID_SESSION_ID']);
  });
});

describe('merge through conn.soap.merge', () => {
  it('merges a loser into a master: the loser is deleted with MasterRecordId, master fields applied', async () => {
    const master = await conn.sobject('Lead').create({ LastName: 'Keep', Company: 'K', Title: 'Old' });
    const loser = await conn.sobject('Lead').create({ LastName: 'Lose', Company: 'L', Phone: '555' });
    const result = (await conn.soap.merge({
      masterRecord: { type: 'Lead', Id: master.id!, Title: 'New' },
      recordToMergeIds: [loser.id!],
    } as never)) as unknown as { success: boolean; id: string; mergedRecordIds: string[]; updatedRelatedIds: string[]; errors: unknown[] };
    expect(result).toMatchObject({ success: true, id: master.id, mergedRecordIds: [loser.id], errors: [] });
    expect(sf.org.get('Lead', master.id!)?.['Title']).toBe('New');
    const gone = await conn.query<{ Id: string; IsDeleted: boolean; MasterRecordId: string }>(`SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE Id = '${loser.id}'`, { scanAll: true });
    expect(gone.records[0]).toMatchObject({ IsDeleted: true, MasterRecordId: master.id });
    const entry = sf.org.requestLog.filter((e) => e.operation === 'merge').at(-1)!;
    expect(entry).toMatchObject({ object: 'Lead', fieldsWritten: ['Title'], status: 200 });
  });

  it('answers a merge the org refuses with success false and the error', async () => {
    const a = await conn.sobject('Lead').create({ LastName: 'Self', Company: 'S' });
    const result = (await conn.soap.merge({ masterRecord: { type: 'Lead', Id: a.id! }, recordToMergeIds: [a.id!] } as never)) as unknown as { success: boolean; errors: Array<{ statusCode: string }> };
    expect(result.success).toBe(false);
    expect(result.errors[0]!.statusCode).toBe('INVALID_ID_FIELD');
  });

  it('answers an unknown operation with a client fault', async () => {
    const res = await fetch(`${LOGIN_URL}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>${conn.accessToken}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><fly xmlns="urn:partner.soap.sforce.com"/></soapenv:Body></soapenv:Envelope>`,
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('<faultcode>soapenv:Client</faultcode>');
  });
});
