import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import type { ErrorCodeTable } from '../errors/classify.js';
import { requestUrl } from '../observability/requestUrl.js';
import type { Sanitizer } from '../observability/sanitizer.js';
import {
  checkedRequestOptions,
  type PartnerCenterRequestOptions,
  type RequestRetryOptions,
} from '../options/requestOptions.js';
import type { ResolvedScopePolicy } from '../options/ScopePolicyOptions.js';
import { CallAbort } from './sleep.js';

const NO_OPTIONS: PartnerCenterRequestOptions = Object.freeze({});

/** Methods that are safe to retry after an unknown outcome (RFC 9110 idempotent methods). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Character codes of the hexadecimal digits, lowercase. */
const HEX = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
const DASH = 0x2d;
/** Random bytes for 256 GUIDs, refilled from the platform's CSPRNG when spent. */
const POOL_BYTES = 16 * 256;

const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;
/** The 36 character codes of the GUID being written (reused: one GUID at a time). */
const codes: number[] = new Array<number>(36).fill(0);

/**
 * A new random (version 4) GUID, lowercase, like `crypto.randomUUID()`, from the same kind of source
 * (`crypto.getRandomValues`, drawn 4 KiB at a time). Built as one flat string: `randomUUID()` in Node
 * concatenates 20 pieces into a rope of about 13 nodes (some 400 bytes) that lives as long as the request
 * that carries it.
 */
export function newGuid(): string {
  if (used === POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    used = 0;
  }
  let at = 0;
  for (let i = 0; i < 16; i++) {
    let byte = pool[used + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) codes[at++] = DASH;
    codes[at++] = HEX[byte >> 4] as number;
    codes[at++] = HEX[byte & 15] as number;
  }
  used += 16;
  return String.fromCharCode.apply(null, codes);
}

/**
 * The request's `partnerCenter` options, checked against their schema (a misspelt or bad option throws a
 * `ResilienceOptionsError` naming it); none when it has none.
 */
export function requestOptions(config: InternalAxiosRequestConfig): PartnerCenterRequestOptions {
  const value = (config as { partnerCenter?: unknown }).partnerCenter;
  return value === undefined || value === null ? NO_OPTIONS : checkedRequestOptions(value);
}

function isStreamBody(data: unknown): boolean {
  return data !== null && typeof data === 'object' && typeof (data as { pipe?: unknown }).pipe === 'function';
}

/** The header name in `keys` equal to `lower` in any case, if any. */
function headerKey(keys: readonly string[], lower: string): string | undefined {
  for (const key of keys) {
    if (key.length === lower.length && key.toLowerCase() === lower) return key;
  }
  return undefined;
}

/**
 * Sets header `name` to `value`, a string axios would keep as it is (no control characters, no leading or
 * trailing space or tab). With no other case of the name among the headers, the value is stored the way
 * `AxiosHeaders.set` stores it (an own property under the given name) without its normalising; else through
 * `set`, which replaces the existing value under its own spelling. `keys`: the header names, when already read.
 */
export function writeHeader(
  config: InternalAxiosRequestConfig,
  name: string,
  value: string,
  keys: readonly string[] = Object.keys(config.headers),
): void {
  const headers = config.headers as unknown as Record<string, unknown>;
  const key = headerKey(keys, name.toLowerCase());
  if (key === undefined || key === name) headers[name] = value;
  else config.headers.set(name, value);
}

/**
 * The call's id header `name`: the caller's own value (any case of the name, from `keys`, the header names read
 * once per call) when it is a non-empty string, else a new GUID written to the request's headers: one per
 * logical call, the same on every attempt.
 */
function idHeader(config: InternalAxiosRequestConfig, keys: readonly string[], name: string): string {
  const key = headerKey(keys, name.toLowerCase());
  const own = key === undefined ? undefined : (config.headers as unknown as Record<string, unknown>)[key];
  if (typeof own === 'string' && own !== '') return own;
  const id = newGuid();
  writeHeader(config, name, id, keys);
  return id;
}

/** What a call needs from the engine around it (shared by every call of an instance). */
export interface CallContext {
  readonly sanitizer: Sanitizer;
  readonly codes: ErrorCodeTable;
}

/**
 * One logical call: its ids (`MS-RequestId`, `MS-CorrelationId`, the same on every attempt), its scope and
 * policy, its total budget, and its abort (the caller's signal or cancel token, and the total budget). The
 * policies read it; `attempts` is advanced by the retry policy alone (and the success path's one attempt).
 * The ids are written into the request config's headers when the caller set none, so that the request,
 * `error.config` and a re-send of it carry the call's ids; nothing else of the caller's config is written.
 */
