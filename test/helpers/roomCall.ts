import { type AxiosAdapter, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createErrorCodeTable } from '../../src/errors/classify.js';
import { createSanitizer } from '../../src/observability/sanitizer.js';
import { normalizeOptions } from '../../src/options/normalizeOptions.js';
import type { ResilienceOptions } from '../../src/options/ResilienceOptions.js';
import type { PartnerCenterRequestOptions } from '../../src/options/requestOptions.js';
import type { ResolvedScopePolicy } from '../../src/options/ScopePolicyOptions.js';
import { Call } from '../../src/policies/call.js';

/** Fields of a request config, any of them explicitly `undefined` (to leave out a default). */
export type ConfigFields = {
  [K in keyof InternalAxiosRequestConfig]?: InternalAxiosRequestConfig[K] | undefined;
};

/** What a room test varies about its call. */
export interface CallSetup {
  /** Instance options, normalised into the call's resolved policy. */
  readonly options?: ResilienceOptions;
  /** A resolved policy used as is (not validated): to drive a room with values options would refuse. */
  readonly policy?: ResolvedScopePolicy;
  /** Fields of the request config (its headers are a fresh AxiosHeaders unless given). */
  readonly config?: ConfigFields;
  readonly request?: PartnerCenterRequestOptions;
  readonly base?: AxiosAdapter;
  readonly scope?: string;
  /** The base adapter settles once its signal aborts (as axios's own adapters do). Default false. */
  readonly settlesOnAbort?: boolean;
}

/** The resolved policy of `options` (validated and defaulted as attachResilience does). */
export function resolvedPolicy(options: ResilienceOptions = {}): ResolvedScopePolicy {
  return normalizeOptions(options).policy;
}

/** An adapter that answers 200 with the request's own config. */
export const okAdapter: AxiosAdapter = async (config) =>
  ({ status: 200, statusText: 'OK', headers: {}, data: { ok: true }, config, request: {} }) as AxiosResponse;

/** A request config as axios hands it to an adapter: GET with AxiosHeaders. */
export function requestConfig(fields: ConfigFields = {}): InternalAxiosRequestConfig {
  return {
    method: 'get',
    url: 'https://api.partnercenter.microsoft.com/v1/customers',
    ...fields,
    headers: fields.headers ?? new AxiosHeaders(),
  } as InternalAxiosRequestConfig;
}

/** Builds a Call directly, the way the engine does (reads the clock: set the fake time first). */
export function makeCall(setup: CallSetup = {}): Call {
  return new Call(
    requestConfig(setup.config),
    setup.base ?? okAdapter,
    setup.request ?? {},
    setup.scope ?? 'partner',
    setup.policy ?? resolvedPolicy(setup.options),
    { sanitizer: createSanitizer(), codes: createErrorCodeTable() },
    setup.settlesOnAbort ?? false,
  );
}
