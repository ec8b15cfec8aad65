/** Small readers for values of unknown shape, shared by the normaliser's files. */

export type Dict = Record<string, unknown>;

export function isObject(value: unknown): value is Dict {
  return value !== null && typeof value === 'object';
}

/** A non-empty string, else `undefined`. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Caps `text` at `max` characters, marking the cut with an ellipsis. */
export function cap(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `JSON.stringify`, or `undefined` when the value cannot be serialised. */
export function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
