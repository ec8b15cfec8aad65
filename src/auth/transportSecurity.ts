import { PartnerCenterError } from '../errors/PartnerCenterError.js';

/**
 * Whether a bearer token may be sent to `url`: `https:` always; `http:` only to a loopback host
 * (`localhost`, `127.0.0.0/8`, `[::1]`), for local simulators and tests. Relative, protocol-relative
 * (`//host/x`), unparsable and other-scheme URLs are refused: pass the absolute URL the request will go to,
 * combined as axios combines it (the engine passes `requestUrl(config)`, which keeps a protocol-relative
 * `//host/x` as axios does instead of appending it to the `baseURL`).
 */
export function isSafeToSendToken(url: string): boolean {
  return unsafeReason(url) === undefined;
}

/**
 * Throws unless {@link isSafeToSendToken} accepts `url`.
 *
 * @throws PartnerCenterError of kind `client`, not retryable, with the reason; the URL on the error is
 * redacted by the error itself.
 */
export function assertSafeToSendToken(url: string): void {
  const reason = unsafeReason(url);
  if (reason === undefined) return;
  throw new PartnerCenterError({
    kind: 'client',
    retryable: false,
    reason,
    url: typeof url === 'string' ? url : undefined,
  });
}

function unsafeReason(url: string): string | undefined {
  if (typeof url === 'string' && /^\s*[/\\]{2}/.test(url)) {
    return 'refusing to send a bearer token: the URL is protocol-relative (//host/...), which axios sends to that host as it is; write the scheme (https://)';
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'refusing to send a bearer token: the URL is not absolute or cannot be parsed';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    if (isLoopback(parsed.hostname)) return undefined;
    return 'refusing to send a bearer token over plain http to a non-loopback host; use https';
  }
  return `refusing to send a bearer token over ${parsed.protocol.replace(/:$/, '')}; use https`;
}

/** `hostname` as the WHATWG URL parser normalises it (IPv4 dotted-decimal, IPv6 compressed in brackets). */
function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
