import * as z from 'zod';
import { fromAnswering } from '../followTarget.js';
import { describeValue as describe, isRecord } from '../workflowOptions.js';

/**
 * Where the next page of a collection is (a {@link PageContinuation}): read from a page's `links.next`,
 * resolved against the crawl's version root, checked when handed back, and remembered by the crawl's
 * {@link LoopGuard}.
 */

/**
 * Where the next page of a Partner Center collection is: the `links.next` of a page, read and resolved. A
 * plain object (strings only), so that it can be saved as JSON and handed back to `paginate` to resume.
 */
export interface PageContinuation {
  /**
   * The next page's URL, already resolved against the version root of the first request: a path such as `/v1/customers?size=100&seekOperation=Next`, or an absolute URL.
   */
  readonly uri: string;
  /** The method `links.next` named; always `GET` (a page listed with any other method is refused). */
  readonly method: string;
  /** The headers `links.next` listed (e.g. `MS-ContinuationToken`), sent with the next page's request. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The origin (`https://host`) and the API version segment (`v1`, `v1.0`) of the first request's URL. */
export interface VersionRoot {
  /** `scheme://host[:port]` of an absolute first URL; `''` for a URL relative to the instance's `baseURL`. */
  readonly origin: string;
  /** The first path segment when it names a version (`v1`, `v1.0`, `V2`), else `undefined`. */
  readonly segment: string | undefined;
}

const ABSOLUTE = /^[a-z][a-z\d+.-]*:\/\//i;
const ORIGIN = /^([a-z][a-z\d+.-]*:\/\/[^/?#]*)(.*)$/i;
const VERSION = /^v\d+(?:\.\d+)*$/i;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters a header value may not hold (a listed header must not be able to inject another). */
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

function firstSegment(path: string): string {
  return path.replace(/^\/+/, '').split(/[/?#]/, 1)[0] ?? '';
}

/** The version root of `url`, the URL a crawl starts from. */
export function versionRoot(url: string): VersionRoot {
  const match = ORIGIN.exec(url);
  const origin = match?.[1] ?? '';
  const path = match === null ? url : (match[2] ?? '');
  const segment = firstSegment(path);
  return { origin, segment: VERSION.test(segment) ? segment : undefined };
}

/**
 * Resolves a `links.next.uri` the way the official .NET SDK does: Partner Center writes it relative to the
 * API version root (`/customers?size=100&seekOperation=Next` for a crawl of `/v1/customers?size=100`).
 * - an absolute URL (`https://...`) is used as it is;
 * - a protocol-relative one (`//host/x`) takes the scheme of `answeredBy`, the absolute URL of the page that
 *   listed it (as HTTP resolves it; axios would send it as it is, which Node cannot parse);
 * - a path that does not start with the first request's version segment gets that segment prefixed
 *   (`/customers?...` -> `/v1/customers?...`); one that does is used as it is;
 * - the first request's origin is prefixed when its URL was absolute; else the path stays relative to the
 *   instance's `baseURL` (which then holds the version, if any).
 */
export function resolvePageUri(uri: string, root: VersionRoot, answeredBy?: string): string {
  if (ABSOLUTE.test(uri)) return uri;
  if (uri.startsWith('//')) return fromAnswering(uri, answeredBy);
  const path = uri.startsWith('/') ? uri : `/${uri}`;
  const segment = root.segment;
  if (segment === undefined || firstSegment(path).toLowerCase() === segment.toLowerCase()) {
    return `${root.origin}${path}`;
  }
  return `${root.origin}/${segment}${path}`;
}

/** `url` with its `size` query parameter set to `size` (added, or replacing every existing `size=`). */
export function withPageSize(url: string, size: number): string {
  const hash = url.indexOf('#');
  const bare = hash === -1 ? url : url.slice(0, hash);
  const query = bare.indexOf('?');
  const path = query === -1 ? bare : bare.slice(0, query);
  const kept =
    query === -1
      ? []
      : bare
          .slice(query + 1)
          .split('&')
          .filter((part) => part !== '' && part.split('=', 1)[0]?.toLowerCase() !== 'size');
  return `${path}?${[...kept, `size=${size}`].join('&')}`;
}

/** The `{ key, value }` list of `links.next.headers` as a record, or what is wrong with it. */
function readHeaders(value: unknown): Record<string, string> | string {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value))
    return `links.next.headers is ${describe(value)}, not an array of { key, value }`;
  const headers: Record<string, string> = {};
  for (const [i, entry] of value.entries()) {
    const key = isRecord(entry) ? entry['key'] : undefined;
    const text = isRecord(entry) ? entry['value'] : undefined;
    if (typeof key !== 'string' || !HEADER_NAME.test(key)) {
      return `links.next.headers[${i}].key is not a header name`;
    }
    if (typeof text !== 'string' || HEADER_VALUE_FORBIDDEN.test(text)) {
      return `links.next.headers[${i}].value (${key}) is not a single-line string`;
    }
    headers[key] = text;
  }
  return headers;
}

/**
 * Reads the `links` of a page: its next page, `undefined` on the last page (no `links`, no `links.next`, or a
 * `null` one), or a text saying what is wrong. `answeredBy` is the page's absolute URL (for a protocol-relative
 * `uri`). Where the next page may be requested (its origin) is for the caller to check.
 */
export function readNextLink(
  links: unknown,
  root: VersionRoot,
  answeredBy: string | undefined,
): PageContinuation | undefined | string {
  if (links === undefined || links === null) return undefined;
  if (!isRecord(links)) return `links is ${describe(links)}, not an object`;
  const next = links['next'];
  if (next === undefined || next === null) return undefined;
  if (!isRecord(next)) return `links.next is ${describe(next)}, not an object`;
  const uri = next['uri'];
  if (typeof uri !== 'string' || uri.trim() === '') return 'links.next.uri is not a non-empty string';
  const method = next['method'];
  if (method !== undefined && (typeof method !== 'string' || method.toUpperCase() !== 'GET')) {
    return `links.next.method is ${typeof method === 'string' ? `"${method.slice(0, 16)}"` : describe(method)}; only GET pages are followed`;
  }
  const headers = readHeaders(next['headers']);
  if (typeof headers === 'string') return headers;
  const resolved = resolvePageUri(uri.trim(), root, answeredBy);
  return Object.freeze({ uri: resolved, method: 'GET', headers: Object.freeze(headers) });
}

/**
 * The `continuation` option: a saved {@link PageContinuation} handed back to `paginate` (a non-empty `uri`,
 * `method` GET, `headers` of header names and single-line values). Other fields are ignored.
 */
export const continuationSchema = z.looseObject(
  {
    uri: z
      .string({ error: 'is not a non-empty string' })
      .refine((uri) => uri.trim() !== '', { error: 'is not a non-empty string' }),
    method: z
      .string({ error: 'is not "GET"' })
      .refine((method) => method.toUpperCase() === 'GET', { error: 'is not "GET"' }),
    headers: z
      .custom<Record<string, string>>(isRecord, 'is not an object of strings')
      .superRefine((headers, ctx) => {
        for (const [name, text] of Object.entries(headers)) {
          if (!HEADER_NAME.test(name) || typeof text !== 'string' || HEADER_VALUE_FORBIDDEN.test(text)) {
            ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header' });
          }
        }
      }),
  },
  { error: (issue) => `is ${describe(issue.input)}, not { uri, method, headers }` },
);

/** A key equal for two continuations that request the same page (for the loop guard). */
export function continuationKey(continuation: PageContinuation): string {
  const headers = Object.entries(continuation.headers)
    .map(([name, value]) => [name.toLowerCase(), value])
    .sort(([a = ''], [b = '']) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([continuation.uri, headers]);
}

/**
 * Most requests a crawl's loop guard remembers. It keeps a crawl of any length in bounded memory (a key is
 * the uri and the continuation headers, a few hundred bytes); a cycle longer than this many pages is not
 * caught (`maxPages` bounds any crawl).
 */
export const LOOP_GUARD_PAGES = 1_000;

/**
 * The loop guard of one crawl: remembers the requests it made (the first URL, then each continuation, by
 * uri and headers, the last {@link LOOP_GUARD_PAGES} of them) and tells when a `links.next` leads back to
 * one of them, however many pages ago: `A -> A` as well as `A -> B -> A`.
 */
export class LoopGuard {
  /** Request key -> index of the page it requested, oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly limit = LOOP_GUARD_PAGES) {}

  /** Records that page `pageIndex` was requested with `from` (the first URL, when it has no continuation). */
  requested(pageIndex: number, from: PageContinuation): void {
    const key = continuationKey(from);
    this.seen.delete(key);
    this.seen.set(key, pageIndex);
    if (this.seen.size > this.limit) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  /** The index of the page already requested with `next`, or `undefined` when `next` is new to this crawl. */
  requestedBefore(next: PageContinuation): number | undefined {
    return this.seen.get(continuationKey(next));
  }
}
