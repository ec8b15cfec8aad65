import * as z from 'zod';
import { SIMULATOR_ROUTES } from './routes.js';
import { QUOTA_SCOPES } from './scenario.js';
import { httpMethodSchema } from './schemaParts.js';

/** Route templates (without method) the simulator serves, in `SIMULATOR_ROUTES` order. */
const TEMPLATES = [...new Set(SIMULATOR_ROUTES.map((route) => route.slice(route.indexOf(' ') + 1)))];

const quotaMatchSchema = z.strictObject({
  method: httpMethodSchema.exactOptional(),
  template: z
    .string()
    .refine((template) => TEMPLATES.includes(template), {
      message: `Expected a route template the simulator serves: ${TEMPLATES.join(', ')}`,
    })
    .exactOptional(),
});

const quotaRuleSchema = z
  .strictObject({
    name: z.string().min(1).exactOptional(),
    scope: z.enum(QUOTA_SCOPES, { message: `Expected a quota scope: ${QUOTA_SCOPES.join(', ')}` }),
    limit: z.number().int().min(1).max(1_000_000),
    windowMs: z.number().int().min(1).max(86_400_000),
    match: quotaMatchSchema.exactOptional(),
  })
  .superRefine((quota, ctx) => {
    const method = quota.match?.method?.toUpperCase();
    const template = quota.match?.template;
    if (method === undefined || template === undefined) return;
    if (!SIMULATOR_ROUTES.includes(`${method} ${template}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['match'],
        message: `No route serves ${method} ${template}, so the quota would never count a request`,
      });
    }
  });

/** `scenario.quotas`: at most 100 quotas, names unique (unnamed ones are `quotas[<index>]`). */
export const quotasSchema = z
  .array(quotaRuleSchema)
  .max(100)
  .superRefine((quotas, ctx) => {
    const seen = new Set<string>();
    quotas.forEach((quota, index) => {
      const name = quota.name ?? `quotas[${index}]`;
      if (seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `Quota name "${name}" is used twice`,
        });
      }
      seen.add(name);
    });
  });
