import { inspect } from 'node:util';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import {
  createPartnerCenterClient,
  isPartnerCenterError,
  paginate,
  pollOperation,
  ResilienceOptionsError,
} from '../../../src/index.js';
import { defaultSanitizer } from '../../../src/observability/sanitizer.js';
import {
  abortLikeOf,
  checkWorkflowArguments,
  closestName,
  integer,
  requestOption,
  signalOption,
  workflowClientOf,
  workflowOptionsSchema,
} from '../../../src/workflows/workflowOptions.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { capture, settle } from '../../helpers/settle.js';

useFakeClock();

const SECRET = 'sk-live-7f3a9c1e5b2d4f60';

/** Everything a log line could show of an error. */
function shown(error: unknown): string {
  return `${String(error)}\n${JSON.stringify(error)}\n${inspect(error, { depth: 8 })}`;
}

describe("the workflows' own errors use the handle's sanitizer", () => {
  it("a malformed page requested under a path holding a value of the instance's secrets option never shows it", async () => {
    const { handle } = attachScripted([{ status: 200, data: { note: `reference ${SECRET}`, pageSize: 2 } }], {
      secrets: [SECRET],
    });
    const { error } = await settle(
      paginate(handle, `/v1/reports/${SECRET}/rows?size=2`).pages()[Symbol.asyncIterator]().next(),
    );
    expect(isPartnerCenterError(error)).toBe(true);
    expect(shown(error)).not.toContain(SECRET);
  });

  it("a failed operation's body quoting such a value never shows it", async () => {
    const { handle } = attachScripted(
      [{ status: 200, data: { status: 'failed', error: { code: 'E1', message: `bad key ${SECRET}` } } }],
      { secrets: [SECRET] },
    );
    const { error } = await capture(pollOperation(handle, '/v1/operations/1'));
    expect(isPartnerCenterError(error) && error.kind).toBe('operation-failed');
    expect(shown(error)).not.toContain(SECRET);
  });

  it("an onPage hook's error quoting such a value never shows it", async () => {
    const { handle } = attachScripted([{ status: 200, data: { items: [{ id: 'a' }] } }], {
      secrets: [SECRET],
    });
    const pages = paginate(handle, '/v1/customers?size=2', {
      onPage: () => {
        throw new Error(`export failed for ${SECRET}`);
      },
    });
    const { error } = await settle(pages.pages()[Symbol.asyncIterator]().next());
    expect(isPartnerCenterError(error) && error.kind).toBe('unknown');
    expect(shown(error)).not.toContain(SECRET);
    expect(shown(error)).toContain('export failed for');
  });
});

describe('a bare axios instance: the default sanitizer', () => {
  it('still removes a bearer token from the errors a workflow builds', async () => {
    const { instance } = attachScripted([
      { status: 200, data: { note: 'Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0' } },
    ]);
    const { error } = await settle(
      paginate(instance, '/v1/customers').pages()[Symbol.asyncIterator]().next(),
    );
    expect(error?.kind).toBe('client');
    expect(shown(error)).not.toContain('eyJhbGciOi.eyJzdWIi.c2lnbmF0');
  });
});

describe('workflowClientOf', () => {
  it('a handle: its instance and its sanitizer', () => {
    const { handle } = attachScripted([{ status: 200 }], { secrets: [SECRET] });
    const client = workflowClientOf(handle);
    expect(client?.instance).toBe(handle.instance);
    expect(client?.sanitizer).toBe(handle.sanitizer);
    expect(client?.sanitizer.scrubText(`key ${SECRET}`)).not.toContain(SECRET);
    // The handle shows its sanitizer's methods, never the values it removes.
    expect(inspect(handle, { depth: 8 })).not.toContain(SECRET);
    expect(JSON.stringify(handle)).not.toContain(SECRET);
  });

  it('a bare instance, attached or not: the default sanitizer (nothing is read from the attachment)', () => {
    const { instance } = attachScripted([{ status: 200 }], { secrets: [SECRET] });
    expect(workflowClientOf(instance)).toEqual({ instance, sanitizer: defaultSanitizer });
    const plain = axios.create();
    expect(workflowClientOf(plain)).toEqual({ instance: plain, sanitizer: defaultSanitizer });
    // A test double shaped like an instance is taken as one.
    const double = { get: async () => ({ status: 200 }), defaults: {} } as unknown as typeof plain;
    expect(workflowClientOf(double)).toEqual({ instance: double, sanitizer: defaultSanitizer });
  });

  it("a PartnerCenterClient: itself, with its resilience handle's sanitizer", () => {
    const client = createPartnerCenterClient({
      credential: { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }) },
      secrets: [SECRET],
    });
    try {
      const resolved = workflowClientOf(client);
      expect(resolved?.instance).toBe(client);
      expect(resolved?.sanitizer).toBe(client.resilience.sanitizer);
    } finally {
      client.resilience.detach();
    }
  });

  it('anything else: undefined', () => {
    const instance = axios.create();
    const other = (value: unknown) => workflowClientOf(value as typeof instance);
    expect(other(undefined)).toBeUndefined();
    expect(other({})).toBeUndefined();
    expect(other({ instance, sanitizer: {} })).toBeUndefined();
    expect(other({ instance: {}, sanitizer: defaultSanitizer })).toBeUndefined();
    expect(other(() => undefined)).toBeUndefined();
  });
});

