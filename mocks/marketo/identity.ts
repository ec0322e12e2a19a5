/**
 * Marketo Identity (reference B1): client-credentials tokens that live
 * 3600 s on the instance's clock. Asking again before expiry returns the
 * same token with the time it has left; an expired token stays known so a
 * call with it answers 602 (expired) rather than 601 (invalid).
 */
import type { Clock } from '../../src/sim/clock.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
}

export type TokenState = 'valid' | 'expired' | 'unknown';

export class Identity {
  private current: { token: string; expiresAt: number } | undefined;
  private readonly expiries = new Map<string, number>();
  private issued = 0;

  constructor(
    private readonly clock: Clock,
    readonly clientId: string,
    readonly clientSecret: string,
    readonly ttlSeconds: number,
    readonly scope: string,
  ) {}

  /** A token for these credentials, or undefined when they are wrong. */
  token(clientId: string | null, clientSecret: string | null): TokenResponse | undefined {
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) return undefined;
    const now = this.clock.now();
    if (!this.current || now >= this.current.expiresAt) {
      this.issued++;
      const hex = (this.issued * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0');
      const token = `${hex}-${this.issued.toString(16).padStart(4, '0')}-4155-99a7-${(this.issued * 7919).toString(16).padStart(12, '0')}:ab`;
      this.current = { token, expiresAt: now + this.ttlSeconds * 1000 };
      this.expiries.set(token, this.current.expiresAt);
    }
    return {
      access_token: this.current.token,
      token_type: 'bearer',
      expires_in: Math.max(0, Math.floor((this.current.expiresAt - now) / 1000)),
      scope: this.scope,
    };
  }

  check(token: string): TokenState {
    const expiresAt = this.expiries.get(token);
    if (expiresAt === undefined) return 'unknown';
    return this.clock.now() >= expiresAt ? 'expired' : 'valid';
  }

  /** Ends every token now (a control-API or fault helper). */
  expireAll(): void {
    const now = this.clock.now();
    for (const t of this.expiries.keys()) this.expiries.set(t, Math.min(this.expiries.get(t)!, now));
    if (this.current) this.current.expiresAt = Math.min(this.current.expiresAt, now);
  }
}
