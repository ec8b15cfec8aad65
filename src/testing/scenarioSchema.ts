import * as z from 'zod';
import { GUID_MESSAGE, isGuid } from './guid.js';
import { quotasSchema } from './quotaSchema.js';
import type { Scenario } from './scenario.js';
import { httpMethodSchema } from './schemaParts.js';

const guid = z.string().refine(isGuid, { message: GUID_MESSAGE });
const nonNegativeInt = z.number().int().min(0);
const positiveInt = z.number().int().min(1);
const ms = nonNegativeInt.max(7 * 24 * 60 * 60 * 1000);

const faultMatchSchema = z.strictObject({
  method: httpMethodSchema.exactOptional(),
  path: z
    .string()
    .refine(
      (source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'Expected a valid regular expression source' },
    )
    .exactOptional(),
  customer: guid.exactOptional(),
});

const triggerShape = {
  times: positiveInt.exactOptional(),
  every: positiveInt.exactOptional(),
  probability: z.number().min(0).max(1).exactOptional(),
  fromMs: ms.exactOptional(),
  untilMs: ms.exactOptional(),
};

function checkWindow(value: { fromMs?: number; untilMs?: number }, ctx: z.RefinementCtx): void {
  if (value.fromMs !== undefined && value.untilMs !== undefined && value.untilMs <= value.fromMs) {
    ctx.addIssue({ code: 'custom', path: ['untilMs'], message: 'untilMs must be greater than fromMs' });
  }
}

const faultResponseSchema = z
  .strictObject({
    status: z.number().int().min(100).max(599).exactOptional(),
    code: z.union([z.number(), z.string()]).exactOptional(),
    description: z.string().max(1024).exactOptional(),
    retryAfterSeconds: nonNegativeInt.max(86_400).exactOptional(),
    html: z.boolean().exactOptional(),
    delayMs: nonNegativeInt.max(600_000).exactOptional(),
    hangUp: z.literal('before-response').exactOptional(),
    afterProcessing: z.boolean().exactOptional(),
    headers: z.record(z.string(), z.string()).exactOptional(),
  })
  .superRefine((value, ctx) => {
    if (value.status === undefined && value.hangUp === undefined && value.delayMs === undefined) {
      ctx.addIssue({ code: 'custom', message: 'respond needs at least one of status, hangUp or delayMs' });
    }
    if (value.afterProcessing === true && value.status === undefined && value.hangUp === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['afterProcessing'],
        message: 'afterProcessing needs a status or hangUp to answer after processing',
      });
    }
    for (const key of ['code', 'description', 'html', 'retryAfterSeconds'] as const) {
      if (value[key] !== undefined && value.status === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} needs a status` });
      }
    }
  });

const faultRuleSchema = z
  .strictObject({
    name: z.string().min(1).exactOptional(),
    match: faultMatchSchema.exactOptional(),
    respond: faultResponseSchema,
    ...triggerShape,
  })
  .superRefine(checkWindow);

const throttleLimitSchema = z.strictObject({ limit: positiveInt, windowMs: positiveInt.max(86_400_000) });

const outageSchema = z
  .strictObject({
    fromMs: ms,
    untilMs: ms,
    hangUp: z.boolean().exactOptional(),
    retryAfterSeconds: nonNegativeInt.max(86_400).exactOptional(),
  })
  .superRefine(checkWindow);

const mfaSchema = z
  .strictObject({ match: faultMatchSchema.exactOptional(), ...triggerShape })
  .superRefine(checkWindow);

/** The zod schema behind {@link parseScenario}; strict, so a misspelt key is an error, not a silent no-op. */
export const scenarioSchema: z.ZodType<Scenario> = z.strictObject({
  name: z.string().exactOptional(),
  description: z.string().exactOptional(),
  seed: z.union([z.number().int(), z.string()]).exactOptional(),
  partnerId: guid.exactOptional(),
  customers: z
    .union([
      nonNegativeInt.max(100_000),
      z
        .array(guid)
        .max(100_000)
        .refine((ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length, {
          message: 'Customer ids must be unique',
        }),
    ])
    .exactOptional(),
  subscriptionsPerCustomer: nonNegativeInt.max(100).exactOptional(),
  throttle: z
    .strictObject({
      partner: throttleLimitSchema.exactOptional(),
      customer: throttleLimitSchema.exactOptional(),
    })
    .exactOptional(),
  quotas: quotasSchema.exactOptional(),
  deadlineGraceMs: nonNegativeInt.max(10_000).exactOptional(),
  auth: z
    .strictObject({
      required: z.boolean(),
      tokenLifetimeMs: positiveInt.exactOptional(),
      mfa: mfaSchema.exactOptional(),
    })
    .exactOptional(),
  outage: outageSchema.exactOptional(),
  faults: z.array(faultRuleSchema).max(1000).exactOptional(),
  paging: z.strictObject({ continuationTtlMs: positiveInt.max(86_400_000).exactOptional() }).exactOptional(),
  operations: z
    .strictObject({
      durationMs: ms.exactOptional(),
      retryAfterSeconds: nonNegativeInt.max(86_400).exactOptional(),
      outcome: z.enum(['registered', 'failed']).exactOptional(),
    })
    .exactOptional(),
});

/** One problem found in a scenario: where (`faults[0].respond.status`) and what. */
export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown by {@link parseScenario} (and so by the simulator) when a scenario is not valid. */
export class ScenarioValidationError extends Error {
  override readonly name = 'ScenarioValidationError';
  /** Marker that survives two installed copies of the library. */
  readonly isScenarioValidationError = true;
  /** Every problem found, in schema order. */
  readonly issues: readonly ScenarioIssue[];

  constructor(issues: readonly ScenarioIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`);
    super(`Invalid Partner Center simulator scenario (${count}):\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = 'scenario';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

/**
 * Validates a scenario (plain data, e.g. read from a JSON file) and returns it typed. Throws a
 * {@link ScenarioValidationError} listing every problem with its path, e.g.
 * `scenario.faults[0].respond.status: Too big: expected number to be <=599`.
 */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ScenarioValidationError(
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}
