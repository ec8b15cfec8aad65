import type { AxiosResponse } from 'axios';
import type { ResponseFailure } from '../../errors/errorFromResponse.js';
import { errorFromResponse, requestFacts } from '../../errors/errorFromResponse.js';
import { type PartnerCenterError, partnerCenterError } from '../../errors/PartnerCenterError.js';
import { withRequestSecrets } from '../../errors/redaction.js';
import type { RetryAfter } from '../../http/response.js';
import { defaultSanitizer, type Sanitizer } from '../../observability/sanitizer.js';
import { operationStatusOf } from './pollOptions.js';

/** The error of a poll answer: its status, ids and body's code and description, with `failure`'s kind. */
function fromAnswer(
  response: AxiosResponse,
  sanitizer: Sanitizer,
  failure?: ResponseFailure,
): PartnerCenterError {
  return errorFromResponse(
    {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      data: response.data,
    },
    { sanitizer: withRequestSecrets(response.config, sanitizer) },
    undefined,
    requestFacts(response.config),
    failure,
  );
}

/** The operation reported that it failed (or `classify` said so): `operation-failed`, never retryable. */
export function operationFailedError(
  response: AxiosResponse,
  sanitizer: Sanitizer = defaultSanitizer,
): PartnerCenterError {
  const status = operationStatusOf(response.data);
  const reason =
    status === undefined
      ? 'the operation failed (classify)'
      : `the operation reported status "${status.slice(0, 64)}"`;
  return fromAnswer(response, sanitizer, { kind: 'operation-failed', retryable: false, reason });
}

/** A poll answer that is not 2xx (an instance whose `validateStatus` lets it through): classified by status. */
export function unexpectedAnswerError(
  response: AxiosResponse,
  sanitizer: Sanitizer = defaultSanitizer,
): PartnerCenterError {
  return fromAnswer(response, sanitizer);
}

/** Where the operation is polled, for errors raised without a response. */
export interface PollTarget {
  /** The absolute status URL, or the Location as given when it cannot be resolved. */
  readonly url: string | undefined;
  /** Status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** The handle's sanitizer (the default one for a bare instance), for the errors. */
  readonly sanitizer: Sanitizer;
}

/** The next poll cannot be made in time (the server asks for too long a wait, or time is up): `timeout`. */
export function pollTimeoutError(
  target: PollTarget,
  reason: string,
  retryAfter: RetryAfter | undefined,
): PartnerCenterError {
  return partnerCenterError({
    kind: 'timeout',
    retryable: false,
    reason,
    retryAfterMs: retryAfter?.ms,
    retryAfterSource: retryAfter?.source,
    status: target.status,
    method: 'GET',
    url: target.url,
    sanitizer: target.sanitizer,
  });
}

/** The caller aborted while the poll waited (no request in flight). */
export function pollCancelledError(target: PollTarget): PartnerCenterError {
  return partnerCenterError({
    kind: 'cancelled',
    retryable: false,
    reason: 'the caller aborted while waiting for an asynchronous operation',
    status: target.status,
    method: 'GET',
    url: target.url,
    sanitizer: target.sanitizer,
  });
}

/** Neither a response with a `Location` header nor a URL was given: nothing to poll (`client`). */
export function nothingToPollError(
  response: AxiosResponse,
  sanitizer: Sanitizer = defaultSanitizer,
): PartnerCenterError {
  return fromAnswer(response, sanitizer, {
    kind: 'client',
    retryable: false,
    reason: `the ${response.status} response has no Location header: there is no operation status to poll`,
  });
}

/**
 * The `Location` of `response` (or a saved one, when `response` is `undefined`) would be polled on another
 * origin than the one that named it, with the bearer token: `client`, nothing polled. `reason` says why.
 */
export function foreignLocationError(
  response: AxiosResponse | undefined,
  reason: string,
  target: PollTarget,
): PartnerCenterError {
  if (response !== undefined) {
    return fromAnswer(response, target.sanitizer, { kind: 'client', retryable: false, reason });
  }
  return partnerCenterError({
    kind: 'client',
    retryable: false,
    reason,
    method: 'GET',
    url: target.url,
    sanitizer: target.sanitizer,
  });
}
