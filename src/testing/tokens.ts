import type { SeededRandom } from './rng.js';

/** Options of {@link PartnerCenterSimulator.issueToken}. */
export interface IssueTokenOptions {
  /** Lifetime in ms on the injected clock. Default: `scenario.auth.tokenLifetimeMs`, else one hour. */
  readonly lifetimeMs?: number;
  /**
   * Tenant the token is for. A token for another tenant than the scenario's partner is rejected with the
   * 401 realm challenge, as when a client asked for a token in the wrong tenant. Default: the partner id.
   */
  readonly tenant?: string;
}

interface Token {
  readonly expiresAt: number;
  readonly tenant: string;
}

/** Expired tokens are pruned once this many are held. */
const TOKENS_PRUNE_AT = 10_000;

/** The bearer tokens the simulator issued, and the check of an `Authorization` header against them. */
export class TokenRegistry {
  private readonly tokens = new Map<string, Token>();
  private counter = 0;

  constructor(private readonly random: SeededRandom) {}

  /** Issues a token valid until `now + lifetimeMs` for `tenant`. */
  issue(now: number, lifetimeMs: number, tenant: string): string {
    if (this.tokens.size >= TOKENS_PRUNE_AT) {
      for (const [value, token] of this.tokens) if (token.expiresAt <= now) this.tokens.delete(value);
    }
    this.counter++;
    const value = `pcsim.${this.counter}.${this.random.hex(32)}`;
    this.tokens.set(value, { expiresAt: now + lifetimeMs, tenant: tenant.toLowerCase() });
    return value;
  }

  /** What is wrong with an `Authorization` header value (as Partner Center words it), or undefined. */
  check(authorization: string | undefined, now: number, partnerId: string): string | undefined {
    if (authorization === undefined) return 'Partner Token missing in request context';
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] === undefined) return 'Partner Token missing in request context';
    const token = this.tokens.get(match[1]);
    if (token === undefined) return 'The access token is not valid.';
    if (now >= token.expiresAt) return 'The access token has expired.';
    if (token.tenant !== partnerId) return 'The access token was issued for another tenant.';
    return undefined;
  }
}
