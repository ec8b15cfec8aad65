import axios, { type AxiosInstance } from 'axios';
import { vi } from 'vitest';
import { attachResilience, type ResilienceHandle, type ResilienceOptions } from '../../src/index.js';
import { QuotaTracker } from '../../src/testing/quotas.js';
import type { QuotaRule } from '../../src/testing/scenario.js';
import { type Hit, type Step, scriptedAdapter } from './scriptedAdapter.js';

/** The base URL of the instances under test. */
export const QUOTA_BASE = 'https://api.partnercenter.microsoft.com';

/** A GUID-shaped customer id for index `i`. */
export function customerId(i: number): string {
  return `${(0x20000000 + i).toString(16)}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** The path of a customer read. */
export function readPath(customer: string): string {
  return `/v1/customers/${customer}/subscriptions`;
}

/** One answer as the server saw it: when (fake clock), the customer (or undefined), and its status. */
export interface Answer {
  readonly at: number;
  readonly customer: string | undefined;
  readonly status: number;
}

export interface QuotaServerOptions {
  /** The simulator's sliding-window quotas (`src/testing/quotas.ts`) that count every request. */
  readonly quotas: readonly QuotaRule[];
  /** Per customer (lower-case id), quotas of its own (each counts that customer's requests only). */
  readonly customerQuotas?: Readonly<Record<string, readonly QuotaRule[]>>;
  /** Answers that bypass the quotas (e.g. a customer that always answers 429), checked first. */
  readonly override?: (customer: string | undefined) => Step | undefined;
  /** Server latency (ms). Default 20. */
  readonly latencyMs?: number;
}

/**
 * A Partner Center stand-in with the simulator's sliding-window quotas (the same `QuotaTracker`), on the fake
 * clock: every request counts against every quota that applies (throttled ones too); over one, a 429 with a
 * whole-second Retry-After. No network: the engine under test runs on vitest's fake timers.
 */
export function quotaServer(options: QuotaServerOptions) {
  const shared = new QuotaTracker(options.quotas);
  const own = new Map(
    Object.entries(options.customerQuotas ?? {}).map(([id, rules]) => [id, new QuotaTracker(rules)]),
  );
  const latency = options.latencyMs ?? 20;
  const answers: Answer[] = [];
  const step = (hit: Hit): Step => {
    const match = /\/v1\/customers\/([^/?]+)/i.exec(hit.url);
    const customer = match?.[1]?.toLowerCase();
    const overridden = options.override?.(customer);
    const request = {
      method: hit.method,
      template: customer === undefined ? '/v1/customers' : '/v1/customers/{customer-tenant-id}/subscriptions',
      customer,
    };
    const check = shared.take(request, hit.at);
    const ownCheck = customer === undefined ? undefined : own.get(customer)?.take(request, hit.at);
    const exceeded = ownCheck?.exceeded ?? check.exceeded;
    const answer: Step =
      overridden ??
      (exceeded === undefined
        ? { status: 200, data: { items: [] }, delayMs: latency }
        : { status: 429, headers: { 'retry-after': String(exceeded.seconds) }, delayMs: latency });
    answers.push({ at: hit.at, customer, status: 'status' in answer ? answer.status : 0 });
    return answer;
  };
  const scripted = scriptedAdapter(step);
  return { ...scripted, answers };
}

/** An instance attached to a {@link quotaServer}. */
export function attachToQuotas(server: ReturnType<typeof quotaServer>, options: ResilienceOptions = {}) {
  const instance: AxiosInstance = axios.create({ adapter: server.adapter, baseURL: QUOTA_BASE });
  const handle: ResilienceHandle = attachResilience(instance, options);
  return { instance, handle };
}

/** One logical call's outcome: when it settled (fake clock), its customer, and whether it succeeded. */
export interface Settled {
  readonly at: number;
  readonly customer: string | undefined;
  readonly ok: boolean;
  readonly kind?: string;
}

/**
 * `lanes` workers, each sending its next call (the path `next(lane, i)` gives, or stopping at `undefined`)
 * when the previous one settles, until `untilMs` after the start (no call starts after it), all on the fake
 * clock; resolves when every lane has stopped, with every call's outcome.
 */
export async function runLanes(
  instance: AxiosInstance,
  lanes: number,
  untilMs: number,
  next: (lane: number, i: number) => string | undefined,
): Promise<{ settled: Settled[]; started: number; endedAt: number }> {
  const started = Date.now();
  const settled: Settled[] = [];
  let endedAt = started;
  const lane = async (index: number) => {
    for (let i = 0; Date.now() - started < untilMs; i += 1) {
      const path = next(index, i);
      if (path === undefined) return;
      const customer = /\/v1\/customers\/([^/?]+)/i.exec(path)?.[1]?.toLowerCase();
      try {
        await instance.get(path);
        settled.push({ at: Date.now() - started, customer, ok: true });
      } catch (error: unknown) {
        const kind = (error as { kind?: string }).kind;
        settled.push({ at: Date.now() - started, customer, ok: false, ...(kind ? { kind } : {}) });
      }
      endedAt = Date.now();
    }
  };
  const all = Promise.all(Array.from({ length: lanes }, (_, index) => lane(index)));
  let done = false;
  void all.then(() => {
    done = true;
  });
  // Step the fake clock until every lane has stopped (a call in flight at the end settles within its budget).
  while (!done) await vi.advanceTimersByTimeAsync(100);
  await all;
  return { settled, started, endedAt };
}
