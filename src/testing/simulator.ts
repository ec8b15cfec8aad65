import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TokenProvider } from '../auth/TokenProvider.js';
import { corsHeaders, parseCorsOrigins, preflightHeaders } from './cors.js';
import { SimulatorEngine } from './engine.js';
import type { Answer } from './responses.js';
import { SIMULATOR_ROUTES } from './routes.js';
import type { Scenario } from './scenario.js';
import { parseScenario, type ScenarioValidationError } from './scenarioSchema.js';
import { healthy } from './scenarios.js';
import type { SimulatorStats } from './stats.js';
import type { IssueTokenOptions } from './tokens.js';

/** Bytes of request body read; larger bodies get a 413. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link startPartnerCenterSimulator}. */
export interface PartnerCenterSimulatorOptions {
  /** TCP port; 0 picks a free one. Default: 0. */
  readonly port?: number;
  /** Interface to listen on. Default: `'127.0.0.1'` (loopback only). */
  readonly host?: string;
  /** What to simulate (validated with {@link parseScenario}). Default: `scenarios.healthy`. */
  readonly scenario?: Scenario;
  /** Seed for ids and probabilities; wins over `scenario.seed`. Default: `scenario.seed`, else 1. */
  readonly seed?: number | string;
  /**
   * Clock, in ms, for every time-based decision: windows, deadlines, outages, token expiry, rule windows.
   * Inject one to drive time from tests. `delayMs` and hang-ups still use real timers. Default: `Date.now`.
   */
  readonly now?: () => number;
  /** Requests kept in `stats().log` (the most recent ones). Default: 10_000. */
  readonly logLimit?: number;
  /**
   * Origins whose pages may call the simulator from a browser (CORS), as the browser sends them:
   * `['http://localhost:5173']`, or `'*'` for any origin. A preflight (`OPTIONS` with
   * `Access-Control-Request-Method`) from an allowed origin gets a 204 allowing every method and the
   * requested headers; it is not counted in `stats()`. Every answer to an allowed origin carries
   * `Access-Control-Allow-Origin` and exposes `Retry-After`, the `MS-*` ids, `Location` and
   * `WWW-Authenticate` to the page. Throws a `TypeError` on an entry that is not an origin.
   * Default: none: no CORS headers, so a page on another origin is blocked by its browser (axios then
   * reports `ERR_NETWORK` with no response), as by a server that does not allow that origin.
   *
   * @example
   * const sim = await startPartnerCenterSimulator({ corsOrigins: ['http://127.0.0.1:8080'] });
   */
  readonly corsOrigins?: readonly string[] | '*';
}

