import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import type { ResolvedScopePolicy } from '../../../src/options/ScopePolicyOptions.js';
import { callerObject, type Resolved, schemaFor } from '../../../src/options/schemaFor.js';

/*
 * schemaFor<T>() is checked by the compiler: each `@ts-expect-error` below is a drift it must refuse (the
 * typecheck of `npm test` fails when one of them compiles), and the first schema is one it must accept.
 */

interface Sample {
  /** A number. */
  readonly count?: number;
  readonly name?: string;
  readonly onEvent?: (event: { readonly kind: string }) => void;
  readonly tags?: readonly string[];
  readonly mode: 'a' | 'b';
}

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function');

describe('schemaFor<T>()', () => {
  it('returns the schema itself when it accepts exactly T', () => {
    const schema = z.strictObject({
      count: z.number().optional(),
      name: z.string().optional(),
      onEvent: fn.optional(),
      tags: z.array(z.string()).optional(),
      mode: z.enum(['a', 'b']),
    });
    expect(schemaFor<Sample>()(schema)).toBe(schema);
  });

  it('refuses a schema that misses, adds, loosens or retypes an option', () => {
    const missing = z.strictObject({ count: z.number().optional(), mode: z.enum(['a', 'b']) });
    const extra = z.strictObject({
      count: z.number().optional(),
      name: z.string().optional(),
      onEvent: fn.optional(),
      tags: z.array(z.string()).optional(),
      mode: z.enum(['a', 'b']),
      colour: z.string().optional(),
    });
    const optionalMode = extra.omit({ colour: true }).extend({ mode: z.enum(['a', 'b']).optional() });
    const requiredCount = optionalMode.extend({ count: z.number(), mode: z.enum(['a', 'b']) });
    const wrongType = requiredCount.extend({ count: z.string().optional() });
    const wideEnum = requiredCount.extend({ count: z.number().optional(), mode: z.enum(['a', 'b', 'c']) });
    const notAFunction = requiredCount.extend({
      count: z.number().optional(),
      onEvent: z.string().optional(),
    });
    // @ts-expect-error: `name`, `onEvent` and `tags` are missing
    schemaFor<Sample>()(missing);
    // @ts-expect-error: `colour` is not an option
    schemaFor<Sample>()(extra);
    // @ts-expect-error: `mode` is required
    schemaFor<Sample>()(optionalMode);
    // @ts-expect-error: `count` is optional
    schemaFor<Sample>()(requiredCount);
    // @ts-expect-error: `count` is a number
    schemaFor<Sample>()(wrongType);
    // @ts-expect-error: `mode` is 'a' or 'b'
    schemaFor<Sample>()(wideEnum);
    // @ts-expect-error: `onEvent` is a function
    schemaFor<Sample>()(notAFunction);
    expect(wideEnum.safeParse({ mode: 'c' }).success).toBe(true);
  });

  it('checks a union with false (an option that `false` turns off) as a whole', () => {
    const on = z.strictObject({ count: z.number().optional(), mode: z.enum(['a', 'b']) });
    const both = z.union([z.literal(false), on]);
    type Switchable = { readonly count?: number; readonly mode: 'a' | 'b' } | false;
    expect(schemaFor<Switchable>()(both)).toBe(both);
    // @ts-expect-error: `false` is missing
    schemaFor<Switchable>()(on);
  });
});

describe('callerObject<T>()', () => {
  it('keeps the structural check and types the value as the caller interface', () => {
    interface Store {
      get(key: string): number;
      readonly label?: string;
    }
    const schema = callerObject<Store>(z.looseObject({ get: fn }));
    expectTypeOf<z.input<typeof schema>>().toEqualTypeOf<Store>();
    expect(schema.safeParse({ get: () => 1, other: true }).success).toBe(true);
    expect(schema.safeParse({ get: 1 }).success).toBe(false);
  });
});

describe('Resolved<T>', () => {
  it('makes every option of plain objects required, at every depth, and keeps functions and arrays', () => {
    type R = Resolved<{
      readonly a?: { readonly b?: number; readonly list?: readonly { readonly c?: number }[] };
      readonly f?: (x: number) => void;
      readonly off?: { readonly d?: string } | false;
    }>;
    expectTypeOf<R>().toEqualTypeOf<{
      readonly a: { readonly b: number; readonly list: readonly { readonly c?: number }[] };
      readonly f: (x: number) => void;
      readonly off: { readonly d: string } | false;
    }>();
    // The sampling strategy's optional minimumRps is filled in too.
    expectTypeOf<
      Extract<ResolvedScopePolicy['circuitBreaker']['strategy'], { type: 'sampling' }>['minimumRps']
    >().toEqualTypeOf<number>();
  });
});
