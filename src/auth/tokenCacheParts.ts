import * as z from 'zod';
import type { CallInfo } from '../observability/callInfo.js';
import { OPTION_DEFAULTS } from '../options/defaults.js';
import { durationMs, issueLines, tokenWindowIssue, tokenWindowShape } from '../options/rules.js';
import type { TokenCacheOptions, TokenRefreshEvent, TokenRefreshReason } from './tokenCacheTypes.js';

// The token cache's small pieces: its settings, keys and events.

/** The cache key of a scope and realm. */
export function keyOf(scope: string, realm: string | undefined): string {
  return realm === undefined ? scope : `${scope}\u0000${realm}`;
}

/** The cache's options checked by the options module's rules, over the shared defaults. */
const settingsSchema = z.object({
  ...tokenWindowShape,
  refreshRetryIntervalMs: durationMs().optional(),
});

/** The cache's options, checked and filled in (throws RangeError naming the problem). */
export function cacheSettings(options: TokenCacheOptions) {
  const parsed = settingsSchema.safeParse(options);
  if (!parsed.success) throw new RangeError(issueLines(parsed.error.issues).join('; '));
  const defaults = OPTION_DEFAULTS.token;
  const settings = {
    refreshWindowMs: parsed.data.refreshWindowMs ?? defaults.refreshWindowMs,
    blockingWindowMs: parsed.data.blockingWindowMs ?? defaults.blockingWindowMs,
    refreshRetryIntervalMs: parsed.data.refreshRetryIntervalMs ?? defaults.refreshRetryIntervalMs,
    maxEntries: parsed.data.maxEntries ?? defaults.maxEntries,
  };
  const issue = tokenWindowIssue(settings.refreshWindowMs, settings.blockingWindowMs, '');
  if (issue !== undefined) throw new RangeError(issue);
  return settings;
}

/** The frozen event of one provider call (never a token). */
export function eventOf(
  entry: { readonly scope: string; readonly realm: string | undefined },
  reason: TokenRefreshReason,
  durationMs: number,
  outcome: 'success' | 'failure',
  error?: unknown,
  asked?: CallInfo | (() => CallInfo),
): TokenRefreshEvent {
  const call = typeof asked === 'function' ? asked() : asked;
  const base = {
    scope: entry.scope,
    realm: entry.realm,
    reason,
    durationMs: Math.max(0, durationMs),
    outcome,
    ...(call === undefined ? {} : { call }),
  };
  return Object.freeze(error === undefined ? base : { ...base, error });
}
