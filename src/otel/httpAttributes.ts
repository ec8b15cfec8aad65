import type { Attributes } from '@opentelemetry/api';

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** `http.request.method` (and `http.request.method_original` for a method outside the known set). */
export function methodAttributes(method: string): Attributes {
  const upper = method.toUpperCase();
  if (KNOWN_METHODS.has(upper)) return { 'http.request.method': upper };
  return { 'http.request.method': '_OTHER', 'http.request.method_original': method };
}

/** Span name per the HTTP client semantic conventions: the method, or `HTTP` for an unknown one. */
export function spanNameOf(method: string): string {
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : 'HTTP';
}

/** `server.address` and `server.port` of an absolute URL (the scheme's default port when none is given). */
export function serverAttributes(url: string): Attributes {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {};
  }
  const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (address === '') return {};
  const port =
    parsed.port !== ''
      ? Number(parsed.port)
      : parsed.protocol === 'https:'
        ? 443
        : parsed.protocol === 'http:'
          ? 80
          : undefined;
  return port === undefined
    ? { 'server.address': address }
    : { 'server.address': address, 'server.port': port };
}

/**
 * `error.type` of a failed call: the status code as a string when the server's answer ended the call (as
 * the conventions ask), else the library's error kind (`timeout`, `network`, `circuit-open`, ...). A call
 * the breaker ended is `circuit-open` even when it carries the status of the last answer it received.
 */
export function errorTypeOf(kind: string, status: number | undefined): string {
  return kind !== 'circuit-open' && status !== undefined && status >= 400 ? String(status) : kind;
}
