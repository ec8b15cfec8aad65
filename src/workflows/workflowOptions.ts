import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import * as z from 'zod';
import type { ResilienceHandle } from '../attach.js';
import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';
import { ResilienceOptionsError } from '../options/ResilienceOptionsError.js';
import { MAX_TIMER_MS } from '../options/rules.js';
import type { AbortLike } from '../policies/sleep.js';

/**
 * What the workflows (`paginate`, `pollOperation`) share: the client they send through, their extra request
 * config, and the zod rules their options are validated with (the same `ResilienceOptionsError` as
 * `attachResilience`, one line per problem naming the option's path).
 */

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Extra axios config for every request a workflow sends (headers, `timeout`, per-request `partnerCenter`
 * options, ...). The workflow sets the URL, the method (GET) and the signal itself: `url`, `method`, `data`,
 * `params`, `signal` and `cancelToken` are refused (`ResilienceOptionsError`). The object is never changed.
 */
export type WorkflowRequestConfig = Omit<
  AxiosRequestConfig,
  'url' | 'method' | 'data' | 'params' | 'signal' | 'cancelToken'
>;

/** What a workflow sends through: the instance, and the sanitizer of the errors it builds itself. */
export interface WorkflowClient {
  readonly instance: AxiosInstance;
  readonly sanitizer: Sanitizer;
}

/** An axios instance (a function), or an object shaped like one (a test double): `get` and `defaults`. */
function isAxiosInstance(value: unknown): value is AxiosInstance {
  return (
    (typeof value === 'function' || isRecord(value)) &&
    typeof (value as { get?: unknown }).get === 'function' &&
    isRecord((value as { defaults?: unknown }).defaults)
  );
}

function isSanitizer(value: unknown): value is Sanitizer {
  return (
    isRecord(value) &&
    typeof value['sanitizeUrl'] === 'function' &&
    typeof value['sanitizeHeaders'] === 'function' &&
    typeof value['scrubText'] === 'function'
  );
}

/** The handle `value` is (its instance and sanitizer), or `undefined`. */
function handleOf(value: unknown): WorkflowClient | undefined {
  if (!isRecord(value)) return undefined;
  const { instance, sanitizer } = value;
  return isAxiosInstance(instance) && isSanitizer(sanitizer) ? { instance, sanitizer } : undefined;
}

/**
 * The instance and sanitizer of a workflow's first argument: a {@link ResilienceHandle} (its `instance` and
 * `sanitizer`); a `PartnerCenterClient` (itself, and its `resilience` handle's sanitizer); a bare axios
 * instance (the default sanitizer); `undefined` for anything else.
 */
export function workflowClientOf(client: ResilienceHandle | AxiosInstance): WorkflowClient | undefined {
  const given: unknown = client;
  if (isAxiosInstance(given)) {
    const handle = handleOf((given as { resilience?: unknown }).resilience);
    const own = handle !== undefined && handle.instance === given;
    return { instance: given, sanitizer: own ? handle.sanitizer : defaultSanitizer };
  }
  return handleOf(given);
}

/** The problem of a first argument that is neither a handle nor an instance. */
const NOT_A_CLIENT = 'the first argument must be the handle attachResilience returned or an axios instance';

const NEVER: AbortLike = Object.freeze({ aborted: false, onAbort: () => () => undefined });

