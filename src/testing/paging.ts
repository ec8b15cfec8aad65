import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type Answer, json, partnerCenterError } from './responses.js';
import { seedToUint32 } from './rng.js';
import type { PagingConfig } from './scenario.js';
import type { StatsRecorder } from './stats.js';

/** Default of `scenario.paging.continuationTtlMs`: 15 minutes. */
export const DEFAULT_CONTINUATION_TTL_MS = 15 * 60 * 1000;

/** The largest `size` a page request may ask for (and the smallest is 1). */
export const MAX_PAGE_SIZE = 1000;

/** The request header that carries a continuation token, as Partner Center names it. */
export const CONTINUATION_HEADER = 'MS-ContinuationToken';

/** Where a valid continuation token points: the page size, the first item's index and when it was issued. */
export interface Cursor {
  readonly size: number;
  readonly offset: number;
  /** The injected clock's reading when the page that issued the token was answered. */
  readonly issuedAt: number;
}

/** A link of a Partner Center collection (`links.self`, `links.next`). */
interface Link {
  readonly uri: string;
  readonly method: 'GET';
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

const VERSION = 1;
/** version (1), size (2), offset (4), issuedAt (8, a double: the injected clock may be any number). */
const BODY_BYTES = 15;
const TAG_BYTES = 16;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Continuation tokens: base64url of the cursor and an HMAC-SHA256 tag (128 bits) keyed by the seed and bound
 * to the collection, so a forged, altered, truncated or other-collection token is told from a real one.
 * Stateless, so a token names the same page every time it is sent: a client can resume from a saved one.
 */
export class ContinuationTokens {
  private readonly key: Buffer;

  constructor(seed: number | string) {
    this.key = createHash('sha256')
      .update(`partner-center-simulator/continuation-token/${seedToUint32(seed)}`)
      .digest();
  }

  issue(collection: string, cursor: Cursor): string {
    const body = Buffer.alloc(BODY_BYTES);
    body.writeUInt8(VERSION, 0);
    body.writeUInt16BE(cursor.size, 1);
    body.writeUInt32BE(cursor.offset, 3);
    body.writeDoubleBE(cursor.issuedAt, 7);
    return Buffer.concat([body, this.tag(collection, body)]).toString('base64url');
  }

  /** The cursor of a token this simulator issued for `collection`, or `undefined` for anything else. */
  read(collection: string, token: string): Cursor | undefined {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    // The re-encoding check rejects a token that differs only in the unused bits of its last character.
    if (bytes.length !== BODY_BYTES + TAG_BYTES || bytes.toString('base64url') !== token) return undefined;
    const body = bytes.subarray(0, BODY_BYTES);
    if (!timingSafeEqual(bytes.subarray(BODY_BYTES), this.tag(collection, body))) return undefined;
    if (body.readUInt8(0) !== VERSION) return undefined;
    return { size: body.readUInt16BE(1), offset: body.readUInt32BE(3), issuedAt: body.readDoubleBE(7) };
  }

