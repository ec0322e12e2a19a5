/**
 * The SOQL the engine sends, built in one place so it can be read and tested
 * as text. Datetime literals are unquoted, `YYYY-MM-DDTHH:mm:ssZ`
 * (reference §6.5); string literals escape backslash and quote.
 */
import { secondsIso } from './normalize.ts';
import type { SfObject } from './types.ts';

/** SOQL string literal body: backslash and quote escaped. */
export function soqlEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

export function quote(text: string): string {
  return `'${soqlEscape(text)}'`;
}

/**
 * Rows changed after `sinceMs` (or every row on a first run), oldest first;
 * sent as queryAll so deleted and merged-away rows come too.
 */
export function changedRowsQuery(object: SfObject, fields: readonly string[], sinceMs: number | undefined): string {
  const where = sinceMs === undefined ? '' : ` WHERE SystemModstamp > ${secondsIso(sinceMs)}`;
  return `SELECT ${fields.join(', ')} FROM ${object}${where} ORDER BY SystemModstamp, Id`;
}

/** Rows by id (≤200 ids, so the URL stays short). */
export function rowsByIdQuery(object: SfObject, fields: readonly string[], ids: readonly string[]): string {
  return `SELECT ${fields.join(', ')} FROM ${object} WHERE Id IN (${ids.map(quote).join(', ')})`;
}

/**
 * Leads the sync user created since a create was sent, matching what it sent:
 * how a create whose answer was lost is found before it is sent again.
 */
export function createdLeadQuery(p: { sinceMs: number; userId?: string; email?: string | null; lastName?: string | null; company?: string | null }): string {
  const conds = [`CreatedDate >= ${secondsIso(p.sinceMs)}`];
  if (p.userId) conds.push(`CreatedById = ${quote(p.userId)}`);
  if (p.email) conds.push(`Email = ${quote(p.email)}`);
  else {
    conds.push(p.lastName ? `LastName = ${quote(p.lastName)}` : 'LastName = null');
    conds.push(p.company ? `Company = ${quote(p.company)}` : 'Company = null');
  }
  return `SELECT Id FROM Lead WHERE ${conds.join(' AND ')} ORDER BY CreatedDate, Id`;
}

/**
 * Setup changes (SetupAuditTrail) made after `sinceMs`, oldest first: field access, custom fields, validation
 * rules. Sent as query, not queryAll: the object supports query() and retrieve() only.
 */
export function setupChangesQuery(sinceMs: number): string {
  return `SELECT Id, Action, CreatedDate FROM SetupAuditTrail WHERE CreatedDate > ${secondsIso(sinceMs)} ORDER BY CreatedDate, Id`;
}
