import { parseRetryAfter, parseRetryAfterFromMessage, type RetryAfter } from '../backoff/parseRetryAfter.js';
import { type Classification, classifyStatus, isRetryableResponse } from '../errors/classify.js';
import { defaultSanitizer } from '../observability/sanitizer.js';
import { partnerCenterErrorBodySchema } from './errorBodySchema.js';
import { DEFAULT_ERROR_CODES, lookupErrorCode } from './errorCodes.js';
import { contextFields, idText, type NormalizeErrorContext, type RequestFacts } from './errorContext.js';
import { MAX_BODY_SNIPPET_CHARS, MAX_DESCRIPTION_CHARS } from './limits.js';
import { PartnerCenterError } from './PartnerCenterError.js';
import { htmlTitle, readBody, salvage } from './readBody.js';
import { redactData } from './redactData.js';
import { cap, isObject, safeStringify, str } from './values.js';

/** A failure that happened after the status arrived (the body was cut off): it decides kind and reason. */
export interface ResponseFailure extends Classification {
  readonly reason: string;
}

/** Parses a body with the schema; a body whose getters or coercions throw reads as not Partner Center JSON. */
function safeParseBody(json: unknown): ReturnType<typeof partnerCenterErrorBodySchema.safeParse> | undefined {
  try {
    return partnerCenterErrorBodySchema.safeParse(json);
  } catch {
    return undefined;
  }
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
  const kind = failure?.kind ?? classifyStatus(status).kind;
  const retryable = failure?.retryable ?? isRetryableResponse(status, info, bodyRetryable);

  const retryAfter: RetryAfter | undefined =
    parseRetryAfter(response.headers, ctx.now) ??
    (status === 429 || status === 503 ? parseRetryAfterFromMessage(description) : undefined);

  if (info?.class === 'mfa-required') reason = info.meaning;
  else if (info && info.class !== 'transient' && !reason) reason = info.meaning;

  const body = snippet === undefined ? undefined : cap(sanitizer.scrubText(snippet), MAX_BODY_SNIPPET_CHARS);
  return new PartnerCenterError({
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
