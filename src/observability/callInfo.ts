/**
 * What every event says about the logical call it belongs to (and what `reconcile` and the OpenTelemetry
 * bridge read of it). A field is `''` when it is not known, e.g. `requestId` of an event no call caused.
 */
export interface CallInfo {
  /** `MS-RequestId` of the logical call. */
  readonly requestId: string;
  /** `MS-CorrelationId` of the logical call. */
  readonly correlationId: string;
  /** Tenant scope key, e.g. `partner` or `customer:<tenant id>`. */
  readonly scope: string;
  /** HTTP method, upper case. */
  readonly method: string;
  /** URL with secret query values redacted. */
  readonly url: string;
}

/** Anything that knows some of a call's fields: a call, an error, a scope alone. */
export type CallInfoSource = { readonly [K in keyof CallInfo]?: string | undefined };

/**
 * The one {@link CallInfo} builder: the five fields of `source` and nothing else (never the rest of a call
 * or an error, which may carry secrets), `''` for each one it does not know.
 */
export function callInfoOf(source: CallInfoSource): CallInfo {
  return {
    requestId: source.requestId ?? '',
    correlationId: source.correlationId ?? '',
    scope: source.scope ?? '',
    method: source.method ?? '',
    url: source.url ?? '',
  };
}
