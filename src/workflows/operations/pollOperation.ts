import type { AxiosInstance, AxiosResponse } from 'axios';
import type { ResilienceHandle } from '../../attach.js';
import { parseRetryAfter, type RetryAfter, readHeader } from '../../http/response.js';
import { originOf, requestUrl } from '../../observability/requestUrl.js';
import { sleep, timerDelay } from '../../policies/sleep.js';
import { foreignTargetIssue, fromAnswering, type UrlBase, urlBaseOf } from '../followTarget.js';
import {
  foreignLocationError,
  nothingToPollError,
  operationFailedError,
  type PollTarget,
  pollCancelledError,
  pollTimeoutError,
  unexpectedAnswerError,
} from './pollErrors.js';
import { type PollOperationOptions, type PollSettings, pollSettingsOf } from './pollOptions.js';

/** How long to wait before the next poll, and whether the server asked for it. */
interface Wait {
  readonly ms: number;
  readonly retryAfter: RetryAfter | undefined;
}

/**
 * The server's `Retry-After` on `response`, else the interval (capped by `maxIntervalMs`). After a poll
 * (`afterPoll`), never less than the floor, `minIntervalMs`: a `Retry-After` of 0 or a date in the past
 * means "now" only for the first poll, after the response that started the operation.
 */
function waitAfter(response: AxiosResponse, settings: PollSettings, afterPoll: boolean): Wait {
  const floor = afterPoll ? settings.minIntervalMs : 0;
  const retryAfter = parseRetryAfter(response.headers);
  if (retryAfter !== undefined) return { ms: Math.max(retryAfter.ms, floor), retryAfter };
  return {
    ms: Math.max(Math.min(settings.intervalMs, settings.maxIntervalMs), floor),
    retryAfter: undefined,
  };
}

/**
 * Throws unless the poll of `location` would go to the origin of `answeredBy` (the absolute URL of the request
 * whose answer named it, or the `baseURL` for a saved Location), as axios will send it: the bearer token goes
 * with every poll. `response` is the answer that named it (`undefined` for a saved Location).
 */
function checkOrigin(
  location: string,
  base: UrlBase,
  answeredBy: { readonly url: string | undefined; readonly of: string },
  response: AxiosResponse | undefined,
  target: PollTarget,
): void {
  const issue = foreignTargetIssue(location, base, { origin: originOf(answeredBy.url), of: answeredBy.of });
  if (issue === undefined) return;
  const reason = `the Location ${issue}; it is not polled (the bearer token would be sent there)`;
  throw foreignLocationError(response, reason, target);
}

/** Waits before a poll, never less than the server asked; fails at once when the wait cannot fit. */
async function pause(
  wait: Wait,
  deadline: number,
  settings: PollSettings,
  target: PollTarget,
): Promise<void> {
  if (settings.signal.aborted) throw pollCancelledError(target);
  if (wait.retryAfter !== undefined && wait.ms > settings.maxIntervalMs) {
    const reason = `the server asks to wait ${wait.ms} ms before the next poll, more than maxIntervalMs (${settings.maxIntervalMs} ms); not polled early`;
    throw pollTimeoutError(target, reason, wait.retryAfter);
  }
  const left = deadline - Date.now();
  if (wait.ms >= left) {
    const reason = `the next poll (in ${wait.ms} ms) could not start before timeoutMs (${settings.timeoutMs} ms) runs out (${Math.max(0, left)} ms left)`;
    throw pollTimeoutError(target, reason, wait.retryAfter);
  }
  await sleep(wait.ms, settings.signal, () => pollCancelledError(target));
}

/**
 * One poll: a GET of `location` through the instance with the caller's extra config, its signal linked to the
 * caller's. A poll still running when the deadline comes is aborted and reported as `timeout` (the engine
 * would call the abort `cancelled`); the instance's own time budgets stay as they are.
 */
async function pollOnce(
  instance: AxiosInstance,
  location: string,
  settings: PollSettings,
  deadline: number,
  target: PollTarget,
): Promise<AxiosResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const unlink = settings.signal.onAbort(() => controller.abort());
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort();
    },
    timerDelay(deadline - Date.now()),
  );
  try {
    return await instance.get<unknown>(location, { ...settings.request, signal: controller.signal });
  } catch (error: unknown) {
    if (!timedOut) throw error;
    const reason = `timeoutMs (${settings.timeoutMs} ms) ran out while a poll was in flight; it was aborted`;
    throw pollTimeoutError(target, reason, undefined);
  } finally {
    clearTimeout(timer);
    unlink();
  }
}

