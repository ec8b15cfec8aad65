// The demo's workload and faults, shared by the three clients it compares (bare axios, axios-retry and
// partner-center-resilience): the same scenario for each client's own simulator, the same calls at the same
// times, and the same token source.

/** Customer tenant ids of the demo, readable in order: `10000003-0000-4000-8000-000000000003`. */
export function demoCustomers(count) {
  return Array.from(
    { length: count },
    (_, i) => `${(0x10000000 + i).toString(16)}-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
}

/**
 * Mixed faults over `durationMs`: partner throttling, a tenant outage, two orders processed whose answers are
 * lost (a 504, then a connection reset), 503s, HTML 502 pages, resets and slow answers. The revoked token is
 * the token source's (see {@link demoTokens}).
 */
export function demoScenario({ customers, durationMs, failing }) {
  const at = (share) => Math.round(durationMs * share);
  return {
    name: 'demo',
    seed: 7,
    customers,
    subscriptionsPerCustomer: 3,
    throttle: { partner: { limit: 6, windowMs: 1_000 }, customer: { limit: 12, windowMs: 1_000 } },
    auth: { required: true, tokenLifetimeMs: 3_600_000 },
    faults: [
      {
        name: 'tenant-outage',
        match: { customer: failing },
        fromMs: at(0.15),
        untilMs: at(0.75),
        respond: { status: 503 },
      },
      {
        name: 'order-504-after-processing',
        match: { method: 'POST', path: '/orders$' },
        fromMs: at(0.25),
        times: 1,
        respond: { status: 504, afterProcessing: true },
      },
      {
        name: 'order-reset-after-processing',
        match: { method: 'POST', path: '/orders$' },
        fromMs: at(0.55),
        times: 1,
        respond: { hangUp: 'before-response', afterProcessing: true },
      },
      { name: 'get-503', match: { method: 'GET' }, every: 9, respond: { status: 503 } },
      { name: 'get-502-html', match: { method: 'GET' }, every: 23, respond: { status: 502, html: true } },
      {
        name: 'get-reset',
        match: { method: 'GET' },
        probability: 0.02,
        respond: { hangUp: 'before-response' },
      },
      { name: 'slow', probability: 0.1, respond: { delayMs: 120 } },
    ],
  };
}

/**
 * The token source of one client, from its simulator: the first token stops being accepted at
 * `revokeAtMs` although it was announced valid for 20 s (a revoked token: the server answers 401 with its
 * realm); the next ones are valid 25 s and announced as 20 s (so a client may refresh before expiry).
 * `fetched` counts the tokens handed out.
 */
export function demoTokens(sim, revokeAtMs) {
  const revoked = sim.tokenProvider({ lifetimeMs: revokeAtMs });
  const valid = sim.tokenProvider({ lifetimeMs: 25_000 });
  const source = {
    fetched: 0,
    async getToken(request) {
      source.fetched += 1;
      const { token } = await (source.fetched === 1 ? revoked : valid).getToken(request);
      return { token, expiresOnTimestamp: Date.now() + 20_000 };
    },
  };
  return source;
}

/** A small deterministic random source (one per worker, so each worker's calls are the same for every client). */
function lcg(seed) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * The calls of every worker, decided up front: worker w's call i starts at `i * paceMs` at the earliest.
 * Each call is a partner-scope list (`GET /v1/customers?size=50`, 1 in 10), a customer's subscriptions or an
 * order (1 in 25).
 */
export function demoPlan({ customers, workers, callsPerWorker, paceMs }) {
  return Array.from({ length: workers }, (_, w) => {
    const random = lcg(42 + w * 7_919);
    return Array.from({ length: callsPerWorker }, (_, i) => {
      const customer = customers[Math.floor(random() * customers.length)];
      const roll = random();
      const kind = roll < 0.1 ? 'list' : roll < 0.96 ? 'read' : 'order';
      return {
        startMs: i * paceMs,
        customer,
        kind,
        quantity: 1 + ((w + i) % 5),
        name: `demo-order-${w}-${i}`,
      };
    });
  });
}

/** Sends one planned call through `api`; `reconcile` (the library's option) is passed to order POSTs. */
export function sendCall(api, call, reconcile) {
  if (call.kind === 'list') return api.get('/v1/customers', { params: { size: 50 } });
  if (call.kind === 'read') return api.get(`/v1/customers/${call.customer}/subscriptions`);
  const body = {
    referenceCustomerId: call.customer,
    lineItems: [
      { lineItemNumber: 0, offerId: 'DEMO-OFFER', quantity: call.quantity, friendlyName: call.name },
    ],
  };
  return api.post(
    `/v1/customers/${call.customer}/orders`,
    body,
    reconcile ? { partnerCenter: { reconcile } } : undefined,
  );
}

/**
 * Runs the plan: each worker starts its calls in order, each no earlier than its start time (relative to
 * `started`) and after the previous one settled. `run(call)` makes the call and reports its outcome itself.
 */
export async function runPlan(plan, started, run) {
  await Promise.all(
    plan.map(async (calls) => {
      for (const call of calls) {
        const wait = started + call.startMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await run(call);
      }
    }),
  );
}

/**
 * What people attach to axios for a token: a cached token, fetched when missing or expiring within five
 * seconds, dropped after a 401 (the failed call is not replayed). Used by the two baselines.
 */
export function bearerInterceptors(api, tokens) {
  let cached;
  let pending;
  api.interceptors.request.use(async (config) => {
    if (cached === undefined || cached.expiresOnTimestamp - Date.now() < 5_000) {
      pending ??= tokens.getToken({}).finally(() => {
        pending = undefined;
      });
      cached = await pending;
    }
    config.headers.set('Authorization', `Bearer ${cached.token}`);
    return config;
  });
  api.interceptors.response.use(undefined, (error) => {
    if (error?.response?.status === 401) cached = undefined;
    return Promise.reject(error);
  });
}
