/**
 * The control API's own answers: JSON, `{ error: { code, message } }` for a
 * refusal, and request bodies read with errors that name what is wrong.
 */
import { parseDuration } from '../../src/sim/clock.ts';

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };

export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export function ok(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, null, 2) + '\n', { status, headers: JSON_TYPE });
}

export function failure(err: ControlError): Response {
  return ok({ error: { code: err.code, message: err.message, ...(err.details ?? {}) } }, err.status);
}

/** A plain object body (or `{}` for none). Anything else is the client's mistake, named. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') return {};
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (type && !type.includes('json')) {
    throw new ControlError(415, 'UNSUPPORTED_MEDIA_TYPE', `send JSON with Content-Type: application/json (got ${type})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ControlError(400, 'INVALID_JSON', `the body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ControlError(400, 'INVALID_BODY', 'the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function text(body: Record<string, unknown>, key: string, where: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new ControlError(400, 'MISSING_ARGUMENT', `${where}: \`${key}\` is required (text)`);
  return v;
}

export function optionalText(body: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ControlError(400, 'INVALID_ARGUMENT', `${where}: \`${key}\` must be text`);
  return v;
}

export function fieldsOf(body: Record<string, unknown>, where: string): Record<string, unknown> {
  const v = body['fields'];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new ControlError(400, 'MISSING_ARGUMENT', `${where}: \`fields\` is required, a JSON object of field: value`);
  }
  return v as Record<string, unknown>;
}

/** `300000`, `"5m"`, `"1h30m"` → ms. */
export function durationOf(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    try {
      return parseDuration(value);
    } catch (e) {
      throw new ControlError(400, 'INVALID_ARGUMENT', `${where}: ${(e as Error).message}`);
    }
  }
  throw new ControlError(400, 'INVALID_ARGUMENT', `${where}: expected a duration like "5m" or a number of milliseconds`);
}
