import { continuationKey, type PageContinuation } from './continuation.js';

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
