import type { AxiosInstance } from 'axios';
import { originOf, requestUrl } from '../observability/requestUrl.js';
import type { WorkflowRequestConfig } from './workflowOptions.js';

/** The config fields that decide where axios sends a workflow's request. */
export interface UrlBase {
  readonly baseURL: string | undefined;
  readonly allowAbsoluteUrls: boolean | undefined;
}

/**
 * The `baseURL` and `allowAbsoluteUrls` a workflow's requests are sent with: those of its extra request
 * config, else the instance's.
 */
export function urlBaseOf(instance: AxiosInstance, request: WorkflowRequestConfig | undefined): UrlBase {
  return {
    baseURL: request?.baseURL ?? instance.defaults.baseURL,
    allowAbsoluteUrls: request?.allowAbsoluteUrls ?? instance.defaults.allowAbsoluteUrls,
  };
}

/**
 * A URL the server named (a `links.next.uri`, a `Location`), made absolute where HTTP would resolve it
 * against `answeredBy`, the absolute URL of the request whose answer named it: a protocol-relative
 * `//host/x` takes its scheme, and a path from the host (`/v1/...`) its origin (axios would append the path
 * to the path of a `baseURL` such as `https://host/v1`). Anything else is returned as it is.
 */
export function fromAnswering(target: string, answeredBy: string | undefined): string {
  if (!target.startsWith('/')) return target;
  if (target.startsWith('//')) {
    const scheme = /^([a-z][a-z\d+.-]*:)\/\//i.exec(answeredBy ?? '')?.[1];
    return scheme === undefined ? target : `${scheme}${target}`;
  }
  const origin = originOf(answeredBy);
  return origin === undefined ? target : `${origin}${target}`;
}

/**
 * `url` as the WHATWG URL parser reads it: C0 controls and spaces in front and tabs and line breaks anywhere
 * dropped (as axios's own protocol check does).
 */
function parsedForm(url: string): string {
  let start = 0;
  while (start < url.length && url.charCodeAt(start) <= 0x20) start++;
  return url.slice(start).replace(/[\t\n\r]/g, '');
}

/**
 * Why the bearer token must not go to `target`, a URL the server named or a saved one, or `undefined` when
 * it may. `target` is resolved as axios will send it (`requestUrl` with `base`); the result must be on
 * `trusted.origin`, the origin of the request that named it (of the crawl's first URL or the `baseURL` for
 * a saved one; `trusted.of` names it in the text), without userinfo. A target that stays relative (no `baseURL`) goes where the first request went and is
 * followed; a protocol-relative one left as it is (`//host/x`, which a browser would send to that host) is
 * refused, as is an absolute one when `trusted` is unknown.
 */
export function foreignTargetIssue(
  target: string,
  base: UrlBase,
  trusted: { readonly origin: string | undefined; readonly of: string },
): string | undefined {
  const full = parsedForm(requestUrl({ url: target, ...base }) ?? target);
  if (/^[/\\]{2}/.test(full)) return 'is protocol-relative (//host/...) and its scheme is unknown';
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return 'carries userinfo (user@host)';
  const origin = url.origin.toLowerCase();
  if (trusted.origin === undefined) {
    return `names an absolute URL (${origin}), and the origin of ${trusted.of} is unknown (a relative URL without baseURL)`;
  }
  if (origin !== trusted.origin)
    return `points to another origin (${origin}) than ${trusted.of} (${trusted.origin})`;
  return undefined;
}
