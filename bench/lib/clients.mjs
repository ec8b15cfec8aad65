// The three clients compared, each built on a fresh axios instance against the same base URL:
//   axios        bare axios, no retries
//   axios-retry  axios-retry 4 in its documented recommended setup (default retryCondition)
//   ours         partner-center-resilience with its documented defaults (plus the scenario's stated overrides)
import { Agent } from 'node:http';
import axios from 'axios';
import axiosRetry from 'axios-retry';
import { attachResilience, isPartnerCenterError } from '../../dist/index.js';

export const CLIENT_NAMES = ['axios', 'axios-retry', 'ours'];

/** Label of each client in the tables. */
export const CLIENT_LABELS = {
  axios: 'axios',
  'axios-retry': 'axios + axios-retry',
  ours: 'partner-center-resilience',
};

/**
 * A fresh client: `{ api, handle, dispose }` (`handle`: the ResilienceHandle of ours, else undefined). `baseURL` or `adapter` (a stub adapter, no network) must be given.
 * With an adapter, `baseURL` (default `http://stub.invalid`) only names the URLs; no agent is made.
 * `ours` are extra options for partner-center-resilience (the scenario's overrides, hooks); `axiosRetry`
 * replaces the options given to axios-retry (default: retries 3, exponentialDelay).
 */
export function createClient(name, { baseURL, adapter, ours = {}, axiosRetry: retryOptions } = {}) {
  const agent = baseURL && !adapter ? new Agent({ keepAlive: true }) : undefined;
  const api = axios.create({
    baseURL: baseURL ?? 'http://stub.invalid',
    ...(adapter ? { adapter } : {}),
    ...(agent ? { httpAgent: agent } : {}),
    headers: { Accept: 'application/json', 'MS-Contract-Version': 'v1' },
  });
  let handle;
  if (name === 'axios-retry') {
    axiosRetry(api, retryOptions ?? { retries: 3, retryDelay: axiosRetry.exponentialDelay });
  } else if (name === 'ours') {
    handle = attachResilience(api, ours);
  } else if (name !== 'axios') {
    throw new Error(`unknown client ${name}`);
  }
  return {
    api,
    handle,
    dispose() {
      handle?.detach();
      agent?.destroy();
    },
  };
}

/** A short outcome label of a failed call, comparable across clients. */
export function failureKind(error) {
  if (isPartnerCenterError(error))
    return error.outcomeUnknown ? `${error.kind} (outcome unknown)` : error.kind;
  const status = error?.response?.status;
  if (status) return `http ${status}`;
  return error?.code ? `network ${error.code}` : 'unexpected';
}
