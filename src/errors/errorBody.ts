import * as z from 'zod';
import { isObject } from './redaction.js';

// A failed response's body: read from whatever axios hands over (text, bytes, parsed JSON, stream), parsed as
// the Partner Center error body, or salvaged from truncated JSON and HTML pages.

/**
 * The Partner Center error body as it is documented (`code`, `description`, `data`, `source`) and as it
 * drifts in the wild: numeric or string `code` (read as a trimmed string), extra `message`, `errorName`,
 * `isRetryable`, `parameters`, `errorMessageExtended`, the gateway's `{ statusCode, message }`, or an
 * Azure-style `{ error: {...} }`. Every field is optional; unknown fields are kept.
 */
export interface PartnerCenterErrorBody {
  /** Partner Center's error code, as a string (`"800064"`). */
  code?: string | undefined;
  description?: string | undefined;
  message?: string | undefined;
  data?: unknown;
  /** The service that failed (e.g. `PartnerFD`). */
  source?: string | undefined;
  errorName?: string | undefined;
  /** Partner Center's own verdict (`true`, `false`, or the strings `"true"`, `"False"`, ...). */
  isRetryable?: boolean | undefined;
  /** The gateway's status (`{ statusCode, message }` bodies). */
  statusCode?: number | undefined;
  errorMessageExtended?: string | undefined;
  parameters?: unknown;
  /** Azure-style nested error (`{ error: { code, message } }`), seen from some gateways. */
  error?:
    | {
        code?: string | undefined;
        message?: string | undefined;
        description?: string | undefined;
        [key: string]: unknown;
      }
    | undefined;
  [key: string]: unknown;
}

const optionalString = z.string().optional().catch(undefined);

const codeSchema = z
  .union([z.string(), z.number().finite()])
  .transform((value) => String(value).trim())
  .optional()
  .catch(undefined);

const booleanLike = z
  .union([
    z.boolean(),
    z.enum(['true', 'false', 'True', 'False']).transform((v) => v.toLowerCase() === 'true'),
  ])
  .optional()
  .catch(undefined);

/** Azure-style nested error (`{ error: { code, message } }`), seen from some gateways. */
const nestedErrorSchema = z
  .looseObject({ code: codeSchema, message: optionalString, description: optionalString })
  .optional()
  .catch(undefined);

/**
 * The schema of {@link PartnerCenterErrorBody}: a field of the wrong type reads as absent instead of failing
 * the whole body. Internal (a zod type stays out of the public API); the check below keeps it and the
 * interface identical.
 */
const bodySchema = z.looseObject({
  code: codeSchema,
  description: optionalString,
  message: optionalString,
  data: z.unknown().optional(),
  source: optionalString,
  errorName: optionalString,
  isRetryable: booleanLike,
  statusCode: z.coerce.number().int().optional().catch(undefined),
  errorMessageExtended: optionalString,
  parameters: z.unknown().optional(),
  error: nestedErrorSchema,
});

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemaMatchesInterface: Same<z.infer<typeof bodySchema>, PartnerCenterErrorBody> = true;
void schemaMatchesInterface;

/**
 * Reads a parsed JSON value as a Partner Center error body (see {@link PartnerCenterErrorBody}); `undefined`
 * when it is not an object, or its getters throw. Never throws.
 */
export function parsePartnerCenterErrorBody(value: unknown): PartnerCenterErrorBody | undefined {
  try {
    const parsed = bodySchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Largest body text that is parsed as JSON; larger bodies are kept as a capped snippet only. */
export const MAX_PARSED_BODY_CHARS = 1024 * 1024;

/** What could be read from a response body: parsed JSON, the text, and a note when reading fell short. */
export interface BodyRead {
  readonly json?: unknown;
  readonly text?: string;
  readonly note?: string;
}

function decodeBytes(bytes: Uint8Array): string {
  const slice = bytes.byteLength > MAX_PARSED_BODY_CHARS ? bytes.subarray(0, MAX_PARSED_BODY_CHARS) : bytes;
  return new TextDecoder('utf-8', { fatal: false }).decode(slice);
}

/** Reads any body axios may hand over (string, bytes, parsed object, stream) as JSON and/or text. */
export function readBody(data: unknown): BodyRead {
  if (data === undefined || data === null || data === '') return {};
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (data instanceof Uint8Array) text = decodeBytes(data);
  else if (data instanceof ArrayBuffer) text = decodeBytes(new Uint8Array(data));
  else if (ArrayBuffer.isView(data))
    text = decodeBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else if (isObject(data) && typeof data['pipe'] === 'function')
    return { note: 'the body is a stream and was not read' };
  else if (isObject(data)) return { json: data };
  else return { text: String(data) };

  text = text.replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length <= MAX_PARSED_BODY_CHARS) {
    try {
      return { json: JSON.parse(trimmed), text };
    } catch {
      return { text, note: 'the body is not valid JSON (truncated?)' };
    }
  }
  return { text };
}

/** Longest string value {@link salvage} reads; long enough that the later scrub sees whole tokens. */
const MAX_SALVAGED_CHARS = 64 * 1024;

/** The JSON string value that starts at `from` (just after its opening quote), unescaped where possible. */
function readJsonString(text: string, from: number): string {
  let end = from;
  const limit = Math.min(text.length, from + MAX_SALVAGED_CHARS);
  while (end < limit && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
  const raw = text.slice(from, Math.min(end, limit));
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw.replace(/\\"/g, '"');
  }
}

/**
 * Reads `code` and `description` out of JSON that failed to parse (a truncated body). The description is read
 * whole (up to 64 KiB) so that the scrub that follows sees whole tokens; it is capped only after the scrub.
 */
export function salvage(text: string): { code?: string; description?: string } {
  const code = /"code"\s*:\s*"?([A-Za-z0-9_.-]{1,64})/.exec(text)?.[1];
  const key = /"(?:description|message)"\s*:\s*"/.exec(text);
  const out: { code?: string; description?: string } = {};
  if (code !== undefined) out.code = code;
  if (key !== null) {
    const description = readJsonString(text, key.index + key[0].length);
    if (description !== '') out.description = description;
  }
  return out;
}

/** The `<title>` (or first `<h1>`) of an HTML gateway page. */
export function htmlTitle(text: string): string | undefined {
  const title =
    /<title[^>]*>([^<]{1,300})<\/title>/i.exec(text)?.[1] ?? /<h1[^>]*>([^<]{1,300})<\/h1>/i.exec(text)?.[1];
  return title?.replace(/\s+/g, ' ').trim() || undefined;
}
