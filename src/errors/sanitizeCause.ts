import { defaultSanitizer } from '../observability/sanitizer.js';
import { hasPartnerCenterErrorMarker } from './errorMarker.js';

/** How many `cause` links deep a cause chain is copied. */
const MAX_CAUSE_DEPTH = 4;

/**
 * Copies an arbitrary thrown value into a plain `Error` that carries nothing but a scrubbed name, message,
 * stack and error code. Request configs, headers, sockets and responses are never copied, so a cause chain
 * cannot leak an Authorization header.
 */
export function sanitizeCause(
  value: unknown,
  depth = 0,
  scrub: (text: string) => string = defaultSanitizer.scrubText,
): Error | undefined {
  try {
    return copyCause(value, depth, scrub);
  } catch {
    const copy = new Error('A value was thrown that could not be read');
    copy.name = 'UnreadableThrown';
    return copy;
  }
}

function copyCause(value: unknown, depth: number, scrub: (text: string) => string): Error | undefined {
  if (value === undefined || value === null) return undefined;
  if (hasPartnerCenterErrorMarker(value)) return value;
  if (value instanceof Error || (typeof value === 'object' && typeof (value as Error).message === 'string')) {
    return copyError(value as Error, depth, scrub);
  }
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  const copy = new Error(`Non-Error value thrown (${typeof value}): ${scrub(text).slice(0, 500)}`);
  copy.name = 'NonErrorThrown';
  return copy;
}

/** An error-like value: name, message, stack, `code`, `errno`, `syscall` and its own cause chain. */
function copyError(value: Error, depth: number, scrub: (text: string) => string): Error {
  const source = value as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  const copy = new Error(scrub(String(source.message)).slice(0, 2000));
  copy.name = typeof source.name === 'string' ? source.name : 'Error';
  copy.stack =
    typeof source.stack === 'string' ? scrub(source.stack).slice(0, 8000) : `${copy.name}: ${copy.message}`;
  const extra = copy as Error & { code?: string | number; errno?: number; syscall?: string };
  if (typeof source.code === 'string') extra.code = scrub(source.code).slice(0, 128);
  else if (typeof source.code === 'number') extra.code = source.code;
  if (typeof source.errno === 'number') extra.errno = source.errno;
  if (typeof source.syscall === 'string') extra.syscall = source.syscall;
  if (depth < MAX_CAUSE_DEPTH && 'cause' in source && source.cause !== undefined) {
    const inner = sanitizeCause(source.cause, depth + 1, scrub);
    if (inner) Object.defineProperty(copy, 'cause', { value: inner, enumerable: false, writable: true });
  }
  return copy;
}
