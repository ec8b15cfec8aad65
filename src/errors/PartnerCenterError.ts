import type { RetryAfterSource } from '../backoff/parseRetryAfter.js';
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
import type { ErrorCodeClass } from './errorCodes.js';
import type { PartnerCenterErrorInit, PartnerCenterErrorKind } from './errorInit.js';
import { hasPartnerCenterErrorMarker, PARTNER_CENTER_ERROR_MARKER } from './errorMarker.js';
import { defaultMessage } from './errorMessage.js';
import { MAX_BODY_SNIPPET_CHARS, MAX_DESCRIPTION_CHARS } from './limits.js';
import { sanitizeCause } from './sanitizeCause.js';

export {
  PARTNER_CENTER_ERROR_KINDS,
  type PartnerCenterErrorInit,
  type PartnerCenterErrorKind,
} from './errorInit.js';

/**
 * The data fields of a {@link PartnerCenterError}, in the order they are declared, copied, given back by
 * {@link PartnerCenterError.toInit} and printed by {@link PartnerCenterError.toJSON}. The compiler checks the
 * list against {@link PartnerCenterErrorInit} and the class both ways (see the checks below the class).
 */
const FIELDS = [
  'kind',
  'retryable',
  'status',
  'code',
  'description',
  'data',
  'source',
  'errorName',
  'codeClass',
  'retryAfterMs',
  'retryAfterSource',
  'requestId',
  'correlationId',
  'cv',
  'serverId',
  'scope',
  'method',
  'url',
  'attempts',
  'outcomeUnknown',
  'reason',
  'body',
  'headers',
] as const satisfies ReadonlyArray<keyof PartnerCenterErrorInit & keyof PartnerCenterError>;

type Field = (typeof FIELDS)[number];
type Fields = { -readonly [K in Field]: PartnerCenterError[K] };

/** Fields left out of {@link PartnerCenterError.toJSON}: the body snippet stays on the error only. */
const NOT_IN_JSON: ReadonlySet<Field> = new Set<Field>(['body']);

/** Scrubs `text`, then caps it (scrubbing can lengthen a text slightly, e.g. a URL gains its `/`). */
function scrubbed(text: string | undefined, sanitizer: Sanitizer, max: number): string | undefined {
  if (text === undefined) return undefined;
  const clean = sanitizer.scrubText(text);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** How a field is redacted or normalised on its way in; the fields not listed are copied as given. */
const REDACTIONS: {
  readonly [K in Field]?: (value: PartnerCenterErrorInit[K], sanitizer: Sanitizer) => PartnerCenterError[K];
} = {
  description: (value, sanitizer) => scrubbed(value, sanitizer, MAX_DESCRIPTION_CHARS),
  method: (value) => value?.toUpperCase(),
  url: (value, sanitizer) => (value === undefined ? undefined : sanitizer.sanitizeUrl(value)),
  outcomeUnknown: (value) => value ?? false,
  reason: (value, sanitizer) => scrubbed(value, sanitizer, Number.POSITIVE_INFINITY),
  body: (value, sanitizer) => scrubbed(value, sanitizer, MAX_BODY_SNIPPET_CHARS),
  headers: (value) => Object.freeze({ ...(value ?? {}) }),
};

function redactField<K extends Field>(key: K, init: PartnerCenterErrorInit, sanitizer: Sanitizer): unknown {
  const redact = REDACTIONS[key] as
    | ((value: PartnerCenterErrorInit[K], sanitizer: Sanitizer) => PartnerCenterError[K])
    | undefined;
  return redact === undefined ? init[key] : redact(init[key], sanitizer);
}

/** Every field of `init`, redacted, in {@link FIELDS} order. */
function redactFields(init: PartnerCenterErrorInit, sanitizer: Sanitizer): Fields {
  const out: Partial<Record<Field, unknown>> = {};
  for (const key of FIELDS) out[key] = redactField(key, init, sanitizer);
  return out as Fields;
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
  /** Which header (or the body) carried `retryAfterMs`. */
  readonly retryAfterSource!: RetryAfterSource | undefined;
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

  constructor(init: PartnerCenterErrorInit) {
    const sanitizer = init.sanitizer ?? defaultSanitizer;
    const fields = redactFields(init, sanitizer);
    super(sanitizer.scrubText(init.message ?? defaultMessage(init, fields.url)));
    internals.set(this, {
      sanitizer,
      exchange: redactExchange(init.exchange, sanitizer),
      request: undefined,
    });
    const cause = sanitizeCause(init.cause, 0, sanitizer.scrubText);
    if (cause !== undefined) {
      Object.defineProperty(this, 'cause', {
        value: cause,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
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
    for (const key of FIELDS) init[key] = this[key];
    init['cause'] = (this as { cause?: unknown }).cause;
    const own = internalsOf(this);
    init['sanitizer'] = own.sanitizer;
    init['exchange'] = own.exchange;
    return init as unknown as PartnerCenterErrorInit;
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
    const json: Record<string, unknown> = { name: this.name, message: this.message };
    for (const key of FIELDS) if (!NOT_IN_JSON.has(key)) json[key] = this[key];
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
  let own = internals.get(error);
  let bound = error;
  if (own === undefined || own.request !== undefined) {
    bound = own === undefined ? new PartnerCenterError(error.toInit()) : error.with({});
    own = internalsOf(bound);
  }
  own.request = config;
  return bound;
}

// The compiler keeps FIELDS true: every field of the init (but the three that are not data) and every data
// field of the class is in the list. A missing name shows up in the error message of the line that fails.
type InitDataField = Exclude<keyof PartnerCenterErrorInit, 'message' | 'cause' | 'sanitizer' | 'exchange'>;
type ClassDataField = Exclude<
  keyof PartnerCenterError,
  | keyof Error
  | 'toInit'
  | 'with'
  | 'toJSON'
  | typeof INSPECT
  | 'isAxiosError'
  | 'config'
  | 'response'
  | 'axiosCode'
>;
const everyInitFieldListed: Exclude<InitDataField, Field> extends never
  ? true
  : Exclude<InitDataField, Field> = true;
const everyClassFieldListed: Exclude<ClassDataField, Field> extends never
  ? true
  : Exclude<ClassDataField, Field> = true;
void everyInitFieldListed;
void everyClassFieldListed;
