import type { AxiosResponse } from 'axios';
import type { PartnerCenterError } from '../errors/PartnerCenterError.js';
import type { Call } from './call.js';
import { failureOf } from './callErrors.js';

/**
 * How one attempt ended, as it travels back up the list: answered (a response), or failed (`sent`: it
 * reached the base adapter; `authorization`: the Authorization value it sent, when the library set one).
 */
export type Outcome =
  | { readonly response: AxiosResponse; readonly failure?: undefined }
  | {
      readonly response?: undefined;
      readonly failure: PartnerCenterError;
      readonly sent: boolean;
      readonly authorization?: string | undefined;
      /** Reconcile found that the request was not processed: the retry policy may resend it. */
      readonly notProcessed?: boolean | undefined;
      /** A policy decided that the call ends with this failure: it is not retried, and its reason stays. */
      readonly final?: boolean | undefined;
      /** The caller's own value the attempt's adapter or token provider threw: the caller gets it back. */
      readonly thrown?: { readonly value: unknown } | undefined;
    };

/** Gives each attempt its Authorization value: a string now, or a promise of it (bounded by the attempt). */
export interface Authorizer {
  authorization(call: Call, signal: AbortSignal | undefined): string | Promise<string>;
}

/** What the policies above pass down for one attempt. */
export interface AttemptSpec {
  /** The attempt is a retry (the retry policy allowed it): counted in the partner's retries in flight. */
  readonly retry: boolean;
  /** A 401's replay with a new token: not counted as an attempt. */
  readonly replay?: boolean | undefined;
  /** The call's last failure (not a refusal of the breaker's), kept on a circuit-open error. */
  readonly last?: PartnerCenterError | undefined;
  /** Sets the attempt's Authorization header (the auth policy's), called by the attempt itself. */
  readonly authorize?: Authorizer | undefined;
  /**
   * The outcome of the success path's attempt, which the list takes over: the attempt at the end of the list
   * returns it instead of sending, and the policies record it as their own (no waiting, no slot taken).
   */
  readonly takenOver?: Outcome | undefined;
  /** The taken-over outcome is an earlier part's (a re-send of error.config): no policy records it again. */
  readonly resumed?: boolean | undefined;
}

/** The rest of the list, for one attempt. */
export type Next = (spec: AttemptSpec) => Promise<Outcome>;

/**
 * One policy of the list: it may wait or refuse before the attempt, run the rest of the list (`next`) once or
 * more, and record or change what comes back. A refusal is an outcome (`{ failure, sent: false }`), not a
 * throw; whatever a policy throws is turned into the call's failure by the list.
 */
export interface CallPolicy {
  readonly name: string;
  run(call: Call, spec: AttemptSpec, next: Next): Promise<Outcome>;
}

/** A failure nothing was sent for. */
export function refused(failure: PartnerCenterError): Outcome {
  return { failure, sent: false };
}

/**
 * Composes `policies` (outermost first) around `send`, the attempt at the end of the list, into one function
 * running a call's attempts. A throw inside a policy (a wait it cannot make, an abort) goes up through the
 * policies above it (their `finally` runs) and becomes a failure outcome (nothing sent) at the top; a policy
 * that goes on after a failure (the retry policy) catches it itself.
 */
export function composeList(
  policies: readonly CallPolicy[],
  send: (call: Call, spec: AttemptSpec) => Promise<Outcome>,
): (call: Call, spec: AttemptSpec) => Promise<Outcome> {
  let run = send;
  for (let i = policies.length - 1; i >= 0; i--) {
    const policy = policies[i] as CallPolicy;
    const inner = run;
    // No frame of its own per level: an outcome travels back up in as few microtasks as the policies take.
    run = (call, spec) => policy.run(call, spec, (next) => inner(call, next));
  }
  const list = run;
  return async (call, spec) => {
    try {
      return await list(call, spec);
    } catch (error: unknown) {
      return refused(failureOf(call, error));
    }
  };
}

/** Counts the attempts: every pass down to the breaker and the send, but a 401's replay or a taken-over one. */
export const countAttempts: CallPolicy = {
  name: 'attempt count',
  run(call, spec, next) {
    if (spec.takenOver === undefined && spec.replay !== true) call.attempts += 1;
    return next(spec);
  },
};
