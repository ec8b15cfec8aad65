import type { AxiosResponse } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { CallInfo } from '../observability/callInfo.js';

/**
 * What {@link Reconcile} is told about a call whose outcome is unknown: its {@link CallInfo} (a resend carries
 * the same `requestId`), with the URL as sent, and what the call sent.
 */
export interface ReconcileRequest extends CallInfo {
  /** Epoch ms at which the call started: whatever it created was created after this. */
  readonly startedAt: number;
  /** The request URL as sent (the instance's `baseURL` joined, query included; not redacted: your own data). */
  readonly url: string;
  /** The request body as it was sent (after axios's `transformRequest`: usually a JSON string). */
  readonly data: unknown;
  /** The unknown-outcome error the call would otherwise fail with. */
  readonly error: PartnerCenterError;
  /**
   * Aborts when the wait ends: the caller's abort, the call's total budget, or the reconcile limit
   * (`timeout.attemptMs`, or what is left of the budget when shorter). Pass it to your own requests.
   */
  readonly signal: AbortSignal;
}

/**
 * Decides a non-idempotent call whose outcome is unknown (a POST that timed out, was reset, or answered 500,
 * 502 or 504 after it may have been processed). Return the resource the call created, as an axios response
 * (the call resolves with it); `null` when the request surely was not processed (the engine resends it with
 * the same `MS-RequestId`, within `retry.maxAttempts` and the budget); or throw when you cannot tell (the call
 * fails with the unknown-outcome error). docs/exactly-once-orders.md has recipes for orders and carts.
 */
export type Reconcile = (request: ReconcileRequest) => Promise<AxiosResponse | null> | AxiosResponse | null;
