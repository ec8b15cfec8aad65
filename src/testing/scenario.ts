/**
 * Which requests a rule applies to. Every field that is set must match; an empty match (the default) matches
 * every request.
 */
export interface FaultMatch {
  /** HTTP method, compared case-insensitively (`'post'` matches `POST`). Default: any method. */
  readonly method?: string;
  /**
   * A regular expression (its source text, as in `new RegExp(path)`) tested against the request path
   * without the query string, e.g. `'^/v1/customers/[^/]+/orders$'`. Default: any path.
   */
  readonly path?: string;
  /**
   * A customer tenant id (GUID, case-insensitive) taken from `/v1/customers/{id}/...`. Requests of the
   * partner scope (no customer in the path) never match a rule that names a customer. Default: any.
   */
  readonly customer?: string;
}

/**
 * When a matching rule fires. Every condition that is set must hold (they combine with AND); with none set
 * the rule fires on every matching hit. Hits are counted per rule, only for requests that reach the rule
 * (see the pipeline in docs/testing.md).
 */
export interface FaultTrigger {
  /** Fire on the first `times` matching hits only. Default: no limit. */
  readonly times?: number;
  /** Fire on every `every`-th matching hit (the `every`-th, the `2 * every`-th, ...). Default: every hit. */
  readonly every?: number;
  /** Fire with this probability, drawn from the seeded source. Default: 1 (always). */
  readonly probability?: number;
  /** Fire only from this many ms after the scenario started (inclusive). Default: from the start. */
  readonly fromMs?: number;
  /** Fire only until this many ms after the scenario started (exclusive). Default: forever. */
  readonly untilMs?: number;
}

/**
 * What a fault rule answers. At least one of `status`, `hangUp` and `delayMs` is required; a rule with only
 * `delayMs` slows the normal answer down.
 */
