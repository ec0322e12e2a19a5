/** The scenario language: schema, loader, error formatting and writer. */
export * from './schema.ts';
export { loadScenario, loadScenarios, parseScenario, KNOWN_ACTIVITY_TYPES, KNOWN_SALESFORCE_ERROR_CODES, type LoadResult } from './load.ts';
export { formatError, formatErrors, type ScenarioError, type ScenarioErrorCode } from './errors.ts';
export { formatDuration, writeScenario, writeSteps, type WritableScenario, type WritableStep, type WriteOptions } from './write.ts';
export { FieldCatalogue, mirroredMarketoFields, SALESFORCE_OBJECTS, type SalesforceObject } from './catalogue.ts';
export { applySetup, SetupError, type SetupTarget } from './setup.ts';
export { RefTable, linkOf } from './refs.ts';
// The runner (runner.ts, report.ts) is not re-exported here: it pulls in the World and the engine,
// and served mode imports this module from mocks/, which must stay clear of src/engine.
