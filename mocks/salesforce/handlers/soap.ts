/**
 * The partner SOAP endpoint `/services/Soap/u/{version}`: `login` (what
 * jsforce's `conn.login(u, p)` does without OAuth client settings),
 * `logout`, and the two calls REST lacks, `convertLead` and `merge`
 * (`conn.soap.convertLead`, `conn.soap.merge`). Replies use the partner
 * WSDL's element names; faults are HTTP 500 with `sf:CODE` faultcodes,
 * which is what jsforce tests for (INVALID_SESSION_ID triggers its refresh).
 */
import { http, type HttpHandler } from 'msw';
import type { ConvertLeadOptions, OrgApi, SaveError, SfUser } from '../types.ts';
import { SalesforceError } from '../types.ts';
import { wrap, type SalesforceHttp } from './context.ts';
import { xml } from './respond.ts';
import { requestText } from '../../request-text.ts';
import { MAX_VERSION, MIN_VERSION } from './rest.ts';
import { child, childText, childrenNamed, element, escapeXml, isNil, parseXml, XmlSyntaxError, type XmlElement } from './xml.ts';

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
  ' xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function reply(operation: string, inner: string): Response {
  return xml(`${ENVELOPE_OPEN}><soapenv:Body><${operation}Response>${inner}</${operation}Response></soapenv:Body></soapenv:Envelope>`);
}

