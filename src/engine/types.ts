/**
 * Shared vocabulary of the sync engine. No logic here.
 */

/** The two Salesforce objects that sync with Marketo persons. */
export type SfObject = 'Lead' | 'Contact';
export const SF_OBJECTS: readonly SfObject[] = ['Lead', 'Contact'];

/** Which system a value or a win comes from. */
export type Side = 'marketo' | 'salesforce';

/**
 * A value in the engine's own type system (see normalize.ts): the common
 * ground between Salesforce API values and Marketo REST values. Blank text is
 * null, numbers are numbers, booleans are booleans, dates 'YYYY-MM-DD',
 * datetimes 'YYYY-MM-DDTHH:mm:ssZ'.
 */
export type Canon = string | number | boolean | null;

/** Coarse value kinds both type systems map onto. */
export type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

/** One synced field: a Salesforce field and the Marketo field it pairs with, as the sync user sees it. */
export interface MappedField {
  /** Salesforce API name (canonical describe spelling). */
  sf: string;
  /** Marketo REST name. */
  mkto: string;
  kind: ValueKind;
  /** The sync user may create/update it (field-level security and describe flags). */
  createable: boolean;
  updateable: boolean;
  /** Marketo accepts writes to it through the REST API. */
  mktoWritable: boolean;
}

/** `Lead.Title` style key for per-field winner overrides. */
export type FieldKey = `${SfObject}.${string}`;

export interface WinnerPolicy {
  Lead?: Side;
  Contact?: Side;
  fields?: Partial<Record<FieldKey, Side>>;
}

/** Something the engine decided or did, for the simulator's timeline. */
export type TraceEvent =
  | { type: 'cycle-start'; at: number; cycle: number }
  | { type: 'cycle-end'; at: number; cycle: number; ok: boolean; error?: string; sfCalls: number; mktoCalls: number }
  | { type: 'describe'; at: number; object: SfObject; readable: string[]; updateable: string[] }
  | {
      type: 'field';
      at: number;
      personId: number;
      sfId: string;
      object: SfObject;
      field: string;
      decision: 'to-salesforce' | 'to-marketo' | 'agree';
      winner?: Side;
      reason: string;
      value: Canon;
    }
  | { type: 'write'; at: number; system: Side; operation: string; object?: string; count: number; ok: number; failed: number }
  | { type: 'link'; at: number; personId: number; object: SfObject; sfId: string; reason: string }
  | { type: 'unlink'; at: number; personId: number; sfId: string; reason: string }
  | { type: 'rejection'; at: number; personId: number; sfId?: string; operation: string; errorCode: string; message: string; fields: string[]; logged: boolean }
  | { type: 'retry'; at: number; system: Side; operation: string; attempt: number; delayMs: number; error: string }
  | { type: 'skip'; at: number; personId?: number; sfId?: string; reason: string }
  | { type: 'quota'; at: number; system: Side; until: number };

export type Trace = (event: TraceEvent) => void;
