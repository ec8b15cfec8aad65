import * as z from 'zod';
import { fn, tokenWindowShape } from './rules.js';
import { type Resolved, schemaFor } from './schemaFor.js';

/** Token options of {@link attachResilience}. */
export interface TokenOptions {
  /** OAuth scopes asked of the provider. Default: `['https://api.partnercenter.microsoft.com/.default']`. */
  readonly scopes?: readonly string[];
  /**
   * Refresh in the background once a token is this close to expiry (ms). For a token living less than twice
   * this, at most half its lifetime (said once in the log). Default: `120000`.
   */
  readonly refreshWindowMs?: number;
  /**
   * Callers wait for a refresh once a token is this close to expiry (ms); at most `refreshWindowMs`, and at
   * most a tenth of a short-lived token's lifetime. Default: `30000`.
   */
  readonly blockingWindowMs?: number;
  /** Most scope+realm tokens cached; the least recently used is dropped beyond it. Default: `10000`. */
  readonly maxEntries?: number;
  /**
   * Maps a call's tenant scope to the token it uses: calls mapped to the same key share one token (and one
   * refresh), and the key is the `scope` the provider is asked for. Partner Center customer calls use the
   * partner's token, so by default every call shares the partner scope's token; an ISV serving several
   * partners through one instance maps each scope to its partner. Default: every scope to the partner scope.
   */
  readonly scopeOf?: (scope: string) => string;
}

/** {@link TokenOptions} with every default filled in (internal); `scopeOf` stays optional. */
export type ResolvedTokenOptions = Omit<Resolved<TokenOptions>, 'scopeOf'> & {
  readonly scopeOf: TokenOptions['scopeOf'];
};

/** The schema of {@link TokenOptions}. */
export const tokenSchema = schemaFor<TokenOptions>()(
  z.strictObject({
    ...tokenWindowShape,
    scopes: z.array(z.string().min(1)).min(1).optional(),
    scopeOf: fn.optional(),
  }),
);
