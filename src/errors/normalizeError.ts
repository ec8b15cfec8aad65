import { isNetworkError } from 'axios-retry';
import { parseRetryAfter, parseRetryAfterFromMessage, type RetryAfter } from '../backoff/parseRetryAfter.js';
import { readHeader } from '../http/readHeader.js';
import { requestUrl } from '../observability/requestUrl.js';
import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';
import { partnerCenterErrorBodySchema } from './errorBodySchema.js';
import {
  DEFAULT_ERROR_CODES,
  type ErrorCodeInfo,
  type ErrorCodeTable,
  lookupErrorCode,
} from './errorCodes.js';
import {
  PartnerCenterError,
  type PartnerCenterErrorInit,
  type PartnerCenterErrorKind,
} from './PartnerCenterError.js';

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

/** Largest body text that is parsed as JSON; larger bodies are kept as a capped snippet only. */
export const MAX_PARSED_BODY_CHARS = 1024 * 1024;
/** Documented maximum length of `description`. */
export const MAX_DESCRIPTION_CHARS = 1024;
/** Largest `data` kept, as serialised JSON characters; larger data becomes a truncated preview string. */
export const MAX_DATA_CHARS = 8 * 1024;
/** Longest body snippet kept on an error. */
export const MAX_BODY_SNIPPET_CHARS = 2 * 1024;

/** Codes axios gives to configuration faults, which no retry can fix. */
const AXIOS_CONFIG_CODES = new Set([
  'ERR_BAD_OPTION_VALUE',
  'ERR_BAD_OPTION',
  'ERR_INVALID_URL',
  'ERR_NOT_SUPPORT',
  'ERR_DEPRECATED',
  'ERR_FR_TOO_MANY_REDIRECTS',
  'ERR_BAD_REQUEST',
  'ERR_BAD_RESPONSE',
]);

/** Network codes that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** True when a network fault code proves the request was never sent (safe to retry any method). */
export function isNotSentNetworkCode(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}

type Dict = Record<string, unknown>;

function isObject(value: unknown): value is Dict {
  return value !== null && typeof value === 'object';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function cap(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface BodyRead {
  readonly json?: unknown;
  readonly text?: string;
  readonly note?: string;
}

function decodeBytes(bytes: Uint8Array): string {
  const slice = bytes.byteLength > MAX_PARSED_BODY_CHARS ? bytes.subarray(0, MAX_PARSED_BODY_CHARS) : bytes;
  return new TextDecoder('utf-8', { fatal: false }).decode(slice);
}

function readBody(data: unknown): BodyRead {
  if (data === undefined || data === null || data === '') return {};
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) text = decodeBytes(data);
  else if (data instanceof ArrayBuffer) text = decodeBytes(new Uint8Array(data));
  else if (ArrayBuffer.isView(data))
    text = decodeBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else if (isObject(data) && typeof data['pipe'] === 'function')
    return { note: 'the body is a stream and was not read' };
  else if (isObject(data)) return { json: data };
  else return { text: String(data) };

  text = text.replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length <= MAX_PARSED_BODY_CHARS) {
    try {
      return { json: JSON.parse(trimmed), text };
    } catch {
      return { text, note: 'the body is not valid JSON (truncated?)' };
    }
  }
  return { text };
}

/** Longest string value {@link salvage} reads; long enough that the later scrub sees whole tokens. */
const MAX_SALVAGED_CHARS = 64 * 1024;

