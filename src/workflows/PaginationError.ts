import { PartnerCenterError, type PartnerCenterErrorInit } from '../errors/PartnerCenterError.js';
import type { PageContinuation } from './continuation.js';

/** A global symbol, so that errors from two installed copies of the library recognise each other. */
const PAGINATION_ERROR_MARKER = Symbol.for('partner-center-resilience.PaginationError');

/** Where in a crawl a {@link PaginationError} happened. */
export interface PagePosition {
  /** Index of the page that failed in this iteration (0: the first page requested). */
  readonly pageIndex: number;
  /**
   * The continuation the failed page was requested with: resume from it to request that page again.
   * `undefined` when the failed page was the first of a crawl started from the URL (start it again).
   */
  readonly resumeFrom: PageContinuation | undefined;
  /**
   * The failed page's own continuation (to the page after it), when the page was read and its `links.next`
   * was valid: resume from it to skip the page. Set when the `onPage` hook failed; `undefined` otherwise.
   */
  readonly continuation: PageContinuation | undefined;
}

/**
 * A {@link PartnerCenterError} raised by `paginate` itself (not by a page request, whose errors reach the
 * caller as the engine gave them): a page body of the wrong shape (`client`), the loop guard (`client`), the
 * `onPage` hook throwing (`unknown`) or running past `onPageTimeoutMs` (`timeout`), or an abort between
 * requests (`cancelled`). It says where the crawl stopped and where to resume.
 *
 * The continuations are properties of the error only: `toJSON()` adds `pageIndex`, never a continuation
 * token.
 */
export class PaginationError extends PartnerCenterError {
  /** Index of the page that failed in this iteration (0: the first page requested). */
  readonly pageIndex: number;
  /** The continuation that requests the failed page again; `undefined`: the crawl's first page (the URL). */
  readonly resumeFrom: PageContinuation | undefined;
  /** The continuation to the page after the failed one (set when the `onPage` hook failed), to skip it. */
  readonly continuation: PageContinuation | undefined;

  constructor(
    init: PartnerCenterErrorInit,
    position: Pick<PaginationError, 'pageIndex' | 'resumeFrom' | 'continuation'>,
  ) {
    super(init);
    this.pageIndex = position.pageIndex;
    this.resumeFrom = position.resumeFrom;
    this.continuation = position.continuation;
    Object.defineProperty(this, PAGINATION_ERROR_MARKER, { value: true, enumerable: false });
  }

  /** A copy with some fields changed, still a `PaginationError` at the same position. */
  override with(changes: Partial<PartnerCenterErrorInit>): PaginationError {
    const next = new PaginationError({ ...this.toInit(), ...changes }, this);
    if (this.stack) next.stack = this.stack.replace(this.message, next.message);
    return next;
  }

  /** The fields of {@link PartnerCenterError.toJSON} and `pageIndex`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), pageIndex: this.pageIndex };
  }
}

/**
 * True when `value` is a {@link PaginationError}, from this copy of the library or any other installed copy.
 */
export function isPaginationError(value: unknown): value is PaginationError {
  if (!PartnerCenterError.is(value)) return false;
  try {
    return (value as unknown as Record<PropertyKey, unknown>)[PAGINATION_ERROR_MARKER] === true;
  } catch {
    return false;
  }
}