export interface FaultResponse {
  /** HTTP status to answer (100-599). Default: none (the normal answer, possibly delayed). */
  readonly status?: number;
  /**
   * Partner Center error `code` for the body `{ code, description, data: [], source: 'PartnerFD' }`.
   * Default: the status number. A 429 without a `code` gets the gateway body `{ statusCode, message }`.
   */
  readonly code?: number | string;
  /** Error `description`. Default: the status's reason phrase with a Partner Center flavour. */
  readonly description?: string;
  /**
   * Adds `Retry-After: N` (whole seconds) and tells the request's scope a deadline, which feeds
   * `hitsBeforeDeadline`. Default: 1 for a 429, none otherwise.
   */
  readonly retryAfterSeconds?: number;
  /** Answer an HTML gateway page (`text/html`) instead of JSON, like a proxy in front of the API. Default: false. */
  readonly html?: boolean;
  /** Wait this many real milliseconds before answering (or hanging up). Default: 0. */
  readonly delayMs?: number;
  /** `'before-response'`: read the request, then destroy the socket without answering. Default: answer. */
  readonly hangUp?: 'before-response';
  /**
   * Process the request normally first (an order is created), then answer the fault status or hang up, so
   * the client cannot know the outcome. Default: false (the request is rejected unprocessed).
   */
  readonly afterProcessing?: boolean;
  /** Extra response headers. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A fault injection rule. Rules are tried in order; the first one that fires decides the answer. */
export interface FaultRule extends FaultTrigger {
  /** A name for stats (`faultsFired`). Default: `faults[<index>]`. */
  readonly name?: string;
  /** Which requests the rule applies to. Default: every request. */
  readonly match?: FaultMatch;
  /** What to answer when the rule fires. */
  readonly respond: FaultResponse;
}

/** A fixed-window rate limit: at most `limit` hits per `windowMs`, the window opening on the first hit. */
export interface ThrottleLimit {
  /** Hits allowed in one window (integer >= 1). */
  readonly limit: number;
  /** Window length in ms (integer >= 1). The answer's `Retry-After` is the rest of the window, rounded up. */
  readonly windowMs: number;
}

/**
 * Rate limits. A request whose path names a customer (`/v1/customers/{id}...`) belongs to that
 * partner+customer scope; every other request belongs to the partner scope. Each scope has its own window,
 * the same way the library's default tenant resolver keys its throttle gates.
 */
export interface ThrottleConfig {
  /** Limit for partner-scope requests (e.g. `GET /v1/customers`). Default: unlimited. */
  readonly partner?: ThrottleLimit;
  /** Limit for each partner+customer scope, counted per customer. Default: unlimited. */
  readonly customer?: ThrottleLimit;
}

/** The scopes a {@link QuotaRule} can count per. */
export const QUOTA_SCOPES = ['partner', 'customer', 'operation'] as const;

/**
 * Which scope a quota counts per: `partner` (every request of the partner), `customer` (each
 * partner+customer scope on its own; requests without a customer in the path are not counted) or
 * `operation` (each route, `METHOD template`, on its own, for the whole partner; unmatched paths are not
 * counted).
 */
export type QuotaScope = (typeof QUOTA_SCOPES)[number];

/** Which requests a quota counts. Every field that is set must match. Default: every request of its scope. */
export interface QuotaMatch {
  /** HTTP method, compared case-insensitively. Default: any method. */
  readonly method?: string;
  /** A route template from `SIMULATOR_ROUTES` without its method, e.g. `/v1/customers/{id}/subscriptions`. */
  readonly template?: string;
}

/**
 * A sliding-window quota, as Partner Center enforces them: at most `limit` requests in any `windowMs`. Every
 * request that reaches the check counts, the ones it rejects too, so a client that keeps hammering stays
 * throttled. Over the limit the gateway answers 429 with `Retry-After` (seconds until the window frees a
 * slot, rounded up, at least 1).
 */
export interface QuotaRule {
  /** A name for stats (`quotas`) and the log's `reason`. Default: `quotas[<index>]`. */
  readonly name?: string;
  /** What the quota counts per. */
  readonly scope: QuotaScope;
  /** Requests allowed in any window (integer >= 1). */
  readonly limit: number;
  /** Window length in ms (integer >= 1). */
  readonly windowMs: number;
  /** Which requests count. Default: every request of the scope. */
  readonly match?: QuotaMatch;
}

/** A rule that answers 401 with code 900421 (MFA required), which no token refresh can fix. */
export interface MfaRule extends FaultTrigger {
  /** Which requests require MFA. Default: every request. */
  readonly match?: FaultMatch;
}

/** Bearer token checks. */
export interface AuthConfig {
  /**
   * When true, every request needs `Authorization: Bearer <token>` with a live token from
   * `issueToken()` for the scenario's partner; otherwise it gets 401 code 800001 with
   * `WWW-Authenticate: OAuth realm=urn:cpsvc:cpid:<partnerId>`.
   */
  readonly required: boolean;
  /** Lifetime of tokens issued without an explicit `lifetimeMs`, in ms. Default: 3_600_000 (one hour). */
  readonly tokenLifetimeMs?: number;
  /** Optional MFA-required rule (401 code 900421), applied whether or not `required` is set. Default: none. */
  readonly mfa?: MfaRule;
}

/** A window in which every request fails, before any other check. */
export interface OutageConfig {
  /** Start, in ms after the scenario started (inclusive). */
  readonly fromMs: number;
  /** End, in ms after the scenario started (exclusive). */
  readonly untilMs: number;
  /** Destroy the socket instead of answering 503. Default: false. */
  readonly hangUp?: boolean;
  /** Add `Retry-After: N` to the 503 (and tell the scope a deadline). Default: none. */
  readonly retryAfterSeconds?: number;
}

/** Paged collections: `GET /v1/customers?size=N`, then the `links.next` request with its continuation token. */
export interface PagingConfig {
  /**
   * How long a continuation token is accepted after the page that issued it was answered, in ms on the
   * injected clock; an older token gets 400 `The continuation token has expired.`. Default: 900_000 (15 minutes).
   */
  readonly continuationTtlMs?: number;
}

/**
 * Long-running operations: `POST .../subscriptions/{subscriptionId}/registrations` answers 202 with
 * `Location` and `Retry-After`; `GET .../registrationstatus` answers 202 until the operation finished, then 200.
 * A registration keeps the settings it was accepted under.
 */
export interface OperationsConfig {
  /** Ms (injected clock) from acceptance until the operation has finished. Default: 3000. */
  readonly durationMs?: number;
  /** The `Retry-After` seconds of every 202 (acceptance and status). Default: 1. */
  readonly retryAfterSeconds?: number;
  /**
   * How a finished registration ends: `'registered'`, or `'failed'` (200 with `status: 'failed'` and an
   * `error`). Default: `'registered'`.
   */
  readonly outcome?: 'registered' | 'failed';
}

/**
 * Everything the simulator does, as plain JSON data (validated by `parseScenario` in scenarioSchema.ts). Times are in ms relative to the moment the scenario was
 * applied (server start, `reset()` or `setScenario()`), read from the simulator's injected clock.
 */
export interface Scenario {
  /** A short name, for logs. Default: none. */
  readonly name?: string;
  /** What the scenario models. Default: none. */
  readonly description?: string;
  /** Seed for every random draw (ids, probabilities). The simulator's `seed` option wins. Default: 1. */
  readonly seed?: number | string;
  /** The partner tenant id (GUID), used in the 401 realm. Default: `00000000-0000-0000-0000-000000000001`. */
  readonly partnerId?: string;
  /** How many customers to generate (0-100000), or their exact tenant ids (GUIDs). Default: 3. */
  readonly customers?: number | readonly string[];
  /** Subscriptions generated for each customer (0-100). Default: 2. */
  readonly subscriptionsPerCustomer?: number;
  /** Rate limits per scope. Default: none. */
  readonly throttle?: ThrottleConfig;
  /**
   * Sliding-window quotas, checked after `throttle` (in order; every quota that applies counts the request,
   * the first one exceeded answers). Default: none.
   */
  readonly quotas?: readonly QuotaRule[];
  /**
   * A hit that arrives less than this many ms after the Retry-After answer that set its scope's deadline was
   * already in flight: it is counted in `inFlightAtDeadline`, not `hitsBeforeDeadline`. Default: 50.
   */
  readonly deadlineGraceMs?: number;
  /** Bearer token checks. Default: no authentication. */
  readonly auth?: AuthConfig;
  /** A window in which everything answers 503 (or hangs up). Default: none. */
  readonly outage?: OutageConfig;
  /** Fault injection rules, tried in order. Default: none. */
  readonly faults?: readonly FaultRule[];
  /** Paged collections and their continuation tokens. Default: tokens live 15 minutes. */
  readonly paging?: PagingConfig;
  /** Long-running operations (subscription registration). Default: 3 s, `Retry-After: 1`, registered. */
  readonly operations?: OperationsConfig;
}
