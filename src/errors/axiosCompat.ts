import { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { readHeader } from '../http/response.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import { cap, isObject, MAX_DATA_CHARS, redactData, str } from './redaction.js';

// The axios-compatible view of a PartnerCenterError: what existing axios code reads (`isAxiosError`,
// `response.status`, `response.data`, `config.url`, `isCancel`), as redacted snapshots.

/**
 * `error.config`: the request config as axios handed it to the adapter, so that existing axios code keeps
 * working (`error.config.url`, `error.config.signal`, keys of the caller's own such as `_retry`, axios-retry's
 * state) and re-sending it (`instance.request(error.config)`) continues the same logical call. Its headers never
 * hold Authorization; other headers, and `params` values, outside their allow-lists read `REDACTED`; the body
 * (`data`), basic `auth` and the agents are left out; `url` and `baseURL` are redacted. A re-send through the same instance restores what was
 * redacted (only towards the same origin). Errors built outside an attached call (`normalizeError` on a
 * foreign error) hold a redacted snapshot: method, url, baseURL and the allow-listed headers.
 */
export type PartnerCenterErrorConfig = InternalAxiosRequestConfig;

/** The request as an error records it: never the Authorization header, never the body. */
export interface PartnerCenterRequestSnapshot {
  /** HTTP method, lower case as axios writes it. */
  readonly method?: string | undefined;
  /** The request's `url`, redacted like {@link PartnerCenterError.url} (the absolute URL when `url` is unknown). */
  readonly url?: string | undefined;
  /** The request's `baseURL`, redacted. */
  readonly baseURL?: string | undefined;
  /** Allow-listed request headers ({@link REQUEST_HEADERS}), lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The response as an error shows it in `error.response`. */
export interface PartnerCenterErrorResponse {
  /** HTTP status (the error's `status`). */
  readonly status: number;
  /** The response's status text, scrubbed (`''` when unknown). */
  readonly statusText: string;
  /** The allow-listed response headers (the error's `headers`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed body, redacted (secret-named keys at any depth, tokens, known secrets), or the body snippet. */
  readonly data: unknown;
  /** The request (the error's `config`). */
  readonly config: PartnerCenterErrorConfig;
}

/** What an error keeps of its HTTP exchange for the axios-compatible view; redacted when the error is built. */
export interface PartnerCenterErrorExchange {
  /** The response's status text. */
  readonly statusText?: string | undefined;
  /** The parsed response body, or its snippet. */
  readonly data?: unknown;
  /** The axios error code of the failure (`ERR_BAD_REQUEST`, `ECONNABORTED`, `ERR_CANCELED`, `ECONNRESET`). */
  readonly axiosCode?: string | undefined;
  /** The request. */
  readonly config?: PartnerCenterRequestSnapshot | undefined;
}

/** Request headers shown in `error.config.headers`; every other one (Authorization first) is left out. */
export const REQUEST_HEADERS: readonly string[] = [
  'accept',
  'content-type',
  'ms-requestid',
  'ms-correlationid',
  'ms-contract-version',
  'ms-partnercenter-application',
  'x-locale',
];

const METHOD = /^[A-Za-z-]{1,32}$/;

/** The request snapshot of an axios config (unredacted strings; {@link redactExchange} redacts them). */
export function configSnapshot(config: unknown): PartnerCenterRequestSnapshot | undefined {
  if (!isObject(config)) return undefined;
  const headers: Record<string, string> = {};
  for (const name of REQUEST_HEADERS) {
    const value = readHeader(config['headers'], name);
    if (value !== undefined) headers[name] = value;
  }
  const method = str(config['method']);
  return {
    method: method !== undefined && METHOD.test(method) ? method.toLowerCase() : undefined,
    url: str(config['url']),
    baseURL: str(config['baseURL']),
    headers,
  };
}

/** A JSON-safe copy, so that every read of `error.response` gets its own objects to change. */
function copyOf(data: unknown): unknown {
  if (data === null || typeof data !== 'object') return data;
  try {
    return JSON.parse(JSON.stringify(data)) as unknown;
  } catch {
    return undefined;
  }
}

/** The exchange with every text redacted by `sanitizer` (idempotent: a redacted exchange stays as it is). */
export function redactExchange(
  exchange: PartnerCenterErrorExchange | undefined,
  sanitizer: Sanitizer,
): PartnerCenterErrorExchange | undefined {
  if (exchange === undefined) return undefined;
  const config = exchange.config;
  const headers: Record<string, string> = {};
  for (const name of REQUEST_HEADERS) {
    const value = config?.headers[name];
    if (typeof value === 'string') headers[name] = cap(sanitizer.scrubText(value), 256) as string;
  }
  const url = (value: string | undefined) => (value === undefined ? undefined : sanitizer.sanitizeUrl(value));
  const data = exchange.data;
  return Object.freeze({
    statusText: cap(exchange.statusText && sanitizer.scrubText(exchange.statusText), 256),
    data:
      typeof data === 'string'
        ? cap(sanitizer.scrubText(data), MAX_DATA_CHARS + 16)
        : redactData(data, sanitizer),
    axiosCode:
      exchange.axiosCode === undefined ? undefined : cap(sanitizer.scrubText(exchange.axiosCode), 64),
    config:
      config === undefined
        ? undefined
        : Object.freeze({
            method:
              config.method !== undefined && METHOD.test(config.method)
                ? config.method.toLowerCase()
                : undefined,
            url: url(config.url),
            baseURL: url(config.baseURL),
            headers: Object.freeze(headers),
          }),
  });
}

/** The error fields the axios-compatible view is derived from. */
interface ViewFields {
  readonly kind: string;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly code: string | undefined;
  readonly description: string | undefined;
  readonly data: unknown;
  readonly source: string | undefined;
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** True for an error that came from a request (it knows its method, URL or status). */
export function fromExchange(fields: ViewFields): boolean {
  return fields.status !== undefined || fields.method !== undefined || fields.url !== undefined;
}

/**
 * `error.config` of an error bound to no call: a new object on each read, built from the snapshot, else from
 * what the error's own fields say of the request.
 */
export function configView(
  fields: ViewFields,
  exchange: PartnerCenterErrorExchange | undefined,
): PartnerCenterErrorConfig | undefined {
  if (!fromExchange(fields)) return undefined;
  const own = exchange?.config;
  const headers: Record<string, string> = { ...own?.headers };
  if (fields.requestId !== undefined) headers['ms-requestid'] ??= fields.requestId;
  if (fields.correlationId !== undefined) headers['ms-correlationid'] ??= fields.correlationId;
  const config: PartnerCenterErrorConfig = { headers: new AxiosHeaders(headers) };
  const method = own?.method ?? fields.method?.toLowerCase();
  const url = own?.url ?? fields.url;
  if (method !== undefined) config.method = method;
  if (url !== undefined) config.url = url;
  if (own?.baseURL !== undefined) config.baseURL = own.baseURL;
  return config;
}

/** `error.response`, for errors that got a status. */
export function responseView(
  fields: ViewFields,
  exchange: PartnerCenterErrorExchange | undefined,
  config: PartnerCenterErrorConfig | undefined,
): PartnerCenterErrorResponse | undefined {
  if (fields.status === undefined) return undefined;
  const fromFields =
    fields.body ??
    (fields.code === undefined && fields.description === undefined
      ? undefined
      : { code: fields.code, description: fields.description, data: fields.data, source: fields.source });
  return {
    status: fields.status,
    statusText: exchange?.statusText ?? '',
    headers: { ...fields.headers },
    data: copyOf(exchange?.data !== undefined ? exchange.data : fromFields),
    config: config ?? configView(fields, exchange) ?? { headers: new AxiosHeaders() },
  };
}

/** The axios error code: the failure's own when it had one, else the one axios would have used. */
export function axiosCodeOf(
  fields: ViewFields,
  exchange: PartnerCenterErrorExchange | undefined,
): string | undefined {
  if (exchange?.axiosCode !== undefined) return exchange.axiosCode;
  if (fields.kind === 'cancelled') return 'ERR_CANCELED';
  if (fields.kind === 'timeout' && fields.status === undefined) return 'ECONNABORTED';
  if (fields.status !== undefined) return fields.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST';
  if (fields.kind === 'network') return 'ERR_NETWORK';
  return undefined;
}
