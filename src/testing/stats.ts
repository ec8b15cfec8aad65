import { type CustomerReadStats, CustomerReads } from './customerReads.js';
import type { DeadlineCheck } from './scopes.js';
/** One request as the simulator saw it. */
export interface SimulatorLogEntry {
  /** Ms since the scenario started (injected clock). */
  readonly atMs: number;
  /** HTTP method, upper case. */
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Route template, e.g. `GET /v1/customers/{id}`, or `unmatched`. */
  readonly route: string;
  /** Status answered, or `null` when the socket was destroyed without an answer. */
  readonly status: number | null;
  /** `MS-RequestId` as received (or generated when the request had none). */
  readonly requestId: string;
  /** `partner` or the customer tenant id. */
  readonly scope: string;
  /** Why the answer was what it was: `outage`, `throttled`, `unauthorized`, `mfa`, a fault name, `replay`... */
  readonly reason: string;
  /** The hit arrived while its scope was under a Retry-After deadline it had been told. */
  readonly beforeDeadline: boolean;
}

/** What one quota counted. */
export interface QuotaStats {
  /** Requests the quota counted, the ones it (or another quota) rejected included. */
  readonly hits: number;
  /** 429s this quota answered (it was the first exceeded). */
  readonly throttled: number;
}

/** A JSON-able snapshot of everything the simulator counted since start or the last `reset()`. */
export interface SimulatorStats {
  /** Name of the current scenario, if it has one. */
  readonly scenario: string | null;
  /** Ms since the current scenario started (injected clock). */
  readonly elapsedMs: number;
  /** Every request received, whatever the answer. */
  readonly totalHits: number;
  /** Hits per route template (`GET /v1/customers/{id}/subscriptions`, ..., `unmatched`). */
  readonly hitsPerRoute: Readonly<Record<string, number>>;
  /** Hits per scope: `partner` or a customer tenant id (at most 10_000 keys, the rest under `(other)`). */
  readonly hitsPerScope: Readonly<Record<string, number>>;
  /**
   * Per customer route (`GET /v1/customers/{id}/subscriptions`, ...): its successful reads (a `GET` answered
   * 2xx), the customers read, those read more than once and the most reads of one customer. A sweep that
   * runs each tenant's task once reads each customer once per route.
   */
  readonly customerReads: Readonly<Record<string, CustomerReadStats>>;
  /** Customers one of whose routes was read (answered 2xx) more than once. */
  readonly customersReadAgain: number;
  /** Answers per status code; `hang-up` for sockets destroyed without an answer. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** 429 answers sent, from the rate limits and from fault rules. */
  readonly throttledResponses: number;
  /**
   * Per quota of `scenario.quotas` (by name, `quotas[<index>]` when unnamed): `hits` it counted (rejected
   * ones included) and `throttled`, the 429s it answered.
   */
  readonly quotas: Readonly<Record<string, QuotaStats>>;
  /** Hits that got past the rate limits and quotas (whatever the route answered then). */
  readonly acceptedHits: number;
  /** `acceptedHits` per second of `elapsedMs` (0 before any time passed): the pace the limits let through. */
  readonly acceptedPerSecond: number;
  /**
   * Hits that arrived while their scope was under a Retry-After deadline the simulator had announced (any
   * answer with `Retry-After`). A client that honours Retry-After keeps this at 0.
   */
  readonly hitsBeforeDeadline: number;
  /**
   * Hits of a scope under a deadline that arrived within `deadlineGraceMs` of the 429 (or other Retry-After
   * answer) that announced it: they were already on the wire, or in the client's event loop, before the
   * client could know. Not counted in `hitsBeforeDeadline`.
   */
  readonly inFlightAtDeadline: number;
  /** Hits whose own MS-RequestId was told a Retry-After that had not passed yet: a retry that came back too early. */
  readonly earlyRetries: number;
  /** `hitsBeforeDeadline` per scope. */
  readonly hitsBeforeDeadlinePerScope: Readonly<Record<string, number>>;
  /** Hits that arrived during the scenario's outage window. */
  readonly hitsDuringOutage: number;
  /** 401 answers sent (missing, unknown, expired or wrong-tenant token, and MFA rules). */
  readonly unauthorized: number;
  /** Sockets destroyed without an answer. */
  readonly hangUps: number;
  /** How many times each fault rule fired, by name (`faults[i]` when unnamed). */
  readonly faultsFired: Readonly<Record<string, number>>;
  /** Orders created (replays excluded, duplicates included). */
  readonly ordersCreated: number;
  /** POSTs that repeated an earlier `MS-RequestId` and got the original order back (200). */
  readonly orderReplays: number;
  /**
   * Orders created with a fresh `MS-RequestId` but the same body, for the same customer, as an earlier
   * order: what a client that retries a POST with a new request id causes. 0 for a safe client.
   */
  readonly duplicateOrders: number;
  /** Tokens handed out by `issueToken()` (not reset by `reset()`). */
  readonly tokensIssued: number;
  /**
   * Pages of a paged collection (`GET /v1/customers?size=N`, and its next pages) answered by the route; a
   * request without `size` or `seekOperation` gets the whole collection and is not counted.
   */
  readonly pagesServed: number;
  /** Next-page requests answered 400 because their continuation token was missing, malformed or forged. */
  readonly invalidContinuationTokens: number;
  /** Next-page requests answered 400 because their token was older than `paging.continuationTtlMs`. */
  readonly expiredContinuationTokens: number;
  /** Registrations accepted (202); a POST repeated while its registration runs is answered, not counted. */
  readonly operationsAccepted: number;
  /** Status requests received for an accepted registration, whatever they were answered. */
  readonly operationPolls: number;
  /**
   * Status requests that arrived before the `Retry-After` the simulator last gave for that registration (in
   * its 202 to the POST or to a status request). A client that honours `Retry-After` keeps this at 0.
   */
  readonly earlyPolls: number;
  /** The most recent requests, oldest first (at most `logLimit`). */
  readonly log: readonly SimulatorLogEntry[];
  /** Log entries dropped because the log was full. */
  readonly logDropped: number;
}

