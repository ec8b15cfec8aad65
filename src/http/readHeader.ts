function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function readUnsafe(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    try {
      const value = text(get.call(headers, name));
      if (value !== undefined) return value;
    } catch {
      // not a Headers-like object after all: read it as a plain record
    }
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return text(Array.isArray(value) ? value[0] : value);
  }
  return undefined;
}

/**
 * One header of a response or request, from AxiosHeaders, fetch `Headers` or a plain record with any
 * casing (`name` is lower case); the first value of a repeated header. `undefined` when absent, empty or not
 * text. Never throws: hostile containers (throwing getters, proxies) read as absent.
 */
export function readHeader(headers: unknown, name: string): string | undefined {
  try {
    return readUnsafe(headers, name);
  } catch {
    return undefined;
  }
}
