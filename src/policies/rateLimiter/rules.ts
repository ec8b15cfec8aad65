import type { LimitLevel } from '../../stores/rateLimitProtocol.js';

/** Which level a 429 is charged to (`RateLimitOptions.throttleLevel`); `'auto'` decides per 429. */
export type ThrottleLevel = 'auto' | LimitLevel;

/** A static rate limit: `perMinute` requests per minute for each scope of `scope`'s level. */
export interface RateLimitRule {
  /** The level of the scope hierarchy the rule applies to: partner > customer > operation. */
  readonly scope: 'partner' | 'customer' | 'operation';
  readonly perMinute: number;
  /**
   * Calls a scope may make at once; less than `perMinute`. Default: one second's worth (`floor(perMinute / 60)`,
   * at least 1). The bucket then fills at `perMinute - burst` per minute, so that no 60 s window holds more
   * than `perMinute` calls.
   */
  readonly burst?: number;
  /** Which calls the rule applies to; an omitted field matches every call. Default: every call. */
  readonly match?: {
    /** HTTP method, case-insensitive. */
    readonly method?: string;
    /**
     * A path template prefix, compared segment by segment with the call's path template; a `{name}` segment
     * matches any one segment. `'/v1/customers/{id}/orders'` matches `/v1/customers/{id}/orders/{orderId}`.
     */
    readonly path?: string;
  };
  /** Rules with different names at one level keep separate buckets. Default: the rule's position. */
  readonly name?: string;
}

/** Which calls a rule applies to (a rule's `match`). */
export type RuleMatch = NonNullable<RateLimitRule['match']>;

/** Compiles only while a rule's `scope` (spelt out for the public API) is a {@link LimitLevel}. */
const _scopeIsLimitLevel: [LimitLevel, RateLimitRule['scope']] extends [RateLimitRule['scope'], LimitLevel]
  ? true
  : never = true;

/**
 * Partner Center documents "a rate limit of 500 requests per minute per tenant identifier" for the Customer,
 * Subscription and Order resources: one bucket per customer tenant for each, the most specific match wins.
 */
export const DEFAULT_RATE_LIMIT_RULES: readonly RateLimitRule[] = [
  {
    scope: 'customer',
    perMinute: 500,
    name: 'subscriptions',
    match: { path: '/v1/customers/{id}/subscriptions' },
  },
  { scope: 'customer', perMinute: 500, name: 'orders', match: { path: '/v1/customers/{id}/orders' } },
  { scope: 'customer', perMinute: 500, name: 'customers', match: { path: '/v1/customers' } },
];

/** The rule chosen for one level of a call, with the name its bucket is keyed by. */
export interface ChosenRule {
  readonly rule: RateLimitRule;
  readonly name: string;
}

/** True when `rule` applies to a call with `method` and path template `template`. */
export function ruleMatches(rule: RateLimitRule, method: string, template: string): boolean {
  const match = rule.match;
  if (match === undefined) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  const want = segments(match.path);
  const have = segments(template);
  if (want.length > have.length) return false;
  return want.every((part, i) => isParameter(part) || part.toLowerCase() === have[i]?.toLowerCase());
}

/**
 * The rule for `level`: the last matching user rule (user rules override), else the first matching default
 * (defaults are listed most specific first). `undefined`: the level has no static limit for this call.
 */
export function chooseRule(
  level: LimitLevel,
  userRules: readonly RateLimitRule[],
  defaults: readonly RateLimitRule[],
  method: string,
  template: string,
): ChosenRule | undefined {
  for (let i = userRules.length - 1; i >= 0; i -= 1) {
    const rule = userRules[i];
    if (rule?.scope === level && ruleMatches(rule, method, template))
      return { rule, name: rule.name ?? `user${i}` };
  }
  for (const [i, rule] of defaults.entries()) {
    if (rule.scope === level && ruleMatches(rule, method, template))
      return { rule, name: rule.name ?? `default${i}` };
  }
  return undefined;
}

/**
 * A rule's fill rate (requests/s) and capacity: a full bucket plus a minute's fill is `perMinute` calls, so no
 * 60 s window holds more. A rule of at most one call a minute (its default burst of 1 is all of it) fills at
 * half its rate: one call, then the next after two minutes' worth, never two in one minute.
 */
export function ruleBucket(rule: RateLimitRule): { ratePerSecond: number; capacity: number } {
  const capacity = Math.max(1, rule.burst ?? Math.floor(rule.perMinute / 60));
  const perMinute = capacity < rule.perMinute ? rule.perMinute - capacity : rule.perMinute / 2;
  return { ratePerSecond: perMinute / 60, capacity };
}

/**
 * The template of a request path: each segment that is not a word (letters, `_`, `-`, starting with a letter)
 * or an API version (`v1`, `v1.0`) becomes `{id}` (GUIDs, domain names, offer ids); words are lower-cased, the
 * query and fragment are dropped. `/v1/customers/4b3f.../Subscriptions?x=1` -> `/v1/customers/{id}/subscriptions`.
 * Character by character (it runs for every new URL: no regular expression, no array of segments).
 */
export function pathTemplate(path: string): string {
  let end = path.length;
  for (let i = 0; i < end; i += 1) {
    const c = path.charCodeAt(i);
    if (c === QUESTION || c === HASH) end = i;
  }
  let template = '';
  let start = 0;
  while (start < end) {
    let stop = path.indexOf('/', start);
    if (stop === -1 || stop > end) stop = end;
    if (stop > start) {
      template += isLiteral(path, start, stop) ? `/${path.slice(start, stop).toLowerCase()}` : '/{id}';
    }
    start = stop + 1;
  }
  return template === '' ? '/' : template;
}

const QUESTION = 63;
const HASH = 35;
const DOT = 46;
const HYPHEN = 45;
const UNDERSCORE = 95;

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A word (`[a-z][a-z_-]*`, any case) or an API version (`v\d+(\.\d+)?`, any case) in `path[start, stop)`. */
function isLiteral(path: string, start: number, stop: number): boolean {
  const first = path.charCodeAt(start);
  if (!isLetter(first)) return false;
  let word = true;
  for (let i = start + 1; i < stop && word; i += 1) {
    const c = path.charCodeAt(i);
    word = isLetter(c) || c === UNDERSCORE || c === HYPHEN;
  }
  if (word) return true;
  // An API version: v, digits, then optionally a dot and digits.
  if (first !== 118 && first !== 86) return false;
  let i = start + 1;
  const digitsFrom = i;
  while (i < stop && isDigit(path.charCodeAt(i))) i += 1;
  if (i === digitsFrom) return false;
  if (i === stop) return true;
  if (path.charCodeAt(i) !== DOT) return false;
  i += 1;
  const decimalsFrom = i;
  while (i < stop && isDigit(path.charCodeAt(i))) i += 1;
  return i > decimalsFrom && i === stop;
}

function segments(path: string): string[] {
  return (
    path
      .split('?')[0]
      ?.split('/')
      .filter((part) => part.length > 0) ?? []
  );
}

function isParameter(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}
