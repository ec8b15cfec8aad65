import type { IncomingMessage } from 'node:http';
import { type CompiledRule, CompiledTrigger, compileRules, type RequestFacts } from './faults.js';
import {
  type Answer,
  defaultDescription,
  gatewayRateLimit,
  htmlPage,
  json,
  partnerCenterError,
} from './responses.js';
import { createSeededRandom, type SeededRandom } from './rng.js';
import { customerOf, matchRoute, type RouteMatch } from './routes.js';
import { type FaultRule, isGuid, parseScenario, type Scenario } from './scenario.js';
import { DEFAULT_DEADLINE_GRACE_MS, PARTNER_SCOPE, ScopeTracker } from './scopes.js';
import type { IssueTokenOptions } from './simulator.js';
import { type SimulatorStats, StatsRecorder } from './stats.js';
import { type JsonValue, PartnerStore } from './store.js';

/** The partner tenant id used when a scenario names none. */
export const DEFAULT_PARTNER_ID = '00000000-0000-0000-0000-000000000001';

interface Token {
  readonly expiresAt: number;
  readonly tenant: string;
}

const TOKENS_PRUNE_AT = 10_000;
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

function collection(items: readonly unknown[], uri: string): unknown {
  return {
    totalCount: items.length,
    items,
    links: { self: { uri, method: 'GET', headers: [] } },
    attributes: { objectType: 'Collection' },
  };
}

