/**
 * The engine's memory (DESIGN §4 "State"): links, ancestors, watermarks,
 * pending failures and what was already logged.
 *
 * The engine saves a whole snapshot at each commit point, always *before* it
 * moves a watermark, so a crash between any two requests restarts from a
 * state that is at worst one step behind; every step is idempotent (echoes
 * merge to nothing, people are created with an upsert on their Salesforce id,
 * leads only after a look-up), so replaying it loses and duplicates nothing.
 *
 * Two stores:
 * - `MemoryStateStore` for the simulator: keeps the snapshot as JSON text, so
 *   a restarted engine never shares live objects with the dead one.
 * - `FileStateStore` for real runs: one JSON file, written to a temporary file,
 *   fsynced and renamed over the old one. rename(2) is atomic on POSIX file
 *   systems, so a crash leaves either the old or the new snapshot, never a torn
 *   one. Chosen over an embedded database because it needs no native build
 *   step and no dependency, and the state (one small entry per linked person)
 *   is read once at start and written a few times per cycle.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Canon, SfObject } from './types.ts';

/** A Salesforce rejection kept until the record syncs. */
export interface PendingFailure {
  operation: 'create' | 'update';
  errorCode: string;
  message: string;
  fields: string[];
  since: number;
}

/** One person ⇄ record pair. */
export interface LinkState {
  personId: number;
  object: SfObject;
  /** The record the person syncs with now (the contact after a conversion). */
  sfId: string;
  leadId?: string;
  contactId?: string;
  accountId?: string;
  /** Last agreed canonical value per Salesforce field name (the common ancestor). */
  ancestor: Record<string, Canon>;
  /** The record was deleted in Salesforce; the person carries sfdcIsDeleted. */
  deleted?: boolean;
  /** A standing rejection: the pair is retried every cycle until it syncs. */
  failure?: PendingFailure;
  /** A transient failure left this pair half done; retried next cycle. */
  retry?: boolean;
  /** Keys of failures already written to the person's activity log (see failureKey). */
  logged: string[];
}

/** A person Sync Person to SFDC was asked for that has no lead yet. */
export interface PendingPerson {
  personId: number;
  /** Set right before a create is sent; cleared once its outcome is known. */
  createStartedAt?: number;
  /** What the create sent, to find the lead if Salesforce committed it but the answer was lost. */
  email?: string | null;
  lastName?: string | null;
  company?: string | null;
  failure?: PendingFailure;
  logged: string[];
}

export interface EngineState {
  version: 1;
  /** By Marketo person id. */
  links: Record<string, LinkState>;
  pendingPeople: Record<string, PendingPerson>;
  /** Highest SystemModstamp fully processed, per object (Salesforce datetime string). */
  sfWatermark: Partial<Record<SfObject, string>>;
  /** Paging token of leadchanges.json past everything processed. */
  marketoToken?: string;
  /** Marketo said 607: no Marketo calls before this time. */
  marketoQuotaUntil?: number;
  /** When this state was first created: the Marketo change feed starts here. */
  startedAt?: number;
  /** Salesforce records Marketo could not take (or whose person vanished): read again next cycle. */
  sfRetry?: Record<string, SfObject>;
}

export function emptyState(): EngineState {
  return { version: 1, links: {}, pendingPeople: {}, sfWatermark: {} };
}

export interface StateStore {
  /** The last saved snapshot, or undefined for a fresh start. */
  load(): Promise<EngineState | undefined>;
  /** Replaces the snapshot; resolves once it is durable. */
  save(state: EngineState): Promise<void>;
}

export class MemoryStateStore implements StateStore {
  private text: string | undefined;
  saves = 0;

  async load(): Promise<EngineState | undefined> {
    return this.text === undefined ? undefined : (JSON.parse(this.text) as EngineState);
  }

  async save(state: EngineState): Promise<void> {
    this.text = JSON.stringify(state);
    this.saves++;
  }

  /** The saved snapshot (a copy), for tests and the simulator's invariants. */
  snapshot(): EngineState | undefined {
    return this.text === undefined ? undefined : (JSON.parse(this.text) as EngineState);
  }
}

export class FileStateStore implements StateStore {
  constructor(readonly path: string) {}

  async load(): Promise<EngineState | undefined> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`state file ${this.path} is not valid JSON; restore it from a backup or delete it to start over`);
    }
    const state = parsed as Partial<EngineState>;
    if (state.version !== 1 || typeof state.links !== 'object') {
      throw new Error(`state file ${this.path} has an unknown layout (version ${String(state.version)})`);
    }
    return state as EngineState;
  }

  async save(state: EngineState): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    // fsync the directory so the rename itself survives a power loss.
    try {
      const dfd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // Some platforms cannot open a directory; the rename is still atomic.
    }
  }
}

/** Two failures are "the same" when operation, code, message and fields match: one activity each. */
export function failureKey(f: Pick<PendingFailure, 'operation' | 'errorCode' | 'message' | 'fields'>): string {
  return JSON.stringify([f.operation, f.errorCode, f.message, [...f.fields].sort()]);
}
