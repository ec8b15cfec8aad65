import type * as z from 'zod';

/*
 * The public option types (interfaces with a doc comment and a default on every field) are the one definition
 * of the options. Each zod schema is written beside its type and passed through `schemaFor<Type>()`, which
 * compiles only when the schema accepts exactly that type: an option added, removed, renamed, made required or
 * given another type on one side and not the other fails `npm run typecheck`. No zod type reaches a public
 * declaration.
 */

/** Any function: a schema checks only that a value is one, never its signature. */
interface AnyFunction {
  readonly anyFunction: true;
}

/**
 * `T` as a schema sees it: `readonly` dropped, `undefined` dropped from optional fields (zod writes
 * `a?: X | undefined`), every function one and the same type.
 */
type Plain<T> = T extends (...args: never[]) => unknown
  ? AnyFunction
  : T extends readonly (infer E)[]
    ? readonly Plain<E>[]
    : T extends object
      ? { -readonly [K in keyof T]: Plain<Exclude<T[K], undefined>> }
      : T;

/** `true` when `A` and `B` are the same type (not merely assignable one way). */
type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/** What the compiler shows when a schema and its type differ. */
interface Differ<Schema, Type> {
  readonly 'the schema and the type differ': { readonly schema: Schema; readonly type: Type };
}

/**
 * `schemaFor<RetryOptions>()(z.strictObject({ ... }))` returns the schema unchanged; it does not compile unless
 * the schema accepts exactly `T` (see {@link Plain}).
 */
export function schemaFor<T>() {
  return <S extends z.ZodType>(
    schema: S &
      (Same<Plain<z.input<S>>, Plain<T>> extends true ? unknown : Differ<Plain<z.input<S>>, Plain<T>>),
  ): S => schema;
}

/**
 * The schema of an object the caller keeps (a store, a logger): `schema` checks the members the library
 * calls, and the type is the caller's interface `T`. The library never copies such an object.
 */
export function callerObject<T>(schema: z.ZodType): z.ZodType<T, T> {
  return schema as z.ZodType<T, T>;
}

/**
 * `T` with every default filled in: each optional field required, at every depth of plain option objects
 * (arrays and functions kept as they are). The internal `Resolved*` shapes are this of the public types.
 */
export type Resolved<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { readonly [K in keyof T]-?: Resolved<Exclude<T[K], undefined>> }
      : T;