/** A running simulator. */
export interface PartnerCenterSimulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`; routes start with `/v1`. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** The current scenario's partner tenant id. */
  readonly partnerId: string;
  /** The current scenario's customer tenant ids (lowercase GUIDs), in listing order. */
  readonly customerIds: readonly string[];
  /** The route templates served ({@link SIMULATOR_ROUTES}). */
  readonly routes: readonly string[];
  /**
   * Stops listening, destroys every open socket (keep-alive ones included), cancels pending delayed
   * answers and leaves no timer. Idempotent: later calls return the same promise.
   */
  close(): Promise<void>;
  /** A JSON-able snapshot of the counters and the recent request log. */
  stats(): SimulatorStats;
  /**
   * Starts the current scenario over: counters, log, rate-limit windows, deadlines, rule counters, orders,
   * registrations and random sequences are reset and the scenario clock restarts at `now()`. Issued tokens
   * and continuation tokens stay valid.
   */
  reset(): void;
  /** Issues a bearer token the simulator accepts until it expires (injected clock). */
  issueToken(options?: IssueTokenOptions): string;
  /**
   * A ready {@link TokenProvider} for `attachResilience(api, { tokenProvider })`: each `getToken()` issues a
   * new token (as {@link PartnerCenterSimulator.issueToken} with `options`) and answers
   * `{ token, expiresOnTimestamp }`, the expiry being `Date.now()` plus the token's lifetime (the library's
   * clock; with an injected `now`, the simulator checks expiry on its own clock).
   *
   * @example
   * const sim = await startPartnerCenterSimulator({ scenario: { auth: { required: true } } });
   * attachResilience(api, { tokenProvider: sim.tokenProvider() });
   */
  tokenProvider(options?: IssueTokenOptions): TokenProvider;
  /**
   * Switches to another scenario (validated first; throws {@link ScenarioValidationError} and keeps the old
   * one when invalid). Stats, tokens, orders, registrations and the random sequences carry on; the scenario
   * clock, the rate-limit windows, deadlines and rule counters start over. Customers are regenerated (their
   * orders and registrations forgotten) only when `customers`, `subscriptionsPerCustomer` or `partnerId`
   * changed.
   */
  setScenario(scenario: Scenario): void;
}

function send(
  res: ServerResponse,
  answer: Answer,
  headers: Record<string, string>,
  cors: Record<string, string>,
): void {
  if (res.destroyed || res.writableEnded) return;
  if (answer.kind === 'hang-up') {
    res.socket?.destroy();
    return;
  }
  res.writeHead(answer.status, {
    ...cors,
    ...headers,
    ...answer.headers,
    'Content-Type': answer.contentType,
    'Content-Length': String(Buffer.byteLength(answer.body)),
  });
  res.end(answer.body);
}

/**
 * Starts a Partner Center simulator: a real `node:http` server on loopback that serves the customers (whole,
 * or paged with continuation tokens: `?size=N`), subscriptions, orders and subscription-registration routes
 * (a 202 long-running operation) with Partner Center's JSON shapes and headers, and injects the throttling,
 * auth failures, faults and outages its scenario describes, deterministically for a given seed, scenario,
 * clock and request sequence. Rejects with {@link ScenarioValidationError} on an invalid scenario, or with
 * the listen error (e.g. `EADDRINUSE`).
 *
 * @example
 * const sim = await startPartnerCenterSimulator({ scenario: scenarios.throttled, seed: 42 });
 * const api = axios.create({ baseURL: sim.url });
 * await api.get('/v1/customers');
 * console.log(sim.stats().hitsBeforeDeadline);
 * await sim.close();
 */
export async function startPartnerCenterSimulator(
  options: PartnerCenterSimulatorOptions = {},
): Promise<PartnerCenterSimulator> {
  const { port = 0, host = '127.0.0.1', now = Date.now, logLimit = 10_000 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`startPartnerCenterSimulator: port must be an integer in 0-65535, got ${port}`);
  }
  if (!Number.isInteger(logLimit) || logLimit < 0) {
    throw new RangeError(
      `startPartnerCenterSimulator: logLimit must be a non-negative integer, got ${logLimit}`,
    );
  }
  const corsOrigins = parseCorsOrigins(options.corsOrigins);
  const scenario = parseScenario(options.scenario ?? healthy);
  const sim = new SimulatorEngine(scenario, options.seed ?? scenario.seed ?? 1, now, logLimit);
  const sockets = new Set<Socket>();
  let closing: Promise<void> | undefined;

  const server: Server = createServer((req, res) => {
    const preflight = preflightHeaders(req, corsOrigins);
    if (preflight !== undefined) {
      req.resume();
      res.on('error', () => undefined);
      res.writeHead(204, preflight).end();
      return;
    }
    const cors = corsHeaders(req, corsOrigins);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('end', () => {
      if (closing !== undefined) {
        res.socket?.destroy();
        return;
      }
      const { answer, headers } = sim.decide(req, Buffer.concat(chunks), size > MAX_BODY_BYTES);
      if (answer.delayMs <= 0) {
        send(res, answer, headers, cors);
        return;
      }
      const timer = setTimeout(() => {
        sim.timers.delete(timer);
        send(res, answer, headers, cors);
      }, answer.delayMs);
      timer.unref();
      sim.timers.add(timer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    get partnerId() {
      return sim.partnerId;
    },
    get customerIds() {
      return sim.customerIds;
    },
    routes: SIMULATOR_ROUTES,
    close() {
      if (closing === undefined) {
        closing = new Promise<void>((resolve) => {
          for (const timer of sim.timers) clearTimeout(timer);
          sim.timers.clear();
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
          server.closeAllConnections();
        });
      }
      return closing;
    },
    stats: () => sim.snapshot(),
    reset: () => sim.reset(),
    issueToken: (tokenOptions) => sim.issueToken(tokenOptions),
    tokenProvider: (tokenOptions) => ({
      async getToken() {
        const issued = sim.issueAccessToken(tokenOptions);
        return { token: issued.token, expiresOnTimestamp: Date.now() + issued.lifetimeMs };
      },
    }),
    setScenario: (next) => sim.setScenario(next),
  };
}
