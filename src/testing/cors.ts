import type { IncomingMessage } from 'node:http';

/** The response headers a page may read (beside the CORS-safelisted ones): what the library reads. */
const EXPOSED_HEADERS = [
  'Retry-After',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  'MS-RequestId',
  'MS-CorrelationId',
  'MS-CV',
  'MS-ServerId',
  'Location',
  'WWW-Authenticate',
].join(', ');

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
/** Request headers allowed when a preflight lists none (or lists something that is not a header list). */
const DEFAULT_ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, MS-RequestId, MS-CorrelationId, MS-Contract-Version, MS-CV, ' +
  'MS-PartnerCenter-Application, MS-ContinuationToken, X-Locale';
/** A comma-separated list of header names (RFC 9110 tokens), bounded. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;
const MAX_HEADER_LIST_CHARS = 2_048;

/** The origins a simulator answers CORS for: `'*'` (any) or a set of exact origins. */
export type CorsOrigins = '*' | ReadonlySet<string>;

/**
 * Validates `corsOrigins` once: `'*'`, or origins as a browser sends them (`scheme://host[:port]`, no path,
 * no trailing slash). Throws a `TypeError` naming the first bad entry. `undefined` (the default): no CORS.
 */
export function parseCorsOrigins(value: unknown): CorsOrigins | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  if (!Array.isArray(value)) {
    throw new TypeError("startPartnerCenterSimulator: corsOrigins must be '*' or an array of origins");
  }
  const origins = new Set<string>();
  for (const [index, origin] of value.entries()) {
    if (typeof origin !== 'string' || !isOrigin(origin)) {
      throw new TypeError(
        `startPartnerCenterSimulator: corsOrigins[${index}] must be an origin such as 'http://localhost:5173' ` +
          `(scheme, host and port only), got ${JSON.stringify(String(origin)).slice(0, 80)}`,
      );
    }
    origins.add(origin);
  }
  return origins;
}

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

/** The request's `Origin` when CORS allows it, else `undefined`. */
function allowedOrigin(req: IncomingMessage, origins: CorsOrigins | undefined): string | undefined {
  const origin = req.headers.origin;
  if (origins === undefined || typeof origin !== 'string') return undefined;
  return origins === '*' || origins.has(origin) ? origin : undefined;
}

/** The CORS headers of an answer to `req`: none unless its `Origin` is allowed. */
export function corsHeaders(req: IncomingMessage, origins: CorsOrigins | undefined): Record<string, string> {
  const origin = allowedOrigin(req, origins);
  if (origin === undefined) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
}

/**
 * The headers of the 204 answering a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) from an
 * allowed origin; `undefined` when `req` is no such preflight (it then goes to the routes as any request).
 */
export function preflightHeaders(
  req: IncomingMessage,
  origins: CorsOrigins | undefined,
): Record<string, string> | undefined {
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined)
    return undefined;
  const origin = allowedOrigin(req, origins);
  if (origin === undefined) return undefined;
  const requested = req.headers['access-control-request-headers'];
  const allowHeaders =
    typeof requested === 'string' && requested.length <= MAX_HEADER_LIST_CHARS && HEADER_LIST.test(requested)
      ? requested
      : DEFAULT_ALLOWED_HEADERS;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': allowHeaders,
    'Access-Control-Max-Age': '600',
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'Content-Length': '0',
  };
}