export class Call {
  readonly requestId: string;
  readonly correlationId: string;
  readonly method: string;
  readonly startedAt: number;
  /** The total budget in ms (`0`: none): the request's axios `timeout`, else `timeout.totalMs`. */
  readonly totalMs: number;
  /** Epoch ms at which the total budget runs out, or `Infinity`. */
  readonly deadline: number;
  /** True when a failure with an unknown outcome may be retried (idempotent method or request, or opted in). */
  readonly idempotent: boolean;
  /** True for POST/PATCH not declared idempotent: an unknown outcome is reported as such. */
  readonly unsafe: boolean;
  readonly maxAttempts: number;
  /** Why the call gets a single attempt, when it does. */
  readonly singleAttemptReason: string | undefined;
  /** The request's own retry decision (`partnerCenter.retry.shouldRetry`), asked after each failed attempt. */
  readonly shouldRetry: RequestRetryOptions['shouldRetry'];
  /** The caller's abort, linked to its signal and cancel token; created only when the call needs one. */
  abort: CallAbort | undefined;
  /** Attempts started (a 401's replay with a new token not counted), advanced by the retry policy. */
  attempts = 0;
  /** Attempts that reached the base adapter, counted by the retry policy from the attempts' outcomes. */
  sent = 0;
  private redactedUrl: string | undefined;
  private unlinkCaller: (() => void) | undefined;

  constructor(
    readonly config: InternalAxiosRequestConfig,
    /** The adapter that sends an attempt (the instance's own, below the library). */
    readonly base: AxiosAdapter,
    readonly request: PartnerCenterRequestOptions,
    readonly scope: string,
    /** The resolved policy of the call's scope. */
    readonly options: ResolvedScopePolicy,
    readonly context: CallContext,
    /**
     * True when the base adapter is one of axios's own (http, xhr, fetch): it settles as soon as its signal
     * aborts, so an attempt need not race it against its limit.
     */
    readonly baseSettlesOnAbort = false,
    /**
     * The call this one continues (its `error.config` was re-sent): the same ids, start, budget and deadline,
     * and the attempts it spent count against the same limit.
     */
    previous?: Call,
  ) {
    const keys = Object.keys(config.headers);
    const method = config.method === undefined ? 'GET' : config.method.toUpperCase();
    this.method = method;
    const opts = options;
    if (previous === undefined) {
      this.requestId = idHeader(config, keys, 'MS-RequestId');
      this.correlationId = idHeader(config, keys, 'MS-CorrelationId');
      const now = Date.now();
      this.startedAt = now;
      const own = config.timeout;
      const totalMs = typeof own === 'number' && own > 0 ? own : opts.timeout.totalMs;
      this.totalMs = totalMs;
      this.deadline = totalMs > 0 ? now + totalMs : Number.POSITIVE_INFINITY;
    } else {
      this.requestId = previous.requestId;
      this.correlationId = previous.correlationId;
      writeHeader(config, 'MS-RequestId', previous.requestId, keys);
      writeHeader(config, 'MS-CorrelationId', previous.correlationId, keys);
      this.startedAt = previous.startedAt;
      this.totalMs = previous.totalMs;
      this.deadline = previous.deadline;
      this.attempts = previous.attempts;
      this.sent = previous.sent;
    }
    this.unsafe = !IDEMPOTENT_METHODS.has(method) && request.idempotent !== true;
    this.idempotent = !this.unsafe || opts.retry.retryUnsafeMethods;
    const retry = request.retry;
    const overrides = typeof retry === 'object' && retry !== null ? retry : undefined;
    this.shouldRetry = overrides?.shouldRetry;
    this.singleAttemptReason =
      retry === false
        ? 'retries are off for this request'
        : isStreamBody(config.data)
          ? 'the request body is a stream and cannot be replayed'
          : undefined;
    const limit = overrides?.maxAttempts ?? opts.retry.maxAttempts;
    const maxAttempts = this.singleAttemptReason === undefined ? limit : 1;
    // A re-send extends nothing: the first part's limit holds.
    this.maxAttempts = previous === undefined ? maxAttempts : Math.min(maxAttempts, previous.maxAttempts);
    const signal = config.signal as AbortSignal | undefined;
    if (signal != null || config.cancelToken != null) this.linkCaller();
  }

  /** The request URL, redacted; computed on first use only (most successful calls never report it). */
  get url(): string {
    this.redactedUrl ??= this.context.sanitizer.sanitizeUrl(requestUrl(this.config) ?? '');
    return this.redactedUrl;
  }

  /** The call's abort, created on first need (the slow path's waits listen to it). */
  ensureAbort(): CallAbort {
    this.abort ??= new CallAbort();
    return this.abort;
  }

  /** Links the caller's signal and cancel token to the call's abort. */
  private linkCaller(): void {
    const abort = this.ensureAbort();
    const signal = this.config.signal as AbortSignal | undefined;
    const token = this.config.cancelToken;
    const onAbort = () => abort.abort('caller');
    if (signal?.aborted === true || token?.reason !== undefined) {
      abort.abort('caller');
      return;
    }
    signal?.addEventListener?.('abort', onAbort, { once: true });
    token?.subscribe(onAbort);
    this.unlinkCaller = () => {
      signal?.removeEventListener?.('abort', onAbort);
      token?.unsubscribe(onAbort);
    };
  }

  /** Ends the call: stops listening to the caller's signal. */
  close(): void {
    this.unlinkCaller?.();
    this.unlinkCaller = undefined;
  }
}
