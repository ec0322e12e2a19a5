/** The sync engine's public surface. */
export { SyncEngine, MUTANTS, checkMutant } from './engine.ts';
export { soqlEscape, changedRowsQuery, rowsByIdQuery, createdLeadQuery } from './soql.ts';
export { FAILURE_ACTIVITY, FailureLog } from './failure-log.ts';
export type { EngineOptions, CycleReport, SyncPersonResult, MutantName } from './engine.ts';
export { MemoryStateStore, FileStateStore, emptyState, failureKey } from './state-store.ts';
export type { StateStore, EngineState, LinkState, PendingFailure, PendingPerson } from './state-store.ts';
export { STANDARD_FIELD_PAIRS, LINK_FIELDS, resolveFieldSet } from './field-map.ts';
export { mergeFields, winnerFor, DEFAULT_WINNER } from './merge.ts';
export { canon, toMarketo, toSalesforce, sameValue } from './normalize.ts';
export { Schedule, DEFAULT_INTERVAL_MS } from './schedule.ts';
export { withRetry, backoffDelay, DEFAULT_RETRY, ApiError, QuotaExhausted } from './retry.ts';
export type { RetryPolicy } from './retry.ts';
export { SalesforceClient, DEFAULT_SALESFORCE, SF_BATCH } from './salesforce.ts';
export type { SalesforceConfig } from './salesforce.ts';
export { MarketoClient, DEFAULT_MARKETO_BASE_URL, MKTO_BATCH } from './marketo.ts';
export type { MarketoConfig } from './marketo.ts';
export type { TraceEvent, Trace, WinnerPolicy, Side, SfObject, Canon, MappedField } from './types.ts';