describe('checkWorkflowArguments', () => {
  const schema = workflowOptionsSchema({
    request: requestOption,
    limitMs: integer(1).optional(),
    signal: signalOption,
  });
  const instance = axios.create();
  const issuesOf = (options: unknown, issues: (string | undefined)[] = []) => {
    try {
      checkWorkflowArguments('work', schema, { client: instance, options }, issues);
    } catch (error: unknown) {
      if (error instanceof ResilienceOptionsError) return error.issues;
      throw error;
    }
    return [];
  };

  it('returns the client and the options as given (no copy)', () => {
    const options = { limitMs: 5, request: { headers: { A: '1' } } };
    const checked = checkWorkflowArguments('work', schema, { client: instance, options }, []);
    expect(checked.options).toBe(options);
    expect(checked.client.instance).toBe(instance);
  });

  it('a misspelt key: "path: unknown option", with the likeliest name, first', () => {
    expect(issuesOf({ limitMS: 5, limitMs: 0, zzzzzz: 1 })).toEqual([
      'work: limitMS: unknown option (did you mean limitMs?)',
      'work: zzzzzz: unknown option',
      'work: limitMs must be an integer from 1 to 2147483647 (got 0)',
    ]);
  });

  it('a wrong type: "path must be ..."', () => {
    expect(issuesOf({ limitMs: '5', signal: true })).toEqual([
      'work: limitMs must be an integer from 1 to 2147483647 (got 5)',
      'work: signal must be an AbortSignal',
    ]);
    expect(issuesOf(undefined)).toEqual(['work: options must be an object (got undefined)']);
    expect(issuesOf([])).toEqual(['work: options must be an object (got object)']);
  });

  it('a bad number: every bound, and Infinity and NaN', () => {
    expect(issuesOf({ limitMs: 2 ** 31 })).toEqual([
      'work: limitMs must be an integer from 1 to 2147483647 (got 2147483648)',
    ]);
    expect(issuesOf({ limitMs: Number.POSITIVE_INFINITY })).toEqual([
      'work: limitMs must be an integer from 1 to 2147483647 (got Infinity)',
    ]);
    expect(issuesOf({ limitMs: 1 })).toEqual([]);
    expect(issuesOf({ limitMs: 2 ** 31 - 1 })).toEqual([]);
  });

  it('request fields the workflow sets: "path: not allowed (why)", in a fixed order', () => {
    expect(
      issuesOf({ request: { cancelToken: {}, data: 1, url: '/x', method: 'get', params: {}, signal: 1 } }),
    ).toEqual([
      'work: request.url: not allowed (the workflow sets the URL)',
      'work: request.method: not allowed (the workflow sends GET)',
      'work: request.data: not allowed (the workflow sends no body)',
      'work: request.params: not allowed (put the query in the URL)',
      'work: request.signal: not allowed (pass it as the signal option)',
      'work: request.cancelToken: not allowed (pass an AbortSignal as the signal option)',
    ]);
    expect(issuesOf({ request: { url: undefined, headers: {} } })).toEqual([]);
  });

  it('the other arguments first, as given; a long key is cut at 64 characters', () => {
    const long = 'k'.repeat(100);
    expect(issuesOf({ [long]: 1 }, [undefined, 'url must be a non-empty string'])).toEqual([
      'work: url must be a non-empty string',
      `work: ${'k'.repeat(64)}: unknown option`,
    ]);
  });
});

describe('closestName', () => {
  const known = ['size', 'maxPages', 'onPageTimeoutMs'];
  it.each([
    ['SIZE', 'size'],
    ['sise', 'size'],
    ['maxpage', 'maxPages'],
    ['onPageTimeout', 'onPageTimeoutMs'],
    ['sz', undefined],
    ['retryAfter', undefined],
  ])('%s -> %s', (name, expected) => {
    expect(closestName(name, known)).toBe(expected);
  });
});

describe('abortLikeOf', () => {
  it('no signal: never aborted, nothing to remove', () => {
    const never = abortLikeOf(undefined);
    expect(never.aborted).toBe(false);
    expect(typeof never.onAbort(() => undefined)).toBe('function');
  });

  it('a signal: one call per listener, none after its removal, at once when already aborted', () => {
    const controller = new AbortController();
    const like = abortLikeOf(controller.signal);
    const heard: string[] = [];
    const remove = like.onAbort(() => heard.push('removed'));
    like.onAbort(() => heard.push('kept'));
    remove();
    controller.abort();
    controller.abort();
    expect(like.aborted).toBe(true);
    like.onAbort(() => heard.push('late'));
    expect(heard).toEqual(['kept', 'late']);
  });
});