/** The request-handling core of the simulator: scenario state, counters and the decision pipeline. */
export class SimulatorEngine {
  private scenario: Scenario;
  private rules: CompiledRule[] = [];
  private mfa: CompiledTrigger | undefined;
  private scopes: ScopeTracker;
  private store!: PartnerStore;
  private storeKey = '';
  private stats: StatsRecorder;
  private startedAt = 0;
  private faultRandom!: SeededRandom;
  private idRandom!: SeededRandom;
  private tokenRandom: SeededRandom;
  private readonly tokens = new Map<string, Token>();
  private tokenCounter = 0;
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
    this.tokenRandom = createSeededRandom(seed, 3);
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
      this.storeKey = key;
    }
    this.rules = compileRules(scenario.faults);
    const mfa = scenario.auth?.mfa;
    this.mfa = mfa === undefined ? undefined : new CompiledTrigger(mfa.match, mfa);
    this.scopes = new ScopeTracker(scenario.throttle, scenario.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS);
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
    const lifetime = options.lifetimeMs ?? this.scenario.auth?.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    if (!Number.isFinite(lifetime)) throw new RangeError('issueToken: lifetimeMs must be a finite number');
    const now = this.clock();
    if (this.tokens.size >= TOKENS_PRUNE_AT) {
      for (const [value, token] of this.tokens) if (token.expiresAt <= now) this.tokens.delete(value);
    }
    this.tokenCounter++;
    const value = `pcsim.${this.tokenCounter}.${this.tokenRandom.hex(32)}`;
    this.tokens.set(value, {
      expiresAt: now + lifetime,
      tenant: (options.tenant ?? this.partnerId).toLowerCase(),
    });
    this.stats.tokensIssued++;
    return value;
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
    const facts: RequestFacts = { method, path, customer, elapsedMs };
    const answer = this.pipeline(facts, route, scope, requestId, req, body, tooLarge, now);

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
      const retryAfter = answer.headers['Retry-After'];
      if (retryAfter !== undefined) this.scopes.announce(scope, now, Number(retryAfter), requestId);
    }
    return { answer, headers };
  }

  private pipeline(
    facts: RequestFacts,
    route: RouteMatch,
    scope: string,
    requestId: string,
    req: IncomingMessage,
    body: Buffer,
    tooLarge: boolean,
    now: number,
  ): Answer {
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
      const problem = this.checkToken(req, now);
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

    const fired = this.rules.find((compiled) => compiled.trigger.fires(facts, this.faultRandom));
    if (fired === undefined) return this.handle(facts, route, requestId, body, tooLarge, now);
    this.stats.fault(fired.name);
    const respond = fired.rule.respond;
    const delayMs = respond.delayMs ?? 0;
    if (respond.status === undefined && respond.hangUp === undefined) {
      return { ...this.handle(facts, route, requestId, body, tooLarge, now), delayMs, reason: fired.name };
    }
    if (respond.afterProcessing === true) this.handle(facts, route, requestId, body, tooLarge, now);
    return { ...this.faultAnswer(fired), delayMs };
  }

  private checkToken(req: IncomingMessage, now: number): string | undefined {
    const authorization = header(req, 'authorization');
    if (authorization === undefined) return 'Partner Token missing in request context';
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] === undefined) return 'Partner Token missing in request context';
    const token = this.tokens.get(match[1]);
    if (token === undefined) return 'The access token is not valid.';
    if (now >= token.expiresAt) return 'The access token has expired.';
    if (token.tenant !== this.partnerId) return 'The access token was issued for another tenant.';
    return undefined;
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

  /** The normal answer of a route, with its side effects (orders). */
  private handle(
    facts: RequestFacts,
    route: RouteMatch,
    requestId: string,
    body: Buffer,
    tooLarge: boolean,
    now: number,
  ): Answer {
    const { method } = facts;
    if (route.template === undefined) {
      return partnerCenterError(404, 404, `No route matches ${method} ${facts.path}`, 'unmatched');
    }
    if (!route.allowed.includes(method)) {
      return partnerCenterError(405, 405, defaultDescription(405), 'method-not-allowed', {
        Allow: route.allowed.join(', '),
      });
    }
    if (route.template === '/v1/customers') {
      return json(200, collection(this.store.customers, '/customers'), 'ok');
    }
    const segment = route.customerSegment ?? '';
    if (!isGuid(segment)) {
      const body = {
        code: 2000,
        description: 'Tenant Id must be a GUID.',
        data: [],
        source: 'PartnerApiServiceControllers',
      };
      return json(400, body, 'bad-tenant-id');
    }
    const customer = this.store.customer(segment);
    if (customer === undefined) {
      return partnerCenterError(404, 3000, `Customer ${segment} could not be found`, 'customer-not-found');
    }
    const base = `/customers/${customer.id}`;
    switch (route.template) {
      case '/v1/customers/{id}':
        return json(200, customer, 'ok');
      case '/v1/customers/{id}/subscriptions':
        return json(200, collection(this.store.subscriptionsOf(customer.id), `${base}/subscriptions`), 'ok');
      case '/v1/customers/{id}/orders/{orderId}': {
        const order = this.store.order(customer.id, route.orderId ?? '');
        if (order === undefined) {
          return partnerCenterError(
            404,
            3000,
            `Order ${route.orderId ?? ''} could not be found`,
            'order-not-found',
          );
        }
        return json(200, order, 'ok');
      }
      default:
        break;
    }
    if (method === 'GET')
      return json(200, collection(this.store.ordersOf(customer.id), `${base}/orders`), 'ok');
    return this.placeOrder(customer.id, requestId, body, tooLarge, now);
  }

  private placeOrder(
    customerId: string,
    requestId: string,
    body: Buffer,
    tooLarge: boolean,
    now: number,
  ): Answer {
    if (tooLarge) return partnerCenterError(413, 413, 'The request body is too large.', 'too-large');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return partnerCenterError(400, 2000, 'The order body is not valid JSON.', 'bad-order');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return partnerCenterError(400, 2000, 'The order body must be a JSON object.', 'bad-order');
    }
    const outcome = this.store.placeOrder(
      customerId,
      requestId,
      parsed as { [key: string]: JsonValue },
      Number.isFinite(now) ? now : 0,
    );
    if (outcome.kind === 'replayed') {
      this.stats.orderReplays++;
      return json(200, outcome.order, 'replay');
    }
    this.stats.ordersCreated++;
    if (outcome.duplicate) this.stats.duplicateOrders++;
    return json(201, outcome.order, outcome.duplicate ? 'duplicate-order' : 'order-created', {
      Location: outcome.order.links.self.uri,
    });
  }
}
