import { type Answer, json, partnerCenterError } from './responses.js';
import { REGISTRATION_STATUS_ROUTE, type RouteMatch } from './routes.js';
import type { OperationsConfig } from './scenario.js';
import type { StatsRecorder } from './stats.js';

/** Default of `scenario.operations.durationMs`. */
export const DEFAULT_OPERATION_DURATION_MS = 3000;

/** Default of `scenario.operations.retryAfterSeconds`. */
export const DEFAULT_OPERATION_RETRY_AFTER_SECONDS = 1;

/** Registrations remembered before the oldest are forgotten. */
const MAX_REGISTRATIONS = 10_000;

/** The error of a registration that finished with `outcome: 'failed'` (the simulator's own wording). */
export const REGISTRATION_FAILED_ERROR = {
  code: 'RegistrationFailed',
  description: 'The subscription could not be registered. Submit the registration again.',
} as const;

/** `scenario.operations` with its defaults. */
export function operationSettings(config: OperationsConfig | undefined): Required<OperationsConfig> {
  return {
    durationMs: config?.durationMs ?? DEFAULT_OPERATION_DURATION_MS,
    retryAfterSeconds: config?.retryAfterSeconds ?? DEFAULT_OPERATION_RETRY_AFTER_SECONDS,
    outcome: config?.outcome ?? 'registered',
  };
}

/** One accepted registration; it keeps the settings it was accepted under. */
interface Registration {
  /** `customer|subscription`, lowercase: the key of {@link RegistrationTracker}'s map and of `Answer.operation`. */
  readonly key: string;
  readonly subscriptionId: string;
  /** Its status URL (the `Location` of its 202s). */
  readonly location: string;
  /** When it has finished (injected clock). */
  readonly readyAt: number;
  readonly retryAfterSeconds: number;
  readonly outcome: 'registered' | 'failed';
  /** The `Retry-After` deadline last told for it (injected clock). */
  pollAfter: number;
}

function keyOf(customerId: string, subscriptionId: string): string {
  return `${customerId.toLowerCase()}|${subscriptionId.toLowerCase()}`;
}

/** The subscription registrations of one simulated partner: at most 10_000, the oldest forgotten first. */
export class RegistrationTracker {
  private readonly registrations = new Map<string, Registration>();

  /**
   * Counts a status request when it arrives, whatever it will be answered: a poll of a known registration,
   * and an early one when it came before the `Retry-After` last told for that registration.
   */
  notePoll(
    route: RouteMatch,
    method: string,
    customerId: string | undefined,
    now: number,
    stats: StatsRecorder,
  ): void {
    if (route.template !== REGISTRATION_STATUS_ROUTE || method !== 'GET') return;
    if (customerId === undefined || route.subscriptionId === undefined) return;
    const registration = this.registrations.get(keyOf(customerId, route.subscriptionId));
    if (registration === undefined) return;
    stats.operationPolls++;
    if (now < registration.pollAfter) stats.earlyPolls++;
  }

  /** Records that `operation` (an `Answer.operation`) was told to wait `seconds` from `now`. */
  told(operation: string, now: number, seconds: number): void {
    const registration = this.registrations.get(operation);
    if (registration !== undefined) registration.pollAfter = now + seconds * 1000;
  }

  /**
   * `POST .../registrations` of a known subscription: 202 with `Location` and `Retry-After`. A POST while the
   * subscription's registration runs answers that registration (it is not restarted); after it finished, a
   * POST starts a new one.
   */
  accept(
    customerId: string,
    subscriptionId: string,
    now: number,
    settings: Required<OperationsConfig>,
    stats: StatsRecorder,
  ): Answer {
    const key = keyOf(customerId, subscriptionId);
    let registration = this.registrations.get(key);
    if (registration === undefined || now >= registration.readyAt) {
      registration = {
        key,
        subscriptionId,
        location: `/v1/customers/${customerId}/subscriptions/${subscriptionId}/registrationstatus`,
        readyAt: now + settings.durationMs,
        retryAfterSeconds: settings.retryAfterSeconds,
        outcome: settings.outcome,
        pollAfter: Number.NEGATIVE_INFINITY,
      };
      this.registrations.delete(key);
      this.registrations.set(key, registration);
      if (this.registrations.size > MAX_REGISTRATIONS) {
        const oldest = this.registrations.keys().next();
        if (oldest.done !== true) this.registrations.delete(oldest.value);
      }
      stats.operationsAccepted++;
    }
    return running(registration, 'registration-accepted');
  }

  /**
   * `GET .../registrationstatus`: 202 (with `Location` and `Retry-After`) while the registration runs, 200
   * with its outcome once finished, 404 when the subscription was never registered.
   */
  status(customerId: string, subscriptionId: string, now: number): Answer {
    const registration = this.registrations.get(keyOf(customerId, subscriptionId));
    if (registration === undefined) {
      const description = `No registration was requested for subscription ${subscriptionId}`;
      return partnerCenterError(404, 3000, description, 'registration-not-found');
    }
    if (now < registration.readyAt) return running(registration, 'registration-running');
    const { outcome } = registration;
    const body =
      outcome === 'failed'
        ? { subscriptionId, status: outcome, error: REGISTRATION_FAILED_ERROR }
        : { subscriptionId, status: outcome };
    return json(200, body, `registration-${outcome}`);
  }
}

/**
 * The 202 of a running registration. Its `Retry-After` becomes the registration's polling deadline through
 * {@link RegistrationTracker.told} once the answer is known to be sent (a fault may answer instead).
 */
function running(registration: Registration, reason: string): Answer {
  const body = { subscriptionId: registration.subscriptionId, status: 'registering' };
  const headers = { Location: registration.location, 'Retry-After': String(registration.retryAfterSeconds) };
  return { ...json(202, body, reason, headers), operation: registration.key };
}
