/**
 * The Marketo emulator: an in-memory instance with Marketo's REST API,
 * activity log, paging tokens and limits.
 *
 *   import { createMarketo } from 'syncsim/marketo';
 *   const { instance, handlers } = createMarketo({ clock });
 *   const server = setupServer(...handlers);
 *
 * Default credentials (DESIGN §8): client id `syncsim`, secret
 * `syncsim-secret`, at `/identity/oauth/token`. Handlers match paths, so any
 * base URL works; clients default to https://123-ABC-456.mktorest.com.
 */
import type { RequestHandler } from 'msw';
import { createHandle, mswHandlers } from './handlers/index.ts';
import type { MarketoHandle } from './handlers/pipeline.ts';
import type { MarketoOptions } from './instance.ts';
import { MarketoInstance } from './instance.ts';

export interface Marketo {
  instance: MarketoInstance;
  /** msw handlers for `setupServer(...handlers)`. */
  handlers: RequestHandler[];
  /** The single entry every request passes through (wrap it to inject faults, then `mswHandlers(wrapped)`). */
  handle: MarketoHandle;
}

export function createMarketo(opts: MarketoOptions = {}): Marketo {
  const instance = new MarketoInstance(opts);
  const handle = createHandle(instance);
  return { instance, handlers: mswHandlers(handle), handle };
}

export const DEFAULT_MARKETO_BASE_URL = 'https://123-ABC-456.mktorest.com';

export { MarketoInstance, MAX_BATCH, MAX_MERGE_LOSERS, SYNC_ACTIONS } from './instance.ts';
export type { MarketoOptions } from './instance.ts';
export { mswHandlers, createHandle, ROUTES } from './handlers/index.ts';
export type { MarketoHandle } from './handlers/pipeline.ts';
export { MAX_BODY_BYTES, MAX_URI_LENGTH } from './handlers/pipeline.ts';
export { ACTIVITY, STANDARD_TYPES, MAX_CUSTOM_TYPES, MAX_CUSTOM_ATTRIBUTES } from './activities.ts';
export type { NewActivity } from './activities.ts';
export { RATE_LIMIT_CALLS, RATE_WINDOW_MS, MAX_CONCURRENT, DEFAULT_DAILY_QUOTA, UNCOUNTED_CODES } from './limits.ts';
export type { TokenResponse } from './identity.ts';
export { MarketoError } from './types.ts';
export type {
  Activity,
  ActivityAttribute,
  ActivityType,
  ChangeOptions,
  ChangeSource,
  CustomActivityTypeDef,
  CustomFieldSpec,
  FieldDataType,
  FieldDef,
  FieldValue,
  Person,
  PersonInput,
  Reason,
  RequestLogEntry,
  SyncAction,
  SyncResult,
} from './types.ts';
