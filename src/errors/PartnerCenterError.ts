import type { RetryAfterSource } from '../backoff/parseRetryAfter.js';
import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';
import type { ErrorCodeClass } from './errorCodes.js';

/**
 * What went wrong, in one word.
 * - `throttled`: 429, or a throttle gate / Retry-After longer than allowed.
 * - `unauthorized` (401), `forbidden` (403), `not-found` (404), `conflict` (409, 412), `client` (other 4xx).
 * - `server`: 5xx.
 * - `network`: no response (connection refused, reset, DNS).
 * - `timeout`: a request or policy timeout, or 408. Never used for a caller's abort.
 * - `circuit-open`: the scope's circuit breaker is open; no request was sent.
 * - `cancelled`: the caller aborted (AbortSignal or axios cancel token).
 * - `unknown`: something was thrown that is neither an HTTP failure nor a network fault.
 */
export type PartnerCenterErrorKind =
  | 'throttled'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'client'
  | 'server'
  | 'network'
  | 'timeout'
  | 'circuit-open'
  | 'cancelled'
  | 'unknown';

/** Every kind, for validation and exhaustive tests. */
export const PARTNER_CENTER_ERROR_KINDS: readonly PartnerCenterErrorKind[] = [
  'throttled',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'client',
  'server',
  'network',
  'timeout',
  'circuit-open',
  'cancelled',
  'unknown',
];

/** The fields of a {@link PartnerCenterError}; everything but `kind` and `retryable` is optional. */
export interface PartnerCenterErrorInit {
  readonly kind: PartnerCenterErrorKind;
  readonly retryable: boolean;
  readonly message?: string | undefined;
  readonly status?: number | undefined;
  readonly code?: string | undefined;
  readonly description?: string | undefined;
  readonly data?: unknown;
  readonly source?: string | undefined;
  readonly errorName?: string | undefined;
  readonly codeClass?: ErrorCodeClass | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly retryAfterSource?: RetryAfterSource | undefined;
  readonly requestId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly cv?: string | undefined;
  readonly serverId?: string | undefined;
  readonly scope?: string | undefined;
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly attempts?: number | undefined;
  readonly outcomeUnknown?: boolean | undefined;
  readonly reason?: string | undefined;
  readonly body?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly cause?: unknown;
  /**
   * Redacts the URL, the message and the cause (default: the built-in allow-lists). Pass the sanitizer the
   * rest of the call uses so that its extra allowed query parameters survive. Not a field of the error; it is
   * kept privately so that {@link PartnerCenterError.with} redacts the same way.
   */
  readonly sanitizer?: Sanitizer | undefined;
}

const MARKER = Symbol.for('partner-center-resilience.PartnerCenterError');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const MAX_CAUSE_DEPTH = 4;

/**
 * Copies an arbitrary thrown value into a plain `Error` that carries nothing but a scrubbed name, message,
 * stack and error code. Request configs, headers, sockets and responses are never copied, so a cause chain
 * cannot leak an Authorization header.
 */
export function sanitizeCause(
  value: unknown,
  depth = 0,
  scrub: (text: string) => string = defaultSanitizer.scrubText,
): Error | undefined {
  try {
    return copyCause(value, depth, scrub);
  } catch {
    const copy = new Error('A value was thrown that could not be read');
    copy.name = 'UnreadableThrown';
    return copy;
  }
}

function copyCause(value: unknown, depth: number, scrub: (text: string) => string): Error | undefined {
  if (value === undefined || value === null) return undefined;
  if (isMarked(value)) return value;
  if (value instanceof Error || (typeof value === 'object' && typeof (value as Error).message === 'string')) {
    const source = value as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
    const copy = new Error(scrub(String(source.message)).slice(0, 2000));
    copy.name = typeof source.name === 'string' ? source.name : 'Error';
    copy.stack =
      typeof source.stack === 'string' ? scrub(source.stack).slice(0, 8000) : `${copy.name}: ${copy.message}`;
    const extra = copy as Error & { code?: string | number; errno?: number; syscall?: string };
    if (typeof source.code === 'string') extra.code = scrub(source.code).slice(0, 128);
    else if (typeof source.code === 'number') extra.code = source.code;
    if (typeof source.errno === 'number') extra.errno = source.errno;
    if (typeof source.syscall === 'string') extra.syscall = source.syscall;
    if (depth < MAX_CAUSE_DEPTH && 'cause' in source && source.cause !== undefined) {
      const inner = sanitizeCause(source.cause, depth + 1, scrub);
      if (inner) Object.defineProperty(copy, 'cause', { value: inner, enumerable: false, writable: true });
    }
    return copy;
  }
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  const copy = new Error(`Non-Error value thrown (${typeof value}): ${scrub(text).slice(0, 500)}`);
  copy.name = 'NonErrorThrown';
  return copy;
}

