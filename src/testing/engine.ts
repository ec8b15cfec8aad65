import type { IncomingMessage } from 'node:http';
import { type CompiledRule, CompiledTrigger, compileRules, type RequestFacts } from './faults.js';
import { operationSettings, RegistrationTracker } from './operations.js';
import { ContinuationTokens, pagingSettings } from './paging.js';
import { QuotaTracker } from './quotas.js';
import {
  type Answer,
  defaultDescription,
  gatewayRateLimit,
  htmlPage,
  partnerCenterError,
} from './responses.js';
import { createSeededRandom, type SeededRandom } from './rng.js';
import { answerRoute, type RouteRequest } from './routeAnswers.js';
import { customerOf, matchRoute } from './routes.js';
import type { FaultRule, OperationsConfig, PagingConfig, Scenario } from './scenario.js';
import { parseScenario } from './scenarioSchema.js';
import { DEFAULT_DEADLINE_GRACE_MS, PARTNER_SCOPE, ScopeTracker } from './scopes.js';
import { type SimulatorStats, StatsRecorder } from './stats.js';
import { PartnerStore } from './store.js';
import { type IssueTokenOptions, TokenRegistry } from './tokens.js';

/** The partner tenant id used when a scenario names none. */
export const DEFAULT_PARTNER_ID = '00000000-0000-0000-0000-000000000001';

const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function dataKey(scenario: Scenario): string {
  return JSON.stringify([
    scenario.partnerId,
    scenario.customers ?? 3,
    scenario.subscriptionsPerCustomer ?? 2,
  ]);
}

