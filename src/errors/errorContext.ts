import { readHeader } from '../http/readHeader.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import { configSnapshot, type PartnerCenterRequestSnapshot } from './axiosCompat.js';
import type { ErrorCodeTable } from './errorCodes.js';
import type { PartnerCenterErrorInit } from './PartnerCenterError.js';
import { cap, isObject, str } from './values.js';

/** Context the caller knows and the thrown value may not carry. Every field is optional. */
export interface NormalizeErrorContext {
  /** Code table to classify `code` with. Default: {@link DEFAULT_ERROR_CODES}. */
  readonly codes?: ErrorCodeTable;
  /** Sanitizer for URLs, headers and text. Default: the built-in allow-lists. */
  readonly sanitizer?: Sanitizer;
  readonly scope?: string;
  readonly attempts?: number;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly method?: string;
  readonly url?: string;
  /** Clock for HTTP-date Retry-After values. Default: `Date.now()`. */
  readonly now?: number;
}

/** What the failed request's axios config tells about it. */
export interface RequestFacts {
  method?: string;
  url?: string;
  requestId?: string;
  correlationId?: string;
  /** The request as `error.config` shows it (redacted when the error is built). */
  config?: PartnerCenterRequestSnapshot;
}

/** Method, URL and ids read from an axios request config (anything else reads as nothing). */
export function requestFacts(config: unknown): RequestFacts {
  if (!isObject(config)) return {};
  const out: RequestFacts = {};
  const method = str(config['method']);
  // An HTTP method is a short token; anything else is not reported.
  if (method && /^[A-Za-z-]{1,32}$/.test(method)) out.method = method.toUpperCase();
  const url = requestUrl(config);
  if (url !== undefined) out.url = url;
  const requestId = readHeader(config['headers'], 'ms-requestid');
  if (requestId) out.requestId = requestId;
  const correlationId = readHeader(config['headers'], 'ms-correlationid');
  if (correlationId) out.correlationId = correlationId;
  const snapshot = configSnapshot(config);
  if (snapshot !== undefined) out.config = snapshot;
  return out;
}

/** The context's fields that are set, as error fields (they win over what the thrown value said). */
export function contextFields(ctx: NormalizeErrorContext): Partial<PartnerCenterErrorInit> {
  const out: { -readonly [K in keyof PartnerCenterErrorInit]?: PartnerCenterErrorInit[K] } = {};
  if (ctx.scope !== undefined) out.scope = ctx.scope;
  if (ctx.attempts !== undefined) out.attempts = ctx.attempts;
  if (ctx.requestId !== undefined) out.requestId = ctx.requestId;
  if (ctx.correlationId !== undefined) out.correlationId = ctx.correlationId;
  if (ctx.method !== undefined) out.method = ctx.method;
  if (ctx.url !== undefined) out.url = ctx.url;
  return out;
}

/** A request header value (MS-RequestId, MS-CorrelationId) as it may be reported: scrubbed and capped. */
export function idText(value: string | undefined, sanitizer: Sanitizer): string | undefined {
  return value === undefined ? undefined : cap(sanitizer.scrubText(value), 256);
}
