import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';
import {
  axiosCodeOf,
  configView,
  fromExchange,
  type PartnerCenterErrorConfig,
  type PartnerCenterErrorExchange,
  type PartnerCenterErrorResponse,
  redactExchange,
  responseView,
} from './axiosCompat.js';
import { defaultMessage, type ErrorCodeClass, type PartnerCenterErrorKind } from './classify.js';
import {
  hasPartnerCenterErrorMarker,
  MAX_BODY_SNIPPET_CHARS,
  MAX_DESCRIPTION_CHARS,
  PARTNER_CENTER_ERROR_MARKER,
  sanitizeCause,
  scrubbed,
} from './redaction.js';

/**
 * What a {@link PartnerCenterError} is built from: its data fields (all but `kind` and `retryable` optional),
 * typed as the class declares them, the message and the cause.
 */
export type PartnerCenterErrorInit = Pick<PartnerCenterError, 'kind' | 'retryable'> & {
  readonly [K in Exclude<
    keyof PartnerCenterError,
    keyof Error | symbol | 'isAxiosError' | 'config' | 'response' | 'axiosCode' | 'toInit' | 'with' | 'toJSON'
  >]?: PartnerCenterError[K] | undefined;
} & {
  /** The message; by default built from the kind, status, code, description or reason, and the request. */
  readonly message?: string | undefined;
  /** What was thrown; kept as a scrubbed copy (see {@link PartnerCenterError}). */
  readonly cause?: unknown;
};

/** What the library builds its errors from: the public init and two inputs that are not fields (internal). */
export type ErrorInit = PartnerCenterErrorInit & {
  /** The HTTP exchange as `error.response` and `error.config` show it (redacted when the error is built). */
  readonly exchange?: PartnerCenterErrorExchange | undefined;
  /** Redacts the URL, message and cause (default: the allow-lists); kept so that `with()` redacts alike. */
  readonly sanitizer?: Sanitizer | undefined;
};

/** A library error: `init` may carry the exchange and the sanitizer the public init has not. */
export function partnerCenterError(init: ErrorInit): PartnerCenterError {
  return new PartnerCenterError(init);
}

/** The data fields of the error: the keys of its init but the two inputs that are not fields. */
type Field = Exclude<keyof PartnerCenterErrorInit, 'message' | 'cause'>;

/** How a field is taken in from the init: redacted, normalised or copied. */
type TakeIn<K extends Field> = (
  value: PartnerCenterErrorInit[K],
  sanitizer: Sanitizer,
) => PartnerCenterError[K];

const copied = <T>(value: T): T => value;

/**
 * The one list of the error's data fields, each with how it is taken in, in the order they are copied and
 * printed. The `satisfies` fails on a field of the class missing here, or a name here that is no field.
 */
const FIELDS = {
  kind: copied,
  retryable: copied,
  status: copied,
  code: copied,
  description: (value, sanitizer) => scrubbed(value, sanitizer, MAX_DESCRIPTION_CHARS),
  data: copied,
  source: copied,
  errorName: copied,
  codeClass: copied,
  retryAfterMs: copied,
  retryAfterSource: copied,
  requestId: copied,
  correlationId: copied,
  cv: copied,
  serverId: copied,
  scope: copied,
  method: (value) => value?.toUpperCase(),
  url: (value, sanitizer) => (value === undefined ? undefined : sanitizer.sanitizeUrl(value)),
  attempts: copied,
  outcomeUnknown: (value) => value ?? false,
  reason: (value, sanitizer) => scrubbed(value, sanitizer, Number.POSITIVE_INFINITY),
  body: (value, sanitizer) => scrubbed(value, sanitizer, MAX_BODY_SNIPPET_CHARS),
  headers: (value) => Object.freeze({ ...(value ?? {}) }),
} satisfies { readonly [K in Field]: TakeIn<K> };

const FIELD_NAMES = Object.keys(FIELDS) as Field[];