  private tag(collection: string, body: Buffer): Buffer {
    return createHmac('sha256', this.key)
      .update(`${collection}\n`)
      .update(body)
      .digest()
      .subarray(0, TAG_BYTES);
  }
}

/** `scenario.paging` with its defaults. */
export function pagingSettings(config: PagingConfig | undefined): Required<PagingConfig> {
  return { continuationTtlMs: config?.continuationTtlMs ?? DEFAULT_CONTINUATION_TTL_MS };
}

/** A Partner Center collection of every item: `totalCount` is the number of items in it. */
export function collection(items: readonly unknown[], uri: string): unknown {
  return page(items, { uri, method: 'GET', headers: [] }, undefined);
}

/**
 * A Partner Center collection body. `totalCount` is the number of items in this body (this page), as Partner
 * Center answers for customers, so a paged and an unpaged answer count the same way.
 */
function page(items: readonly unknown[], self: Link, next: Link | undefined): unknown {
  return {
    totalCount: items.length,
    items,
    links: next === undefined ? { self } : { self, next },
    attributes: { objectType: 'Collection' },
  };
}

/** The request for the page a token points at; its `uri` is relative to the version root, as Partner Center's. */
function nextLink(uri: string, size: number, token: string): Link {
  const headers = [{ key: CONTINUATION_HEADER, value: token }];
  return { uri: `${uri}?size=${size}&seekOperation=Next`, method: 'GET', headers };
}

/** What a collection request asks for, read from its query string. */
type PageQuery =
  | { readonly kind: 'all' }
  | { readonly kind: 'first'; readonly size: number }
  | { readonly kind: 'next'; readonly size: number | undefined }
  | { readonly kind: 'bad-size' }
  | { readonly kind: 'bad-seek'; readonly value: string };

/** Reads `size` and `seekOperation` (or `seek_operation`); parameter names are case-insensitive. */
function readPageQuery(query: string): PageQuery {
  let size: string | undefined;
  let seek: string | undefined;
  for (const [name, value] of new URLSearchParams(query)) {
    const key = name.toLowerCase();
    if (key === 'size') size ??= value;
    else if (key === 'seekoperation' || key === 'seek_operation') seek ??= value;
  }
  let parsed: number | undefined;
  if (size !== undefined) {
    parsed = /^\d{1,7}$/.test(size) ? Number(size) : 0;
    if (parsed < 1 || parsed > MAX_PAGE_SIZE) return { kind: 'bad-size' };
  }
  if (seek === undefined) return parsed === undefined ? { kind: 'all' } : { kind: 'first', size: parsed };
  if (seek.toLowerCase() !== 'next') return { kind: 'bad-seek', value: seek };
  return { kind: 'next', size: parsed };
}

/** What answering a collection reads: the token signer, the token lifetime and the counters. */
export interface PagingState {
  readonly tokens: ContinuationTokens;
  readonly settings: Required<PagingConfig>;
  readonly stats: StatsRecorder;
}

/** One request for a collection. */
export interface CollectionRequest {
  /** The collection's URI relative to the API version root (`/customers`); tokens are bound to it. */
  readonly uri: string;
  /** Every item, in listing order. */
  readonly items: readonly unknown[];
  /** The request's query string, without `?` (`''` when none). */
  readonly query: string;
  /** The `MS-ContinuationToken` header, if any. */
  readonly token: string | undefined;
  readonly now: number;
}

/**
 * Answers a collection request: without `size` or `seekOperation`, the whole collection (as before paging
 * existed); with `size` alone, the first page; with `seekOperation=Next`, the page the request's continuation
 * token points at (`size` from the query, else the token's). A page's `links.next` (absent on the last page)
 * carries the next token.
 */
export function answerCollection(state: PagingState, request: CollectionRequest): Answer {
  const { uri, items, now } = request;
  const query = readPageQuery(request.query);
  if (query.kind === 'all') return json(200, collection(items, uri), 'ok');
  if (query.kind === 'bad-size') {
    const description = `The size must be an integer from 1 to ${MAX_PAGE_SIZE}.`;
    return partnerCenterError(400, 2000, description, 'bad-page-size');
  }
  if (query.kind === 'bad-seek') {
    const description = `The seek operation ${JSON.stringify(query.value)} is not supported; use Next.`;
    return partnerCenterError(400, 2000, description, 'bad-seek-operation');
  }
  let offset = 0;
  let size: number;
  let self: Link;
  if (query.kind === 'first') {
    size = query.size;
    self = { uri: `${uri}?size=${size}`, method: 'GET', headers: [] };
  } else {
    const token = request.token;
    const cursor = token === undefined ? undefined : state.tokens.read(uri, token);
    if (token === undefined || cursor === undefined) {
      state.stats.invalidContinuationTokens++;
      return partnerCenterError(400, 2000, 'The continuation token is invalid.', 'continuation-invalid');
    }
    if (now - cursor.issuedAt >= state.settings.continuationTtlMs) {
      state.stats.expiredContinuationTokens++;
      return partnerCenterError(400, 2000, 'The continuation token has expired.', 'continuation-expired');
    }
    offset = cursor.offset;
    size = query.size ?? cursor.size;
    // The request itself: sent again, it answers this page again.
    self = nextLink(uri, size, token);
  }
  const end = offset + size;
  const slice = items.slice(offset, end);
  let next: Link | undefined;
  if (end < items.length) {
    next = nextLink(uri, size, state.tokens.issue(uri, { size, offset: end, issuedAt: now }));
  }
  state.stats.pagesServed++;
  return json(200, page(slice, self, next), 'page');
}