/** A SOAP fault: HTTP 500, `faultcode` `sf:CODE` (or `soapenv:Client` for unreadable requests). */
export function soapFault(code: string, message: string, faultType = 'UnexpectedErrorFault'): Response {
  const faultcode = code.includes(':') ? code : `sf:${code}`;
  const bare = code.includes(':') ? code.split(':')[1]! : code;
  const detail = code.includes(':')
    ? ''
    : `<detail><sf:${faultType} xsi:type="sf:${faultType}"><sf:exceptionCode>${escapeXml(bare)}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:${faultType}></detail>`;
  const faultstring = code.includes(':') ? message : `${bare}: ${message}`;
  return xml(
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
      ' xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<soapenv:Body><soapenv:Fault><faultcode>${escapeXml(faultcode)}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring>` +
      `${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    500,
  );
}

const INVALID_LOGIN = 'Invalid username, password, security token; or user locked out.';
const INVALID_SESSION = 'Invalid Session ID found in SessionHeader: Illegal Session';

function errorsXml(errors: SaveError[]): Record<string, unknown>[] {
  return errors.map((e) => ({ fields: e.fields, message: e.message, statusCode: e.statusCode }));
}

/** SOAP text → API value, by the field's type (booleans and numbers arrive as text). */
function soapValue(org: OrgApi, object: string, field: string, el: XmlElement): unknown {
  if (isNil(el)) return null;
  const def = org.objectDef(object)?.fields.get(field.toLowerCase());
  const text = el.text;
  switch (def?.type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    default:
      return text === '' ? null : text;
  }
}

function flag(el: XmlElement, name: string): boolean | undefined {
  const v = childText(el, name);
  return v === undefined ? undefined : v === 'true';
}

interface SoapCall {
  sf: SalesforceHttp;
  request: Request;
  version: string;
  body: XmlElement;
  operation: XmlElement;
  sessionId: string | undefined;
}

function login(call: SoapCall): Response {
  const { sf, request, version } = call;
  const username = childText(call.operation, 'username') ?? '';
  const password = childText(call.operation, 'password') ?? '';
  const user = sf.org.userByUsername(username);
  const ok = user !== undefined && user.password === password;
  sf.org.logRequest({
    user: ok ? user.id : null,
    method: 'POST',
    path: new URL(request.url).pathname,
    operation: 'login',
    fieldsRead: [],
    fieldsWritten: [],
    status: ok ? 200 : 500,
    errorCodes: ok ? [] : ['INVALID_LOGIN'],
  });
  if (!ok) return soapFault('INVALID_LOGIN', INVALID_LOGIN, 'LoginFault');
  const sessionId = sf.org.openSession(user.id);
  const origin = new URL(request.url).origin;
  const orgId = sf.org.orgId;
  const result = {
    metadataServerUrl: `${origin}/services/Soap/m/${version}/${orgId.slice(0, 15)}`,
    passwordExpired: false,
    sandbox: false,
    serverUrl: `${origin}/services/Soap/u/${version}/${orgId.slice(0, 15)}`,
    sessionId,
    userId: user.id,
    userInfo: userInfo(sf, user),
  };
  return reply('login', element('result', result));
}

function userInfo(sf: SalesforceHttp, user: SfUser): Record<string, unknown> {
  return {
    accessibilityMode: false,
    chatterExternal: false,
    currencySymbol: '$',
    orgAttachmentFileSizeLimit: 5242880,
    orgDefaultCurrencyIsoCode: 'USD',
    orgDefaultCurrencyLocale: 'en_US',
    orgDisallowHtmlAttachments: false,
    orgHasPersonAccounts: false,
    organizationId: sf.org.orgId,
    organizationMultiCurrency: false,
    organizationName: 'syncsim',
    profileId: null,
    roleId: null,
    sessionSecondsValid: Math.round(sf.sessionTtlMs / 1000),
    userDefaultCurrencyIsoCode: null,
    userEmail: user.username,
    userFullName: user.name,
    userId: user.id,
    userLanguage: 'en_US',
    userLocale: 'en_US',
    userName: user.username,
    userTimeZone: 'America/Los_Angeles',
    userType: 'Standard',
    userUiSkin: 'Theme3',
  };
}

/** The user behind the SessionHeader, or undefined. */
function sessionUser(call: SoapCall): SfUser | undefined {
  return call.sessionId ? call.sf.sessionUser(call.sessionId) : undefined;
}

function convertLead(call: SoapCall, user: SfUser, log: LogDraft): Response {
  const { org } = call.sf;
  const requests = childrenNamed(call.operation, 'leadConverts');
  if (requests.length > 200) throw new SalesforceError('LIMIT_EXCEEDED', 'Exceeded max size limit of 200', 500);
  log.object = 'Lead';
  log.records = requests.length;
  const results = requests.map((req) => {
    const leadId = childText(req, 'leadId') ?? '';
    const opts: ConvertLeadOptions = {};
    const convertedStatus = childText(req, 'convertedStatus');
    if (convertedStatus) opts.convertedStatus = convertedStatus;
    const accountId = childText(req, 'accountId');
    if (accountId) opts.accountId = accountId;
    const contactId = childText(req, 'contactId');
    if (contactId) opts.contactId = contactId;
    const ownerId = childText(req, 'ownerId');
    if (ownerId) opts.ownerId = ownerId;
    const opportunityName = childText(req, 'opportunityName');
    if (opportunityName) opts.opportunityName = opportunityName;
    const noOpp = flag(req, 'doNotCreateOpportunity');
    if (noOpp !== undefined) opts.doNotCreateOpportunity = noOpp;
    const overwrite = flag(req, 'overwriteLeadSource');
    if (overwrite !== undefined) opts.overwriteLeadSource = overwrite;
    const r = org.convertLead(leadId, user.id, opts);
    for (const e of r.errors) log.errorCodes.push(e.statusCode);
    return {
      accountId: r.accountId,
      contactId: r.contactId,
      errors: errorsXml(r.errors),
      leadId: r.leadId,
      opportunityId: r.opportunityId,
      success: r.success,
    };
  });
  return reply('convertLead', element('result', results));
}

function merge(call: SoapCall, user: SfUser, log: LogDraft): Response {
  const { org } = call.sf;
  const requests = childrenNamed(call.operation, 'mergeRequests');
  if (requests.length > 200) throw new SalesforceError('LIMIT_EXCEEDED', 'Exceeded max size limit of 200', 500);
  log.records = requests.length;
  const results = requests.map((req) => {
    const master = child(req, 'masterRecord');
    const object = childText(master, 'type') ?? '';
    log.object ??= object;
    const masterId = childText(master, 'Id') ?? childText(master, 'id') ?? '';
    const fields: Record<string, unknown> = {};
    for (const el of master?.children ?? []) {
      if (el.name === 'type' || el.name === 'Id' || el.name === 'id') continue;
      if (el.name === 'fieldsToNull') fields[el.text] = null;
      else fields[el.name] = soapValue(org, object, el.name, el);
    }
    log.fieldsWritten.push(...Object.keys(fields));
    const loserIds = childrenNamed(req, 'recordToMergeIds').map((el) => el.text);
    const r = org.merge(object, masterId, loserIds, user.id, Object.keys(fields).length > 0 ? fields : undefined);
    for (const e of r.errors) log.errorCodes.push(e.statusCode);
    return {
      errors: errorsXml(r.errors),
      id: r.id,
      mergedRecordIds: r.mergedRecordIds,
      success: r.success,
      updatedRelatedIds: r.updatedRelatedIds,
    };
  });
  return reply('merge', element('result', results));
}

interface LogDraft {
  object?: string;
  records?: number;
  fieldsWritten: string[];
  errorCodes: string[];
}

/** Calls that need a session: logout, convertLead, merge. */
function sessionCall(call: SoapCall): Response {
  const { sf, request } = call;
  const name = call.operation.name;
  const user = sessionUser(call);
  const log: LogDraft = { fieldsWritten: [], errorCodes: [] };
  const finish = (response: Response): Response => {
    sf.org.logRequest({
      user: user?.id ?? null,
      method: 'POST',
      path: new URL(request.url).pathname,
      operation: name,
      ...(log.object !== undefined ? { object: log.object } : {}),
      fieldsRead: [],
      fieldsWritten: [...new Set(log.fieldsWritten)],
      status: response.status,
      errorCodes: [...new Set(log.errorCodes)],
      ...(log.records !== undefined ? { records: log.records } : {}),
    });
    return response;
  };
  if (!user) {
    log.errorCodes.push('INVALID_SESSION_ID');
    return finish(soapFault('INVALID_SESSION_ID', INVALID_SESSION));
  }
  if (name === 'logout') {
    sf.closeSession(call.sessionId!);
    return finish(reply('logout', ''));
  }
  if (!sf.org.countApiRequest()) {
    log.errorCodes.push('REQUEST_LIMIT_EXCEEDED');
    return finish(soapFault('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
  }
  try {
    if (name === 'convertLead') return finish(convertLead(call, user, log));
    if (name === 'merge') return finish(merge(call, user, log));
  } catch (err) {
    if (err instanceof SalesforceError) {
      log.errorCodes.push(err.errorCode);
      return finish(soapFault(err.errorCode, err.message));
    }
    throw err;
  }
  log.errorCodes.push('INVALID_OPERATION');
  return finish(soapFault('soapenv:Client', `No operation available for request {urn:partner.soap.sforce.com}${name}`));
}

function parseVersionSegment(v: string | undefined): string | undefined {
  const m = /^(\d{2})\.0$/.exec(v ?? '');
  return m && Number(m[1]) >= MIN_VERSION && Number(m[1]) <= MAX_VERSION ? `${Number(m[1])}.0` : undefined;
}

async function handleSoap(sf: SalesforceHttp, request: Request, versionParam: string | undefined): Promise<Response> {
  const version = parseVersionSegment(versionParam);
  if (!version) return soapFault('UNSUPPORTED_API_VERSION', 'Invalid Api version specified on URL');
  let envelope: XmlElement;
  try {
    envelope = parseXml(await requestText(request));
  } catch (err) {
    if (err instanceof XmlSyntaxError) return soapFault('soapenv:Client', `Unable to parse the request: ${err.message}`);
    throw err;
  }
  const body = child(envelope, 'Body');
  const operation = body?.children[0];
  if (envelope.name !== 'Envelope' || !body || !operation) {
    return soapFault('soapenv:Client', 'Unable to find a SOAP Envelope with a Body holding one operation');
  }
  const sessionId = childText(child(child(envelope, 'Header'), 'SessionHeader'), 'sessionId')?.trim();
  const call: SoapCall = { sf, request, version, body, operation, sessionId };
  if (operation.name === 'login') return login(call);
  return sessionCall(call);
}

export function soapHandlers(sf: SalesforceHttp): HttpHandler[] {
  const resolve = wrap(sf, ({ request, params }) => handleSoap(sf, request, typeof params['version'] === 'string' ? params['version'] : undefined));
  return [
    http.post('*/services/Soap/u/:version', resolve),
    // serverUrl from the login reply carries the org id; clients may post there too.
    http.post('*/services/Soap/u/:version/:orgId', resolve),
  ];
}