/** The engine's small abort interface over a caller's `AbortSignal` (a listener per wait, removed after it). */
export function abortLikeOf(signal: AbortSignal | undefined): AbortLike {
  if (signal === undefined) return NEVER;
  return {
    get aborted() {
      return signal.aborted;
    },
    onAbort(listener) {
      if (signal.aborted) {
        listener();
        return () => undefined;
      }
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
  };
}

/** `null`, `an array`, `an object`, `a string`, ...: what a value is, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A field the workflow sets itself: refused in `request` with `why`. */
function setByWorkflow(why: string) {
  return z.never({ error: `not allowed (${why})` }).optional();
}

/** `request`: an object of axios config without the fields the workflow sets itself (checked in this order). */
const requestSchema = z.looseObject(
  {
    url: setByWorkflow('the workflow sets the URL'),
    method: setByWorkflow('the workflow sends GET'),
    data: setByWorkflow('the workflow sends no body'),
    params: setByWorkflow('put the query in the URL'),
    signal: setByWorkflow('pass it as the signal option'),
    cancelToken: setByWorkflow('pass an AbortSignal as the signal option'),
  },
  { error: 'must be an object of axios request config' },
);

/** An integer from `min` to `max` (`MAX_TIMER_MS` by default), one issue naming the bounds and the value. */
export function integer(min: number, max = MAX_TIMER_MS) {
  const error = (issue: { readonly input?: unknown }) =>
    `must be an integer from ${min} to ${max} (got ${String(issue.input).slice(0, 32)})`;
  // One check, so that a bad value is one issue (and later checks still run: every problem is named at once).
  return z.number({ error }).refine((n) => Number.isInteger(n) && n >= min && n <= max, { error });
}

/** An `AbortSignal` (or an object shaped like one). */
const signalSchema = z.custom<AbortSignal>(
  (value) =>
    isRecord(value) &&
    typeof value['aborted'] === 'boolean' &&
    typeof value['addEventListener'] === 'function',
  'must be an AbortSignal',
);

/** The `request` option of every workflow. */
export const requestOption = requestSchema.optional();

/** The `signal` option of every workflow. */
export const signalOption = signalSchema.optional();

/**
 * The schema of a workflow's options: a strict object of `shape` (an unknown key is an issue), whose own
 * problem is said as `options must be an object (got null)`.
 */
export function workflowOptionsSchema<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => `must be an object (got ${issue.input === null ? 'null' : typeof issue.input})`,
  });
}

/** Edit distance between two short strings (insertions, deletions, substitutions), for suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known name `name` most likely misspells (same letters in another case, or at most 2 edits), if any. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: { name: string; edits: number } | undefined;
  for (const k of known) {
    const edits = distance(lower, k.toLowerCase());
    if (edits <= Math.min(2, Math.floor(k.length / 3)) && (best === undefined || edits < best.edits)) {
      best = { name: k, edits };
    }
  }
  return best?.name;
}

/** The option path of an issue, each key capped at 64 characters; `options` for the options object itself. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map((key) => String(key).slice(0, 64)).join('.') || 'options';
}

/**
 * One line per problem of a workflow's options: `<owner>: <path> <problem>` for a bad value
 * (`paginate: size must be an integer from 1 to ...`), `<owner>: <path>: <verdict>` for a key that must not
 * be there (`paginate: sise: unknown option (did you mean size?)`, `request.url: not allowed (...)`).
 */
function issueLines(owner: string, issues: readonly z.core.$ZodIssue[], known: readonly string[]): string[] {
  // Unknown options first: a misspelt key often explains the problems after it.
  const ordered = [
    ...issues.filter((issue) => issue.code === 'unrecognized_keys'),
    ...issues.filter((issue) => issue.code !== 'unrecognized_keys'),
  ];
  return ordered.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // Only the options object itself is strict: its keys are the ones to suggest from.
      return issue.keys.map((key) => {
        const guess = closestName(key, known);
        const hint = guess === undefined ? '' : ` (did you mean ${guess}?)`;
        return `${owner}: ${pathOf([...issue.path, key])}: unknown option${hint}`;
      });
    }
    // A field the workflow sets itself (`z.never()`) is a key that must not be there.
    const separator = issue.code === 'invalid_type' && issue.expected === 'never' ? ': ' : ' ';
    return [`${owner}: ${pathOf(issue.path)}${separator}${issue.message}`];
  });
}

/** A workflow's first argument and options, checked. */
export interface WorkflowArguments<T> {
  readonly client: WorkflowClient;
  readonly options: T;
}

/**
 * Checks a workflow's arguments: its first one (a {@link ResilienceHandle} or an axios instance), the
 * problems already found with the others (`issues`, said as they are), and its options, validated with
 * `schema`. Throws one {@link ResilienceOptionsError} naming every problem, each line starting with `owner`.
 * Returns the options as given (never a copy: the caller's objects are kept).
 *
 * @throws ResilienceOptionsError naming every problem.
 */
export function checkWorkflowArguments<T>(
  owner: string,
  schema: z.ZodObject,
  given: { readonly client: ResilienceHandle | AxiosInstance; readonly options: T },
  issues: readonly (string | undefined)[],
): WorkflowArguments<T> {
  const client = workflowClientOf(given.client);
  const lines = [client === undefined ? NOT_A_CLIENT : undefined, ...issues].flatMap((issue) =>
    issue === undefined ? [] : [`${owner}: ${issue}`],
  );
  const parsed = schema.safeParse(given.options);
  if (!parsed.success) lines.push(...issueLines(owner, parsed.error.issues, Object.keys(schema.shape)));
  if (lines.length > 0 || client === undefined) throw new ResilienceOptionsError(lines);
  return { client, options: given.options };
}