/** Most distinct scopes counted by name; later ones are counted under `(other)`. */
const MAX_SCOPE_KEYS = 10_000;
const OTHER_SCOPE = '(other)';

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function incrementBounded(map: Map<string, number>, key: string): void {
  increment(map, map.has(key) || map.size < MAX_SCOPE_KEYS ? key : OTHER_SCOPE);
}

/** Mutable counters behind {@link SimulatorStats}; memory is bounded by the log limit and the scope cap. */
export class StatsRecorder {
  totalHits = 0;
  throttledResponses = 0;
  hitsBeforeDeadline = 0;
  inFlightAtDeadline = 0;
  earlyRetries = 0;
  hitsDuringOutage = 0;
  unauthorized = 0;
  hangUps = 0;
  ordersCreated = 0;
  orderReplays = 0;
  duplicateOrders = 0;
  tokensIssued = 0;
  pagesServed = 0;
  invalidContinuationTokens = 0;
  expiredContinuationTokens = 0;
  operationsAccepted = 0;
  operationPolls = 0;
  earlyPolls = 0;
  acceptedHits = 0;
  private readonly quotas = new Map<string, { hits: number; throttled: number }>();
  private readonly hitsPerRoute = new Map<string, number>();
  private readonly hitsPerScope = new Map<string, number>();
  private readonly statusCounts = new Map<string, number>();
  private readonly beforeDeadlinePerScope = new Map<string, number>();
  private readonly faultsFired = new Map<string, number>();
  private readonly reads = new CustomerReads();
  private readonly ring: SimulatorLogEntry[] = [];
  private ringStart = 0;
  private logDropped = 0;

  constructor(private readonly logLimit: number) {}

  hit(route: string, scope: string, deadline: DeadlineCheck): void {
    this.totalHits++;
    increment(this.hitsPerRoute, route);
    incrementBounded(this.hitsPerScope, scope);
    if (deadline.inFlight) this.inFlightAtDeadline++;
    if (deadline.earlyRetry) this.earlyRetries++;
    if (deadline.beforeDeadline) {
      this.hitsBeforeDeadline++;
      incrementBounded(this.beforeDeadlinePerScope, scope);
    }
  }

  /** Counts a hit against each quota in `counted`, and a 429 against `throttledBy`. */
  quota(counted: readonly string[], throttledBy: string | undefined): void {
    for (const name of counted) {
      let entry = this.quotas.get(name);
      if (entry === undefined) {
        entry = { hits: 0, throttled: 0 };
        this.quotas.set(name, entry);
      }
      entry.hits++;
      if (name === throttledBy) entry.throttled++;
    }
  }

  /** Counts a successful read of a customer route (see {@link CustomerReads}). */
  read(route: string, customer: string): void {
    this.reads.read(route, customer);
  }

  fault(name: string): void {
    increment(this.faultsFired, name);
  }

  answered(entry: SimulatorLogEntry): void {
    if (entry.status === null) {
      this.hangUps++;
      increment(this.statusCounts, 'hang-up');
    } else {
      increment(this.statusCounts, String(entry.status));
      if (entry.status === 429) this.throttledResponses++;
      if (entry.status === 401) this.unauthorized++;
    }
    if (this.logLimit <= 0) {
      this.logDropped++;
    } else if (this.ring.length < this.logLimit) {
      this.ring.push(entry);
    } else {
      this.ring[this.ringStart] = entry;
      this.ringStart = (this.ringStart + 1) % this.logLimit;
      this.logDropped++;
    }
  }

  snapshot(scenario: string | null, elapsedMs: number): SimulatorStats {
    const record = (map: Map<string, number>): Record<string, number> => Object.fromEntries(map);
    return {
      scenario,
      elapsedMs,
      totalHits: this.totalHits,
      hitsPerRoute: record(this.hitsPerRoute),
      hitsPerScope: record(this.hitsPerScope),
      customerReads: this.reads.snapshot(),
      customersReadAgain: this.reads.customersReadAgain,
      statusCounts: record(this.statusCounts),
      throttledResponses: this.throttledResponses,
      quotas: Object.fromEntries([...this.quotas].map(([name, entry]) => [name, { ...entry }])),
      acceptedHits: this.acceptedHits,
      acceptedPerSecond: elapsedMs > 0 ? (this.acceptedHits * 1000) / elapsedMs : 0,
      hitsBeforeDeadline: this.hitsBeforeDeadline,
      inFlightAtDeadline: this.inFlightAtDeadline,
      earlyRetries: this.earlyRetries,
      hitsBeforeDeadlinePerScope: record(this.beforeDeadlinePerScope),
      hitsDuringOutage: this.hitsDuringOutage,
      unauthorized: this.unauthorized,
      hangUps: this.hangUps,
      faultsFired: record(this.faultsFired),
      ordersCreated: this.ordersCreated,
      orderReplays: this.orderReplays,
      duplicateOrders: this.duplicateOrders,
      tokensIssued: this.tokensIssued,
      pagesServed: this.pagesServed,
      invalidContinuationTokens: this.invalidContinuationTokens,
      expiredContinuationTokens: this.expiredContinuationTokens,
      operationsAccepted: this.operationsAccepted,
      operationPolls: this.operationPolls,
      earlyPolls: this.earlyPolls,
      log: [...this.ring.slice(this.ringStart), ...this.ring.slice(0, this.ringStart)],
      logDropped: this.logDropped,
    };
  }
}
