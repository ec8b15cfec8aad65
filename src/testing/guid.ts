const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` looks like a GUID (8-4-4-4-12 hexadecimal digits, any case). */
export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

/** The message of a value that is not a GUID. */
export const GUID_MESSAGE = 'Expected a GUID like 00000000-0000-0000-0000-000000000001';