/** Every field of `init`, taken in, in {@link FIELDS} order. */
function takeInFields(init: PartnerCenterErrorInit, sanitizer: Sanitizer): Pick<PartnerCenterError, Field> {
  const out: Partial<Record<Field, unknown>> = {};
  for (const key of FIELD_NAMES) out[key] = (FIELDS[key] as TakeIn<Field>)(init[key], sanitizer);
  return out as Pick<PartnerCenterError, Field>;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What an error keeps privately: never enumerable, never printed (a WeakMap, not `#` fields, which the declarations of TypeScript 5 with default flags reject). */
interface Internals {
  readonly sanitizer: Sanitizer;
  readonly exchange: PartnerCenterErrorExchange | undefined;
  /** The request config of the attached call that ended with this error (`error.config`), once bound. */
  request: PartnerCenterErrorConfig | undefined;
}

const internals = new WeakMap<object, Internals>();

function internalsOf(error: PartnerCenterError): Internals {
  return internals.get(error) as Internals;
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
  readonly kind!: PartnerCenterErrorKind;
  /** Whether another attempt could succeed (from the status, the code table, then the body's `isRetryable`). */
  readonly retryable!: boolean;
  /** HTTP status, when a response arrived. */
  readonly status!: number | undefined;
  /** Partner Center error code as a string (`"800064"`), when the body had one. */
  readonly code!: string | undefined;
  /** Partner Center's description (at most 1024 characters), or the gateway's message. */
  readonly description!: string | undefined;
  /** The body's `data` field (capped in size). */
  readonly data!: unknown;
  /** The body's `source` field (e.g. `PartnerFD`). */
  readonly source!: string | undefined;
  /** The body's `errorName`, when present. */
  readonly errorName!: string | undefined;
  /** The class of `code` in the code table, when the code is known. */
  readonly codeClass!: ErrorCodeClass | undefined;
  /** How long the server asked to wait, in milliseconds. */
  readonly retryAfterMs!: number | undefined;
  /**
   * Which header (or the body) carried `retryAfterMs`: `retry-after-ms`, `x-ms-retry-after-ms`, `retry-after`
   * (seconds), `retry-after-date` (an HTTP date) or `body`.
   */
  readonly retryAfterSource!:
    | 'retry-after-ms'
    | 'x-ms-retry-after-ms'
    | 'retry-after'
    | 'retry-after-date'
    | 'body'
    | undefined;
  /** `MS-RequestId` of the logical call (the same on every attempt). */
  readonly requestId!: string | undefined;
  /** `MS-CorrelationId` of the logical call. */
  readonly correlationId!: string | undefined;
  /** `MS-CV` correlation vector from the response. */
  readonly cv!: string | undefined;
  /** `MS-ServerId` from the response. */
  readonly serverId!: string | undefined;
  /** Tenant scope whose policy handled the call. */
  readonly scope!: string | undefined;
  /** HTTP method, upper case. */
  readonly method!: string | undefined;
  /** Request URL with userinfo removed and query values outside the allow-list redacted. */
  readonly url!: string | undefined;
  /** Attempts made, the first included. */
  readonly attempts!: number | undefined;
  /** True when a non-idempotent request may have been processed although it failed (timeout, 502, 504, reset). */
  readonly outcomeUnknown!: boolean;
  /** Why the library gave up or refused, when that is not the server's description. */
  readonly reason!: string | undefined;
  /** The start of the response body as text (at most 2 KiB, scrubbed), for bodies that were not Partner Center JSON. */
  readonly body!: string | undefined;
  /** Allow-listed response headers. */
  readonly headers!: Readonly<Record<string, string>>;

  constructor(publicInit: PartnerCenterErrorInit) {
    // the library's own errors also carry the exchange and the sanitizer (ErrorInit)
    const init: ErrorInit = publicInit;
    const sanitizer = init.sanitizer ?? defaultSanitizer;
    const fields = takeInFields(init, sanitizer);
    super(sanitizer.scrubText(init.message ?? defaultMessage(init, fields.url)));
    const exchange = redactExchange(init.exchange, sanitizer);
    internals.set(this, { sanitizer, exchange, request: undefined });
    const cause = sanitizeCause(init.cause, 0, sanitizer.scrubText);
    // not enumerable (the default of defineProperty), so that it is neither printed nor serialised
    if (cause !== undefined)
      Object.defineProperty(this, 'cause', { value: cause, writable: true, configurable: true });
    Object.defineProperty(this, PARTNER_CENTER_ERROR_MARKER, { value: true, enumerable: false });
    Object.assign(this, fields);
    // axios passes a cancellation through untouched, and `axios.isCancel` knows it, by this mark.
    if (fields.kind === 'cancelled') Object.defineProperty(this, '__CANCEL__', { value: true });
  }

  /** True for an error of an HTTP exchange (it knows its request): `axios.isAxiosError(error)` is then true. */
  get isAxiosError(): boolean {
    return fromExchange(this);
  }

  /**
   * The request, as `AxiosError.config` shows it: for a call made through an attached instance, the caller's
   * config (the same object on every read, with its signal, timeout and keys of the caller's own) that a
   * re-send continues; never the Authorization header or the body. See {@link PartnerCenterErrorConfig}.
   */
  get config(): PartnerCenterErrorConfig | undefined {
    const own = internalsOf(this);
    return own.request ?? configView(this, own.exchange);
  }

  /** The response, redacted, as `AxiosError.response` shows it; a new copy on each read. */
  get response(): PartnerCenterErrorResponse | undefined {
    const own = internalsOf(this);
    return responseView(this, own.exchange, own.request);
  }

  /** The axios error code (`ERR_BAD_REQUEST`, `ECONNABORTED`, `ERR_CANCELED`, ...); `code` is Partner Center's. */
  get axiosCode(): string | undefined {
    return axiosCodeOf(this, internalsOf(this).exchange);
  }

  /** The fields of this error, to derive a changed copy with {@link PartnerCenterError.with}. */
  toInit(): PartnerCenterErrorInit {
    const init: Record<string, unknown> = {};
    for (const key of FIELD_NAMES) init[key] = this[key];
    const { sanitizer, exchange } = internalsOf(this);
    const own: ErrorInit = {
      ...(init as Pick<PartnerCenterErrorInit, 'kind' | 'retryable'>),
      cause: (this as { cause?: unknown }).cause,
      sanitizer,
      exchange,
    };
    return own;
  }

  /**
   * Returns a copy with some fields changed. The message is rebuilt unless `message` is given; the stack of
   * this error is kept.
   */
  with(changes: Partial<PartnerCenterErrorInit>): PartnerCenterError {
    const next = new PartnerCenterError({ ...this.toInit(), ...changes });
    if (this.stack) next.stack = this.stack.replace(this.message, next.message);
    return next;
  }

  /** A plain, redacted object: what `JSON.stringify` prints. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    // the body snippet stays on the error only
    for (const key of FIELD_NAMES) if (key !== 'body') json[key] = this[key];
    const cause = (this as { cause?: unknown }).cause;
    json['cause'] =
      cause instanceof Error
        ? { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code }
        : undefined;
    return json;
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
    return hasPartnerCenterErrorMarker(value);
  }
}

/**
 * `error` with `config` as its request config (`error.config`): the error itself when it has none yet, else a
 * copy (an error is bound to one call's config).
 */
export function withRequestConfig(
  error: PartnerCenterError,
  config: PartnerCenterErrorConfig,
): PartnerCenterError {
  const own = internals.get(error);
  // a foreign copy's error has no internals here: it is rebuilt by this copy
  const bound =
    own === undefined ? new PartnerCenterError(error.toInit()) : own.request ? error.with({}) : error;
  internalsOf(bound).request = config;
  return bound;
}
