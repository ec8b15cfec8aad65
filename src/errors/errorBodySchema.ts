import * as z from 'zod';

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
 * The Partner Center error body as it is documented (`code`, `description`, `data`, `source`) and as it
 * drifts in the wild: numeric or string `code`, extra `message`, `errorName`, `isRetryable`, `parameters`,
 * `errorMessageExtended`, the gateway's `{ statusCode, message }`, or an Azure-style `{ error: {...} }`.
 * Every field is optional and a field of the wrong type reads as absent instead of failing the whole body;
 * unknown fields are kept.
 */
export const partnerCenterErrorBodySchema = z.looseObject({
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

/** A parsed Partner Center error body. */
export type PartnerCenterErrorBody = z.infer<typeof partnerCenterErrorBodySchema>;