/** Partner Center's documented maximum length of `description`. */
const MAX_DESCRIPTION_CHARS = 1024;
/** Longest body snippet kept on an error. */
const MAX_BODY_CHARS = 2048;

/** Scrubs `text`, then caps it (scrubbing can lengthen a text slightly, e.g. a URL gains its `/`). */
function scrubbed(text: string | undefined, sanitizer: Sanitizer, max: number): string | undefined {
  if (text === undefined) return undefined;
  const clean = sanitizer.scrubText(text);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function isMarked(value: unknown): value is PartnerCenterError {
  if (value === null || typeof value !== 'object') return false;
  try {
    return (value as Record<PropertyKey, unknown>)[MARKER] === true;
  } catch {
    // a Proxy or getter that throws is not one of ours
    return false;
  }
}

function defaultMessage(init: PartnerCenterErrorInit, url: string | undefined): string {
  const parts: string[] = [`Partner Center ${init.kind}`];
  if (init.status !== undefined) parts.push(String(init.status));
  if (init.code !== undefined) parts.push(`code ${init.code}`);
  let head = parts.join(' ');
  const detail = init.description ?? init.reason;
  if (detail) head += `: ${detail}`;
  const where: string[] = [];
  if (init.method || url) where.push([init.method?.toUpperCase(), url].filter(Boolean).join(' '));
  if (init.requestId) where.push(`MS-RequestId ${init.requestId}`);
  if (init.attempts !== undefined && init.attempts > 1) where.push(`after ${init.attempts} attempts`);
  if (init.outcomeUnknown) where.push('outcome unknown: the request may have been processed');
  return where.length > 0 ? `${head} (${where.join(', ')})` : head;
}

/**
 * The one error every Partner Center failure becomes. It carries the Partner Center payload (`code`,
 * `description`, `data`, `source`), the diagnostics a support ticket needs (`requestId`, `correlationId`,
 * `cv`, `serverId`), and what the library decided (`kind`, `retryable`, `attempts`, `retryAfterMs`).
 *
 * It never holds an Authorization header, token or secret: URLs are redacted by allow-list, headers are
 * copied by allow-list, and `cause` is a scrubbed copy of what was thrown.
 */
export class PartnerCenterError extends Error {
  override readonly name = 'PartnerCenterError';
  /** One word for what went wrong; see {@link PartnerCenterErrorKind}. */
  readonly kind: PartnerCenterErrorKind;
  /** Whether another attempt could succeed (from the status, the code table, then the body's `isRetryable`). */
  readonly retryable: boolean;
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** Partner Center error code as a string (`"800064"`), when the body had one. */
  readonly code: string | undefined;
  /** Partner Center's description (at most 1024 characters), or the gateway's message. */
  readonly description: string | undefined;
  /** The body's `data` field (capped in size). */
  readonly data: unknown;
  /** The body's `source` field (e.g. `PartnerFD`). */
  readonly source: string | undefined;
  /** The body's `errorName`, when present. */
  readonly errorName: string | undefined;
  /** The class of `code` in the code table, when the code is known. */
  readonly codeClass: ErrorCodeClass | undefined;
  /** How long the server asked to wait, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** Which header (or the body) carried `retryAfterMs`. */
  readonly retryAfterSource: RetryAfterSource | undefined;
  /** `MS-RequestId` of the logical call (the same on every attempt). */
  readonly requestId: string | undefined;
  /** `MS-CorrelationId` of the logical call. */
  readonly correlationId: string | undefined;
  /** `MS-CV` correlation vector from the response. */
  readonly cv: string | undefined;
  /** `MS-ServerId` from the response. */
  readonly serverId: string | undefined;
  /** Tenant scope whose policy handled the call. */
  readonly scope: string | undefined;
  /** HTTP method, upper case. */
  readonly method: string | undefined;
  /** Request URL with userinfo removed and query values outside the allow-list redacted. */
  readonly url: string | undefined;
  /** Attempts made, the first included. */
  readonly attempts: number | undefined;
  /** True when a non-idempotent request may have been processed although it failed (timeout, 502, 504, reset). */
  readonly outcomeUnknown: boolean;
  /** Why the library gave up or refused, when that is not the server's description. */
  readonly reason: string | undefined;
  /** The start of the response body as text (at most 2 KiB, scrubbed), for bodies that were not Partner Center JSON. */
  readonly body: string | undefined;
  /** Allow-listed response headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly #sanitizer: Sanitizer;

  constructor(init: PartnerCenterErrorInit) {
    const sanitizer = init.sanitizer ?? defaultSanitizer;
    const url = init.url === undefined ? undefined : sanitizer.sanitizeUrl(init.url);
    super(sanitizer.scrubText(init.message ?? defaultMessage(init, url)));
    this.#sanitizer = sanitizer;
    const cause = sanitizeCause(init.cause, 0, sanitizer.scrubText);
    if (cause !== undefined) {
      Object.defineProperty(this, 'cause', {
        value: cause,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
    Object.defineProperty(this, MARKER, { value: true, enumerable: false });
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.status = init.status;
    this.code = init.code;
    this.description = scrubbed(init.description, sanitizer, MAX_DESCRIPTION_CHARS);
    this.data = init.data;
    this.source = init.source;
    this.errorName = init.errorName;
    this.codeClass = init.codeClass;
    this.retryAfterMs = init.retryAfterMs;
    this.retryAfterSource = init.retryAfterSource;
    this.requestId = init.requestId;
    this.correlationId = init.correlationId;
    this.cv = init.cv;
    this.serverId = init.serverId;
    this.scope = init.scope;
    this.method = init.method?.toUpperCase();
    this.url = url;
    this.attempts = init.attempts;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.reason = scrubbed(init.reason, sanitizer, Number.POSITIVE_INFINITY);
    this.body = scrubbed(init.body, sanitizer, MAX_BODY_CHARS);
    this.headers = Object.freeze({ ...(init.headers ?? {}) });
  }

  /** The fields of this error, to derive a changed copy with {@link PartnerCenterError.with}. */
  toInit(): PartnerCenterErrorInit {
    return {
      kind: this.kind,
      retryable: this.retryable,
      status: this.status,
      code: this.code,
      description: this.description,
      data: this.data,
      source: this.source,
      errorName: this.errorName,
      codeClass: this.codeClass,
      retryAfterMs: this.retryAfterMs,
      retryAfterSource: this.retryAfterSource,
      requestId: this.requestId,
      correlationId: this.correlationId,
      cv: this.cv,
      serverId: this.serverId,
      scope: this.scope,
      method: this.method,
      url: this.url,
      attempts: this.attempts,
      outcomeUnknown: this.outcomeUnknown,
      reason: this.reason,
      body: this.body,
      headers: this.headers,
      cause: (this as { cause?: unknown }).cause,
      sanitizer: this.#sanitizer,
    };
  }

  /**
   * Returns a copy with some fields changed. The message is rebuilt unless `message` is given; the stack of
   * this error is kept.
   */
  with(changes: Partial<PartnerCenterErrorInit>): PartnerCenterError {
    const next = new PartnerCenterError({ ...this.toInit(), ...changes });
    if (this.stack) {
      next.stack = this.stack.replace(this.message, next.message);
    }
    return next;
  }

  /** A plain, redacted object: what `JSON.stringify` prints. */
  toJSON(): Record<string, unknown> {
    const cause = (this as { cause?: unknown }).cause;
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      retryable: this.retryable,
      status: this.status,
      code: this.code,
      description: this.description,
      data: this.data,
      source: this.source,
      errorName: this.errorName,
      codeClass: this.codeClass,
      retryAfterMs: this.retryAfterMs,
      retryAfterSource: this.retryAfterSource,
      requestId: this.requestId,
      correlationId: this.correlationId,
      cv: this.cv,
      serverId: this.serverId,
      scope: this.scope,
      method: this.method,
      url: this.url,
      attempts: this.attempts,
      outcomeUnknown: this.outcomeUnknown,
      reason: this.reason,
      headers: this.headers,
      cause:
        cause instanceof Error
          ? { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code }
          : undefined,
    };
  }

  /** `util.inspect` shows the redacted fields and the scrubbed stack. */
  [INSPECT](): string {
    const json = this.toJSON();
    delete json['message'];
    delete json['name'];
    const fields = Object.entries(json)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
      .join(',\n');
    return `${this.stack ?? `${this.name}: ${this.message}`} {\n${fields}\n}`;
  }

  /** True for a `PartnerCenterError` from any installed copy of this library. */
  static is(value: unknown): value is PartnerCenterError {
    return isMarked(value);
  }
}
