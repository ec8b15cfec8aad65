import {
  parseRetryAfter,
  parseRetryAfterFromMessage,
  type RetryAfter,
  readHeader,
} from '../http/response.js';
import { requestUrl } from '../observability/requestUrl.js';
import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';
import { configSnapshot, type PartnerCenterRequestSnapshot } from './axiosCompat.js';
import {
  type Classification,
  classifyStatus,
  DEFAULT_ERROR_CODES,
  type ErrorCodeTable,
  isRetryableResponse,
  lookupErrorCode,
} from './classify.js';
import { htmlTitle, parsePartnerCenterErrorBody, readBody, salvage } from './errorBody.js';
import {
  type PartnerCenterError,
  type PartnerCenterErrorInit,
  partnerCenterError,
} from './PartnerCenterError.js';
import {
  cap,
  isObject,
  MAX_BODY_SNIPPET_CHARS,
  MAX_DESCRIPTION_CHARS,
  redactData,
  safeStringify,
  str,
} from './redaction.js';

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

/** A failure that happened after the status arrived (the body was cut off): it decides kind and reason. */
export interface ResponseFailure extends Classification {
  readonly reason: string;
}

/**
 * Builds the error for an HTTP response that failed: status, headers and body in, classified error out.
 * Exposed for adapters and tests; {@link normalizeError} calls it for axios errors with a response. With
 * `failure`, the response itself was fine but reading it failed: the failure decides kind and retryability.
 */
export function errorFromResponse(
  response: { status: number; statusText?: unknown; headers?: unknown; data?: unknown },
  ctx: NormalizeErrorContext = {},
  cause?: unknown,
  request: RequestFacts = {},
  failure?: ResponseFailure,
): PartnerCenterError {
  const sanitizer = ctx.sanitizer ?? defaultSanitizer;
  const codes = ctx.codes ?? DEFAULT_ERROR_CODES;
  const status = Number.isInteger(response.status) ? response.status : 0;
  const headers = sanitizer.sanitizeHeaders(response.headers);
  const read = readBody(response.data);

  let code: string | undefined;
  let description: string | undefined;
  let data: unknown;
  let source: string | undefined;
  let errorName: string | undefined;
  let bodyRetryable: boolean | undefined;
  let snippet: string | undefined;
  let reason = failure?.reason ?? read.note;

  const parsed = read.json === undefined ? undefined : parsePartnerCenterErrorBody(read.json);
  if (parsed !== undefined) {
    const body = parsed;
    code = body.code || body.error?.code || undefined;
    description = body.description ?? body.message ?? body.error?.message ?? body.error?.description;
    data = body.data;
    source = body.source;
    errorName = body.errorName;
    bodyRetryable = body.isRetryable;
  } else if (read.json !== undefined) {
    snippet = read.text ?? safeStringify(read.json);
  } else if (read.text !== undefined) {
    snippet = read.text;
    const contentType = headers['content-type'] ?? '';
    if (/html/i.test(contentType) || /^\s*</.test(read.text)) {
      description = htmlTitle(read.text);
      reason = reason ?? 'the gateway answered with an HTML page';
    } else if (/^\s*[{[]/.test(read.text)) {
      const salvaged = salvage(read.text);
      code = salvaged.code;
      description = salvaged.description;
    } else {
      description = read.text.trim().split('\n')[0];
    }
  }

  const info = lookupErrorCode(codes, code);
  const kind = failure?.kind ?? classifyStatus(status).kind;
  const retryable = failure?.retryable ?? isRetryableResponse(status, info, bodyRetryable);

  const retryAfter: RetryAfter | undefined =
    parseRetryAfter(response.headers, ctx.now) ??
    (status === 429 || status === 503 ? parseRetryAfterFromMessage(description) : undefined);

  if (info?.class === 'mfa-required') reason = info.meaning;
  else if (info && info.class !== 'transient' && !reason) reason = info.meaning;

  const body = snippet === undefined ? undefined : cap(sanitizer.scrubText(snippet), MAX_BODY_SNIPPET_CHARS);
  return partnerCenterError({
    kind,
    retryable,
    status,
    code: code === undefined ? undefined : cap(sanitizer.scrubText(code), 128),
    description: cap(
      description === undefined ? undefined : sanitizer.scrubText(description),
      MAX_DESCRIPTION_CHARS,
    ),
    data: redactData(data, sanitizer),
    source: source === undefined ? undefined : cap(sanitizer.scrubText(source), 256),
    errorName: errorName === undefined ? undefined : cap(sanitizer.scrubText(errorName), 256),
    codeClass: info?.class,
    retryAfterMs: retryAfter?.ms,
    retryAfterSource: retryAfter?.source,
    requestId: headers['ms-requestid'] ?? idText(request.requestId, sanitizer),
    correlationId: headers['ms-correlationid'] ?? idText(request.correlationId, sanitizer),
    cv: headers['ms-cv'],
    serverId: headers['ms-serverid'],
    method: request.method,
    url: request.url,
    reason,
    body,
    headers,
    cause,
    sanitizer,
    exchange: {
      statusText: typeof response.statusText === 'string' ? response.statusText : undefined,
      data: read.json ?? body,
      axiosCode: isObject(cause) ? str(cause['code']) : undefined,
      config: request.config,
    },
    ...contextFields(ctx),
  });
}
