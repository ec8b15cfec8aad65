import type { Hit, Step } from '../../../helpers/scriptedAdapter.js';

/** The items of a fake collection: `{ id: 'c1' }`, `{ id: 'c2' }`, ... */
export function customers(count: number): { id: string }[] {
  return Array.from({ length: count }, (_, i) => ({ id: `c${i + 1}` }));
}

export interface PagedServerOptions {
  /** Items per page. Default 2. */
  readonly size?: number;
  /** The `links.next.uri` of a page (relative to the version root, as Partner Center writes it). */
  readonly nextUri?: (size: number) => string;
  /** An answer to use instead of the page for the hit `index` (0-based over all hits), if any. */
  readonly override?: (hit: Hit, index: number) => Step | undefined;
}

/**
 * A Partner Center collection as `GET /v1/customers?size=N` serves it: page k (from 0) holds items
 * [k*size, (k+1)*size), its `links.next` names `MS-ContinuationToken: tok-(k+1)` and a relative uri with
 * `seekOperation=Next`; the last page has no `links.next`. A continuation request must go to
 * `/v1/customers?size=N&seekOperation=Next` (the uri resolved against the version root) with its token.
 */
export function pagedServer(all: readonly unknown[], options: PagedServerOptions = {}) {
  const size = options.size ?? 2;
  const nextUri = options.nextUri ?? ((n: number) => `/customers?size=${n}&seekOperation=Next`);
  const pageCount = Math.max(1, Math.ceil(all.length / size));
  return (hit: Hit, index: number): Step => {
    const override = options.override?.(hit, index);
    if (override !== undefined) return override;
    const token = hit.headers['ms-continuationtoken'];
    const host = 'https://api.partnercenter.microsoft.com';
    const path = hit.url.replace(host, '');
    let page: number;
    if (token === undefined) {
      if (!path.startsWith('/v1/customers')) return { status: 404, data: { code: 404, description: path } };
      page = 0;
    } else {
      // The uri relative to the version root, whether written absolute, protocol-relative or as a path.
      const listed = nextUri(size).replace(/^(https:)?\/\/api\.partnercenter\.microsoft\.com/, '');
      if (path !== `/v1${listed.replace(/^\/v1/, '')}`) {
        return { status: 404, data: { code: 404, description: `no page at ${path}` } };
      }
      page = Number(token.replace('tok-', ''));
    }
    const last = page >= pageCount - 1;
    return {
      status: 200,
      data: {
        totalCount: all.length,
        items: all.slice(page * size, (page + 1) * size),
        links: last
          ? { self: { uri: '/customers', method: 'GET', headers: [] } }
          : {
              next: {
                uri: nextUri(size),
                method: 'GET',
                headers: [{ key: 'MS-ContinuationToken', value: `tok-${page + 1}` }],
              },
            },
        attributes: { objectType: 'Collection' },
      },
    };
  };
}

/** Every item of an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