/**
 * Waits for a Partner Center asynchronous operation (register a subscription, a billing reconciliation
 * export, ...): the call that starts one answers `202 Accepted` with `Location` (where its status is) and
 * `Retry-After` (when to ask). This waits the server's `Retry-After` (else `intervalMs`), then GETs the
 * Location through the instance of `client` (the handle `attachResilience` returned, or the instance itself;
 * so through the engine: throttling and retries are handled there), until the
 * operation is done, failed, or the time is up. It never polls before the server's `Retry-After`.
 *
 * - A `202` answer polls again (a new `Location` replaces the URL); a 2xx answer whose JSON `status` is
 *   running (`notStarted`, `running`, `inProgress`, `pending`, `accepted`, `registering`; any case) polls again;
 *   a failed `status` (`failed`, `canceled`, `cancelled`, `error`) rejects with `operation-failed`; any other
 *   2xx resolves with that response. `classify` overrides this reading.
 * - `operation` is the response that started the operation (the first poll waits its `Retry-After`), or a
 *   saved Location URL (polled at once, to resume after a restart). A Location that is a path from the host
 *   (`/v1/...`) goes to the origin of the request that answered it (of the `baseURL` for a saved one), also
 *   when the `baseURL` ends in `/v1`, and a protocol-relative one (`//host/...`) takes its scheme; any other
 *   relative Location is resolved against the `baseURL` by axios.
 * - The bearer token goes with every poll, so a Location must lead (where axios sends it) to the origin of
 *   the request that answered it, a saved one to the `baseURL`'s origin: another host or port, an `http:`
 *   downgrade or userinfo is refused at once (`client`), nothing polled, as `paginate` refuses such a link.
 * - The errors it builds itself are scrubbed with the handle's sanitizer (its `secrets` and
 *   `allowedQueryParameters`); given a bare axios instance, with the default one.
 *
 * @returns the poll answer that said the operation is done.
 * @throws (rejects) PartnerCenterError: `operation-failed`; `timeout` (time up, or the server asks to wait
 *   longer than `maxIntervalMs`); `cancelled`; `client` (no Location, or one on another origin); the engine's
 *   error of a failed poll.
 *   `ResilienceOptionsError` for invalid options.
 */
export async function pollOperation(
  client: ResilienceHandle | AxiosInstance,
  operation: AxiosResponse | string,
  options: PollOperationOptions = {},
): Promise<AxiosResponse> {
  const settings = pollSettingsOf(client, operation, options);
  const { instance, sanitizer } = settings.client;
  const deadline = Date.now() + settings.timeoutMs;
  const base = urlBaseOf(instance, settings.request);
  const baseURL = base.baseURL;
  const targetOf = (url: string): PollTarget => ({ url: requestUrl({ url, ...base }), status, sanitizer });
  let location: string;
  let wait: Wait;
  let status: number | undefined;
  if (typeof operation === 'string') {
    location = fromAnswering(operation.trim(), baseURL);
    // A saved Location is the caller's, but it may have been tampered with: on the baseURL's origin only.
    if (baseURL !== undefined) {
      const answeredBy = { url: baseURL, of: 'the baseURL' };
      checkOrigin(location, base, answeredBy, undefined, targetOf(location));
    }
    const notBefore = settings.notBefore ?? 0;
    const ms = Math.max(0, notBefore - Date.now());
    // A saved Retry-After deadline is the server's word: it is checked against maxIntervalMs like one.
    wait = { ms, retryAfter: ms > 0 ? { ms, source: 'retry-after' } : undefined };
  } else {
    const header = readHeader(operation.headers, 'location');
    if (header === undefined) throw nothingToPollError(operation, sanitizer);
    const answeredBy = requestUrl(operation.config ?? {}) ?? baseURL;
    location = fromAnswering(header.trim(), answeredBy);
    status = operation.status;
    const of = { url: answeredBy, of: 'the request that answered it' };
    checkOrigin(location, base, of, operation, targetOf(location));
    wait = waitAfter(operation, settings, false);
  }
  for (;;) {
    const target = targetOf(location);
    await pause(wait, deadline, settings, target);
    const response = await pollOnce(instance, location, settings, deadline, target);
    status = response.status;
    if (status < 200 || status > 299) throw unexpectedAnswerError(response, sanitizer);
    const { onPoll, classify } = settings;
    onPoll?.(response);
    const state = classify(response);
    if (state === 'done') return response;
    if (state === 'failed') throw operationFailedError(response, sanitizer);
    if (state !== 'running') {
      throw new TypeError(
        `pollOperation: classify returned ${JSON.stringify(state)}; expected 'done', 'running' or 'failed'`,
      );
    }
    const next = status === 202 ? readHeader(response.headers, 'location') : undefined;
    if (next !== undefined) {
      const answeredBy = requestUrl(response.config) ?? baseURL;
      location = fromAnswering(next.trim(), answeredBy);
      const of = { url: answeredBy, of: 'the request that answered it' };
      checkOrigin(location, base, of, response, targetOf(location));
    }
    wait = waitAfter(response, settings, true);
  }
}
