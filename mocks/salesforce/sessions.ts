/**
 * Session tokens. Deterministic (a counter hashed into Salesforce-looking
 * characters: `00D…!AQ…`) and expiring after a period of inactivity on the
 * org's clock, like a real session's timeout.
 */
import { hash32 } from '../../src/sim/rng.ts';
import type { Clock } from '../../src/sim/clock.ts';

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

/** Tokens by org and number: every org of a campaign has the same id and counts from 1, so they repeat. */
const tokenTexts = new Map<string, string>();
const TOKENS_KEPT = 1000;

/** The n-th session token of an org (97 hashes: worth writing once). */
function tokenText(orgId15: string, n: number): string {
  const key = `${orgId15}/session/${n}`;
  let token = tokenTexts.get(key);
  if (token === undefined) {
    let body = '';
    let h = hash32(key);
    while (body.length < 96) {
      h = hash32(`${h}/${body.length}`);
      body += CHARS[(h >>> 0) % CHARS.length];
    }
    token = `${orgId15}!AQ${body}`;
    if (tokenTexts.size >= TOKENS_KEPT) tokenTexts.clear();
    tokenTexts.set(key, token);
  }
  return token;
}

interface Session {
  userId: string;
  lastUsed: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private counter = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly orgId15: string,
    readonly ttlMs: number,
  ) {}

  open(userId: string): string {
    const token = tokenText(this.orgId15, ++this.counter);
    this.sessions.set(token, { userId, lastUsed: this.clock.now() });
    return token;
  }

  /** The user of a live session (touching it), or undefined when unknown or idle for `ttlMs` or more. */
  userOf(token: string): string | undefined {
    const s = this.sessions.get(token);
    if (!s) return undefined;
    const now = this.clock.now();
    if (now - s.lastUsed >= this.ttlMs) {
      this.sessions.delete(token);
      return undefined;
    }
    s.lastUsed = now;
    return s.userId;
  }

  close(token: string): void {
    this.sessions.delete(token);
  }

  expireAll(): void {
    this.sessions.clear();
  }
}