/** The request-handling core of the simulator: scenario state, counters and the decision pipeline. */
export class SimulatorEngine {
  private scenario: Scenario;
  private rules: CompiledRule[] = [];
  private mfa: CompiledTrigger | undefined;
  private scopes: ScopeTracker;
  private quotas!: QuotaTracker;
  private store!: PartnerStore;
  /** Registrations of the store's subscriptions: created, and forgotten, with the store. */
  private registrations!: RegistrationTracker;
  private storeKey = '';
  private stats: StatsRecorder;
  private startedAt = 0;
  private faultRandom!: SeededRandom;
  private idRandom!: SeededRandom;
  private readonly tokens: TokenRegistry;
  private readonly continuationTokens: ContinuationTokens;
  private paging!: Required<PagingConfig>;
  private operations!: Required<OperationsConfig>;
  private serverId = '';
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    scenario: Scenario,
    private readonly seed: number | string,
    private readonly clock: () => number,
    private readonly logLimit: number,
  ) {
    this.scenario = scenario;
    this.scopes = new ScopeTracker(scenario.throttle, scenario.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS);
    this.stats = new StatsRecorder(logLimit);
    this.tokens = new TokenRegistry(createSeededRandom(seed, 3));
    this.continuationTokens = new ContinuationTokens(seed);
    this.restart(true);
  }

  get partnerId(): string {
    return (this.scenario.partnerId ?? DEFAULT_PARTNER_ID).toLowerCase();
  }

  get customerIds(): readonly string[] {
    return this.store.customers.map((customer) => customer.id);
  }

  /** Resets everything the scenario drives; `fresh` also resets stats, orders and the random sequences. */
  private restart(fresh: boolean): void {
    const scenario = this.scenario;
    if (fresh) {
      this.faultRandom = createSeededRandom(this.seed, 0);
      this.idRandom = createSeededRandom(this.seed, 2);
      this.serverId = String(100_000 + this.idRandom.int(900_000));
      const tokensIssued = this.stats.tokensIssued;
      this.stats = new StatsRecorder(this.logLimit);
      this.stats.tokensIssued = tokensIssued;
    }
    const key = dataKey(scenario);
    if (fresh || key !== this.storeKey) {
      this.store = new PartnerStore(
        scenario.customers ?? 3,
        scenario.subscriptionsPerCustomer ?? 2,
        createSeededRandom(this.seed, 1),
      );
      this.registrations = new RegistrationTracker();
      this.storeKey = key;
    }
    this.rules = compileRules(scenario.faults);
    this.paging = pagingSettings(scenario.paging);
    this.operations = operationSettings(scenario.operations);
    const mfa = scenario.auth?.mfa;
    this.mfa = mfa === undefined ? undefined : new CompiledTrigger(mfa.match, mfa);
    this.scopes = new ScopeTracker(scenario.throttle, scenario.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS);
    this.quotas = new QuotaTracker(scenario.quotas);
    this.startedAt = this.clock();
  }

  reset(): void {
    this.restart(true);
  }

  setScenario(input: Scenario): void {
    this.scenario = parseScenario(input);
    this.restart(false);
  }

  snapshot(): SimulatorStats {
    return this.stats.snapshot(this.scenario.name ?? null, this.clock() - this.startedAt);
  }

  issueToken(options: IssueTokenOptions = {}): string {
    return this.issueAccessToken(options).token;
  }

  /** A token with its lifetime (the simulator's rules), for {@link PartnerCenterSimulator.tokenProvider}. */
  issueAccessToken(options: IssueTokenOptions = {}): { token: string; lifetimeMs: number } {
    const lifetime = options.lifetimeMs ?? this.scenario.auth?.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    if (!Number.isFinite(lifetime)) throw new RangeError('issueToken: lifetimeMs must be a finite number');
    const token = this.tokens.issue(this.clock(), lifetime, options.tenant ?? this.partnerId);
    this.stats.tokensIssued++;
    return { token, lifetimeMs: lifetime };
  }

  /** Decides the answer to one fully read request. Synchronous, so arrival order alone decides. */
  decide(
    req: IncomingMessage,
    body: Buffer,
    tooLarge: boolean,
  ): { answer: Answer; headers: Record<string, string> } {
    const now = this.clock();
    const elapsedMs = now - this.startedAt;
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const route = matchRoute(path);
    const customer = customerOf(route);
    const scope = customer ?? PARTNER_SCOPE;
    const routeName = route.template === undefined ? 'unmatched' : `${method} ${route.template}`;
    const requestId = header(req, 'ms-requestid') ?? this.idRandom.guid();
    const correlationId = header(req, 'ms-correlationid') ?? this.idRandom.guid();
    const incomingCv = header(req, 'ms-cv');
    const headers: Record<string, string> = {
      'MS-RequestId': requestId,
      'MS-CorrelationId': correlationId,
      'MS-CV': incomingCv === undefined ? `${this.idRandom.hex(16)}.0` : `${incomingCv}.0`,
      'MS-ServerId': this.serverId,
    };

    const deadline = this.scopes.check(scope, requestId, now);
    const beforeDeadline = deadline.beforeDeadline;
    this.stats.hit(routeName, scope, deadline);
    this.registrations.notePoll(route, method, customer, now, this.stats);
    const facts: RequestFacts = { method, path, customer, elapsedMs };
    const query = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const continuationToken = header(req, 'ms-continuationtoken');
    const request: RouteRequest = { facts, route, requestId, body, tooLarge, now, query, continuationToken };
    const answer = this.pipeline(request, scope, req);

    const entryStatus = answer.kind === 'respond' ? answer.status : null;
    this.stats.answered({
      atMs: elapsedMs,
      method,
      path,
      route: routeName,
      status: entryStatus,
      requestId,
      scope,
      reason: answer.reason,
      beforeDeadline,
    });
    if (answer.kind === 'respond') {
      if (customer !== undefined && method === 'GET' && answer.status >= 200 && answer.status < 300) {
        this.stats.read(routeName, customer);
      }
      const retryAfter = answer.headers['Retry-After'];
      // A 202's Retry-After paces the polling of its operation; any other is a deadline for the scope.
      if (retryAfter !== undefined && answer.operation !== undefined) {
        this.registrations.told(answer.operation, now, Number(retryAfter));
      } else if (retryAfter !== undefined) {
        this.scopes.announce(scope, now, Number(retryAfter), requestId);
      }
    }
    return { answer, headers };
  }

  private pipeline(request: RouteRequest, scope: string, req: IncomingMessage): Answer {
    const { facts, now } = request;
    const { elapsedMs } = facts;
    const outage = this.scenario.outage;
    if (outage !== undefined && elapsedMs >= outage.fromMs && elapsedMs < outage.untilMs) {
      this.stats.hitsDuringOutage++;
      if (outage.hangUp === true) return { kind: 'hang-up', reason: 'outage', delayMs: 0 };
      const extra: Record<string, string> =
        outage.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(outage.retryAfterSeconds) };
      return partnerCenterError(503, 503, defaultDescription(503), 'outage', extra);
    }

    const realm = { 'WWW-Authenticate': `OAuth realm=urn:cpsvc:cpid:${this.partnerId}` };
    if (this.scenario.auth?.required === true) {
      const problem = this.tokens.check(header(req, 'authorization'), now, this.partnerId);
      if (problem !== undefined) return partnerCenterError(401, 800001, problem, 'unauthorized', realm);
    }
    if (this.mfa?.fires(facts, this.faultRandom) === true) {
      return partnerCenterError(
        401,
        900421,
        'Multi-factor authentication is required for this request. Sign in again with MFA.',
        'mfa',
        realm,
      );
    }

    const retryAfter = this.scopes.take(scope, now);
    if (retryAfter !== undefined) return gatewayRateLimit(retryAfter, 'throttled');
    const quota = this.quotas.take(
      { method: facts.method, template: request.route.template, customer: facts.customer },
      now,
    );
    this.stats.quota(quota.counted, quota.exceeded?.name);
    if (quota.exceeded !== undefined) return gatewayRateLimit(quota.exceeded.seconds, quota.exceeded.name);
    this.stats.acceptedHits++;

    const fired = this.rules.find((compiled) => compiled.trigger.fires(facts, this.faultRandom));
    if (fired === undefined) return this.handle(request);
    this.stats.fault(fired.name);
    const respond = fired.rule.respond;
    const delayMs = respond.delayMs ?? 0;
    if (respond.status === undefined && respond.hangUp === undefined) {
      return { ...this.handle(request), delayMs, reason: fired.name };
    }
    if (respond.afterProcessing === true) this.handle(request);
    return { ...this.faultAnswer(fired), delayMs };
  }

  private faultAnswer(fired: CompiledRule): Answer {
    const respond: FaultRule['respond'] = fired.rule.respond;
    if (respond.hangUp === 'before-response' || respond.status === undefined) {
      return { kind: 'hang-up', reason: fired.name, delayMs: 0 };
    }
    const status = respond.status;
    const extra: Record<string, string> = { ...respond.headers };
    if (status === 401) {
      extra['WWW-Authenticate'] = `OAuth realm=urn:cpsvc:cpid:${this.partnerId}`;
    }
    let answer: Answer;
    if (respond.html === true) {
      answer = htmlPage(status, fired.name);
    } else if (status === 429 && respond.code === undefined) {
      answer = gatewayRateLimit(respond.retryAfterSeconds ?? 1, fired.name);
    } else {
      const code = respond.code ?? status;
      answer = partnerCenterError(
        status,
        code,
        respond.description ?? defaultDescription(status),
        fired.name,
      );
    }
    if (answer.kind !== 'respond') return answer;
    const retryAfter = respond.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
    if (retryAfter !== undefined) extra['Retry-After'] = String(retryAfter);
    return { ...answer, headers: { ...answer.headers, ...extra } };
  }

  /** The route's normal answer, read from and written to the current store and stats. */
  private handle(request: RouteRequest): Answer {
    const state = {
      store: this.store,
      stats: this.stats,
      registrations: this.registrations,
      tokens: this.continuationTokens,
      paging: this.paging,
      operations: this.operations,
    };
    return answerRoute(state, request);
  }
}