/** The JSON string value that starts at `from` (just after its opening quote), unescaped where possible. */
function readJsonString(text: string, from: number): string {
  let end = from;
  const limit = Math.min(text.length, from + MAX_SALVAGED_CHARS);
  while (end < limit && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  const raw = text.slice(from, Math.min(end, limit));
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw.replace(/\\"/g, '"');
  }
}

/**
 * Reads `code` and `description` out of JSON that failed to parse (a truncated body). The description is read
 * whole (up to 64 KiB) so that the scrub that follows sees whole tokens; it is capped only after the scrub.
 */
function salvage(text: string): { code?: string; description?: string } {
  const code = /"code"\s*:\s*"?([A-Za-z0-9_.-]{1,64})/.exec(text)?.[1];
  const key = /"(?:description|message)"\s*:\s*"/.exec(text);
  const out: { code?: string; description?: string } = {};
  if (code !== undefined) out.code = code;
  if (key !== null) {
    const description = readJsonString(text, key.index + key[0].length);
    if (description !== '') out.description = description;
  }
  return out;
}

function htmlTitle(text: string): string | undefined {
  const title =
    /<title[^>]*>([^<]{1,300})<\/title>/i.exec(text)?.[1] ?? /<h1[^>]*>([^<]{1,300})<\/h1>/i.exec(text)?.[1];
  return title?.replace(/\s+/g, ' ').trim() || undefined;
}

/** A request header value (MS-RequestId, MS-CorrelationId) as it may be reported: scrubbed and capped. */
function idText(value: string | undefined, sanitizer: Sanitizer): string | undefined {
  return value === undefined ? undefined : cap(sanitizer.scrubText(value), 256);
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Parses a body with the schema; a body whose getters or coercions throw reads as not Partner Center JSON. */
function safeParseBody(json: unknown): ReturnType<typeof partnerCenterErrorBodySchema.safeParse> | undefined {
  try {
    return partnerCenterErrorBodySchema.safeParse(json);
  } catch {
    return undefined;
  }
}

function capData(data: unknown, sanitizer: Sanitizer): unknown {
  if (data === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    return '[unserialisable data]';
  }
  if (json === undefined) return undefined;
  const scrubbed = sanitizer.scrubText(json);
  if (scrubbed.length > MAX_DATA_CHARS) return `${scrubbed.slice(0, MAX_DATA_CHARS)}… [truncated]`;
  if (scrubbed === json) return data;
  try {
    return JSON.parse(scrubbed);
  } catch {
    return scrubbed;
  }
}

/** Kind and retryability from the HTTP status alone. */
export function classifyStatus(status: number): { kind: PartnerCenterErrorKind; retryable: boolean } {
  if (status === 429) return { kind: 'throttled', retryable: true };
  if (status === 408) return { kind: 'timeout', retryable: true };
  if (status === 401) return { kind: 'unauthorized', retryable: false };
  if (status === 403) return { kind: 'forbidden', retryable: false };
  if (status === 404) return { kind: 'not-found', retryable: false };
  if (status === 409 || status === 412) return { kind: 'conflict', retryable: false };
  if (status === 502 || status === 503 || status === 504) return { kind: 'server', retryable: true };
  if (status >= 500) return { kind: 'server', retryable: false };
  return { kind: 'client', retryable: false };
}

function retryableFromCode(info: ErrorCodeInfo | undefined, fallback: boolean): boolean {
  if (info === undefined || info.class === 'permanent') return fallback;
  return info.class === 'transient';
}

function requestFacts(config: unknown): {
  method?: string;
  url?: string;
  requestId?: string;
  correlationId?: string;
} {
  if (!isObject(config)) return {};
  const out: { method?: string; url?: string; requestId?: string; correlationId?: string } = {};
  const method = str(config['method']);
  // An HTTP method is a short token; anything else is not reported.
  if (method && /^[A-Za-z-]{1,32}$/.test(method)) out.method = method.toUpperCase();
  const url = requestUrl(config);
  if (url !== undefined) out.url = url;
  const requestId = readHeader(config['headers'], 'ms-requestid');
  if (requestId) out.requestId = requestId;
  const correlationId = readHeader(config['headers'], 'ms-correlationid');
  if (correlationId) out.correlationId = correlationId;
  return out;
}

function contextFields(ctx: NormalizeErrorContext): Partial<PartnerCenterErrorInit> {
  const out: { -readonly [K in keyof PartnerCenterErrorInit]?: PartnerCenterErrorInit[K] } = {};
  if (ctx.scope !== undefined) out.scope = ctx.scope;
  if (ctx.attempts !== undefined) out.attempts = ctx.attempts;
  if (ctx.requestId !== undefined) out.requestId = ctx.requestId;
  if (ctx.correlationId !== undefined) out.correlationId = ctx.correlationId;
  if (ctx.method !== undefined) out.method = ctx.method;
  if (ctx.url !== undefined) out.url = ctx.url;
  return out;
}

/**
 * Builds the error for an HTTP response that failed: status, headers and body in, classified error out.
 * Exposed for adapters and tests; {@link normalizeError} calls it for axios errors with a response.
 */
export function errorFromResponse(
  response: { status: number; headers?: unknown; data?: unknown },
  ctx: NormalizeErrorContext = {},
  cause?: unknown,
  request: { method?: string; url?: string; requestId?: string; correlationId?: string } = {},
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
  let reason = read.note;

  const parsed = read.json === undefined ? undefined : safeParseBody(read.json);
  if (parsed?.success) {
    const body = parsed.data;
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
  const base = classifyStatus(status);
  let retryable = retryableFromCode(info, base.retryable);
  if (bodyRetryable !== undefined) retryable = bodyRetryable;
  if (status === 401) retryable = false;

  const retryAfter: RetryAfter | undefined =
    parseRetryAfter(response.headers, ctx.now) ??
    (status === 429 || status === 503 ? parseRetryAfterFromMessage(description) : undefined);

  if (info?.class === 'mfa-required') reason = info.meaning;
  else if (info && info.class !== 'transient' && !reason) reason = info.meaning;

  return new PartnerCenterError({
    kind: base.kind,
    retryable,
    status,
    code: code === undefined ? undefined : cap(sanitizer.scrubText(code), 128),
    description: cap(
      description === undefined ? undefined : sanitizer.scrubText(description),
      MAX_DESCRIPTION_CHARS,
    ),
    data: capData(data, sanitizer),
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
    body: snippet === undefined ? undefined : cap(sanitizer.scrubText(snippet), MAX_BODY_SNIPPET_CHARS),
    headers,
    cause,
    sanitizer,
    ...contextFields(ctx),
  });
}

function errorWithoutResponse(
  error: Dict,
  ctx: NormalizeErrorContext,
  request: { method?: string; url?: string; requestId?: string; correlationId?: string },
): PartnerCenterError {
  const sanitizer = ctx.sanitizer ?? defaultSanitizer;
  const code = str(error['code']) ?? (isObject(error['cause']) ? str(error['cause']['code']) : undefined);
  const name = str(error['name']);
  const message = str(error['message']) ?? '';
  // cockatiel's errors keep the name `Error`; they are told apart by their marker properties.
  const brokenCircuit =
    name === 'BrokenCircuitError' ||
    name === 'IsolatedCircuitError' ||
    error['isBrokenCircuitError'] === true;
  const taskCancelled = name === 'TaskCancelledError' || error['isTaskCancelledError'] === true;
  let kind: PartnerCenterErrorKind;
  let retryable = false;
  let reason: string;
  if (code === 'ERR_CANCELED' || name === 'CanceledError' || name === 'AbortError') {
    kind = 'cancelled';
    reason = 'the caller cancelled the request';
  } else if (
    name === 'TimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    (code === 'ECONNABORTED' && /timeout/i.test(message))
  ) {
    kind = 'timeout';
    retryable = true;
    reason = 'the request timed out';
  } else if (code !== undefined && AXIOS_CONFIG_CODES.has(code)) {
    kind = 'client';
    reason = `the request could not be made: ${message || code}`;
  } else if (code !== undefined) {
    kind = 'network';
    retryable = isNetworkError({ code, response: undefined }) || code === 'EAI_AGAIN';
    reason = `network fault ${code}`;
  } else if (brokenCircuit) {
    kind = 'circuit-open';
    reason = 'the circuit breaker is open';
  } else if (taskCancelled) {
    kind = /timed out/i.test(message) ? 'timeout' : 'cancelled';
    retryable = kind === 'timeout';
    reason = kind === 'timeout' ? 'the request timed out' : 'the call was cancelled';
  } else {
    kind = 'unknown';
    reason = message ? `unexpected failure: ${message}` : 'unexpected failure';
  }
  return new PartnerCenterError({
    kind,
    retryable,
    reason: cap(sanitizer.scrubText(reason), MAX_DESCRIPTION_CHARS),
    method: request.method,
    url: request.url,
    requestId: idText(request.requestId, sanitizer),
    correlationId: idText(request.correlationId, sanitizer),
    cause: error,
    sanitizer,
    ...contextFields(ctx),
  });
}

/**
 * Turns anything thrown into a {@link PartnerCenterError}. Pure and total: it never throws, whatever it is
 * given (axios errors with or without a response, response-like objects, DOM `AbortError`s, cockatiel errors,
 * Node system errors, strings, `undefined`, objects with hostile getters).
 *
 * An existing `PartnerCenterError` is returned with the context's fields filled in where it had none.
 */
export function normalizeError(input: unknown, ctx: NormalizeErrorContext = {}): PartnerCenterError {
  try {
    if (PartnerCenterError.is(input)) {
      const missing: Partial<PartnerCenterErrorInit> = {};
      const fill = contextFields(ctx) as Record<string, unknown>;
      for (const [key, value] of Object.entries(fill)) {
        const current = (input as unknown as Dict)[key];
        if (current === undefined || (key === 'attempts' && current !== value)) {
          (missing as Dict)[key] = value;
        }
      }
      return Object.keys(missing).length === 0 ? input : input.with(missing);
    }
    if (isObject(input)) {
      const request = requestFacts(input['config']);
      const response = input['response'];
      if (isObject(response) && typeof response['status'] === 'number') {
        return errorFromResponse(
          { status: response['status'], headers: response['headers'], data: response['data'] },
          ctx,
          input,
          request,
        );
      }
      if (
        typeof input['status'] === 'number' &&
        ('data' in input || 'headers' in input) &&
        !(input instanceof Error)
      ) {
        return errorFromResponse(
          { status: input['status'], headers: input['headers'], data: input['data'] },
          ctx,
          undefined,
          requestFacts(input['config']),
        );
      }
      return errorWithoutResponse(input, ctx, request);
    }
    return new PartnerCenterError({
      kind: 'unknown',
      retryable: false,
      reason:
        input === undefined
          ? 'a failure was reported without any value'
          : `a non-Error value was thrown (${typeof input})`,
      cause: input,
      sanitizer: ctx.sanitizer,
      ...contextFields(ctx),
    });
  } catch (failure: unknown) {
    // Hostile inputs (throwing getters, proxies): report what we can, never throw.
    return new PartnerCenterError({
      kind: 'unknown',
      retryable: false,
      reason: 'the failure could not be read',
      cause: failure,
      sanitizer: ctx.sanitizer,
      ...contextFields(ctx),
    });
  }
}
