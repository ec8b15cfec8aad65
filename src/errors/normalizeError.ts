import { isCutOffBody } from '../errors/classify.js';
import { defaultSanitizer } from '../observability/sanitizer.js';
import { contextFields, type NormalizeErrorContext, requestFacts } from './errorContext.js';
import { errorFromResponse } from './errorFromResponse.js';
import { CUT_OFF_BODY_REASON, errorWithoutResponse } from './errorWithoutResponse.js';
import { PartnerCenterError, type PartnerCenterErrorInit } from './PartnerCenterError.js';
import { withRequestSecrets } from './requestSecrets.js';
import { type Dict, isObject, str } from './values.js';

/** An existing error, with the context's fields filled in where it had none (and `attempts` brought up to date). */
function withContext(error: PartnerCenterError, ctx: NormalizeErrorContext): PartnerCenterError {
  const missing: Partial<PartnerCenterErrorInit> = {};
  const fill = contextFields(ctx) as Record<string, unknown>;
  for (const [key, value] of Object.entries(fill)) {
    const current = (error as unknown as Dict)[key];
    if (current === undefined || (key === 'attempts' && current !== value)) {
      (missing as Dict)[key] = value;
    }
  }
  return Object.keys(missing).length === 0 ? error : error.with(missing);
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
    if (PartnerCenterError.is(input)) return withContext(input, ctx);
    if (isObject(input)) {
      const config = input['config'];
      const request = requestFacts(config);
      ctx = { ...ctx, sanitizer: withRequestSecrets(config, ctx.sanitizer ?? defaultSanitizer) };
      const response = input['response'];
      if (isObject(response) && typeof response['status'] === 'number') {
        const status = response['status'];
        // A 2xx whose body was cut off mid-stream: the status says nothing of the failure.
        const cutOff = isCutOffBody(str(input['code']), str(input['message']) ?? '', status);
        return errorFromResponse(
          {
            status,
            statusText: response['statusText'],
            headers: response['headers'],
            data: response['data'],
          },
          ctx,
          input,
          request,
          cutOff ? { kind: 'network', retryable: true, reason: CUT_OFF_BODY_REASON } : undefined,
        );
      }
      if (
        typeof input['status'] === 'number' &&
        ('data' in input || 'headers' in input) &&
        !(input instanceof Error)
      ) {
        return errorFromResponse(
          {
            status: input['status'],
            statusText: input['statusText'],
            headers: input['headers'],
            data: input['data'],
          },
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
