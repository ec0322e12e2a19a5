import { SalesforceError } from '../types.ts';
import { locate } from './lexer.ts';

/**
 * A query failure. Besides the Salesforce error it carries the fields the
 * query named (canonical spelling where known, else as written), so the
 * request log can show that a rejected query named a hidden field.
 */
export class QueryError extends SalesforceError {
  fieldsRead: string[] = [];
  /** The FROM object as written, when the query parsed that far (the log names it, as for a query answered). */
  object?: string;
}

/**
 * Salesforce's positioned layout:
 * "\n<row text>\n<spaces>^\nERROR at Row:R:Column:C\n<text>", column 1-based.
 * For long one-line queries the real service may show only a window of the
 * row around the error (UNCONFIRMED); we always show the whole row.
 */
export function positioned(code: string, soql: string, offset: number, text: string): QueryError {
  const { row, column, line } = locate(soql, offset);
  const caret = `${' '.repeat(column - 1)}^`;
  return new QueryError(code, `\n${line}\n${caret}\nERROR at Row:${row}:Column:${column}\n${text}`, 400);
}

export function plain(code: string, text: string): QueryError {
  return new QueryError(code, text, 400);
}

export const noSuchColumn = (field: string, entity: string): string =>
  `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append ` +
  `the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;

export const badRelationship = (name: string): string =>
  `Didn't understand relationship '${name}' in field path. If you are attempting to use a custom relationship, be ` +
  `sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call ` +
  `for the appropriate names.`;

export const unsupportedType = (name: string): string =>
  `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the ` +
  `'__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`;
