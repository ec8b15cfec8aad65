import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachResilience, type Logger, type ResilienceOptions } from '../../../src/index.js';
import { type Step, scriptedAdapter } from '../../helpers/scriptedAdapter.js';
import { settle } from '../../helpers/settle.js';

const BASE = 'https://api.partnercenter.microsoft.com';
const PREFIX = 'partner-center-resilience: ';
const CALLER_TOKEN = 'canary-caller-bearer-3d9a61c0';
const PROVIDER_TOKEN = 'canary-provider-bearer-e52b7f18';
const CLIENT_SECRET = 'canary-client-secret-0a4c9e21';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

type Level = 'debug' | 'info' | 'warn' | 'error';
interface Line {
  readonly level: Level;
  readonly args: readonly unknown[];
}

/** console-style: `logger.warn(message, fields)`; `level` as given (default: every line, debug included). */
function consoleLogger(level: Logger['level'] | null = 'debug') {
  const lines: Line[] = [];
  const at =
    (level: Level) =>
    (...args: unknown[]) =>
      void lines.push({ level, args });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    ...(level === null ? {} : { level }),
  };
  return { logger, lines };
}

/** pino-style: `logger.warn(fields, message)`, recognised by its `levels` and `child` members. */
function pinoLogger() {
  const lines: Line[] = [];
  const at =
    (level: Level) =>
    (...args: unknown[]) =>
      void lines.push({ level, args });
  const logger = {
    level: 'debug',
    levels: { values: { debug: 20, info: 30, warn: 40, error: 50 } },
    child: () => logger,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger: logger as unknown as Logger, lines };
}

function setup(steps: Step[], options: ResilienceOptions) {
  const scripted = scriptedAdapter(steps);
  const instance = axios.create({ adapter: scripted.adapter, baseURL: BASE });
  const handle = attachResilience(instance, {
    ...options,
    retry: { jitter: 'none', baseDelayMs: 100, ...options.retry },
  });
  return { ...scripted, instance, handle };
}

/** A script that exercises every logged path: token fetch, 401 refresh, 429 retry, breaker open and close. */
const BREAKER = { strategy: { type: 'consecutive', threshold: 1 }, halfOpenAfterMs: 1000 } as const;

async function exerciseEverything(logger: Logger, hooks: ResilienceOptions['hooks'] = {}) {
  let issued = 0;
  const { instance, hits } = setup(
    [
      { status: 401, headers: { 'www-authenticate': 'OAuth realm=urn:cpsvc:cpid:1' } },
      {
        status: 429,
        headers: { 'retry-after': '1' },
        data: { statusCode: 429, message: `Rate limit; Bearer ${PROVIDER_TOKEN}-1` },
      },
      { status: 200 },
      { status: 500 },
      { status: 200 },
    ],
    {
      logger,
      hooks,
      circuitBreaker: BREAKER,
      tokenProvider: {
        async getToken() {
          issued += 1;
          return { token: `${PROVIDER_TOKEN}-${issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      },
    },
  );
  const config = { headers: { Authorization: `Bearer ${CALLER_TOKEN}` } };
  const first = await settle(instance.get(`/v1/customers?client_secret=${CLIENT_SECRET}&size=1`, config));
  const second = await settle(instance.get('/v1/customers', { ...config, partnerCenter: { retry: false } }));
  vi.advanceTimersByTime(1500);
  const third = await settle(instance.get('/v1/customers', config));
  return { first, second, third, hits };
}

const messages = (lines: readonly Line[], at: number) =>
  lines.map((l) => `${l.level} ${String(l.args[at]).slice(PREFIX.length)}`);

describe('logger', () => {
  it('console style: message first, then fields; logs retries, breaker transitions and token refreshes', async () => {
    const { logger, lines } = consoleLogger();
    const { first, second, third } = await exerciseEverything(logger);
    expect(first.value?.status).toBe(200);
    expect(second.error?.kind).toBe('server');
    expect(third.value?.status).toBe(200);

    for (const line of lines) {
      expect(typeof line.args[0]).toBe('string');
      expect(String(line.args[0]).startsWith(PREFIX)).toBe(true);
      expect(line.args[1] === undefined || typeof line.args[1] === 'object').toBe(true);
    }
    const text = messages(lines, 0);
    expect(text).toContain('debug token initial refresh success');
    expect(text).toContain('debug token forced refresh success');
    expect(text).toContain('debug retrying');
    expect(text).toContain('warn circuit breaker of scope partner opened');
    expect(text).toContain('info circuit breaker of scope partner closed');
    const retrying = lines.find((l) => String(l.args[0]) === `${PREFIX}retrying`);
    expect(retrying?.args[1]).toMatchObject({ attempt: 1, status: 429, kind: 'throttled', scope: 'partner' });
  });

  it('pino style (has levels and child): fields first, then the message', async () => {
    const { logger, lines } = pinoLogger();
    await exerciseEverything(logger);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(typeof line.args[0]).toBe('object');
      expect(line.args[0]).not.toBeNull();
      expect(String(line.args[1]).startsWith(PREFIX)).toBe(true);
    }
    expect(messages(lines, 1)).toContain('warn circuit breaker of scope partner opened');
  });

  it('logs a hook failure as a warn line unless onHookError takes it', async () => {
    const failing = () => {
      throw new Error('hook exploded');
    };
    const { logger, lines } = consoleLogger();
    const { instance } = setup([{ status: 503 }, { status: 200 }], { logger, hooks: { onRetry: failing } });
    expect((await settle(instance.get('/v1/customers'))).value?.status).toBe(200);
    const warn = lines.find((l) => l.level === 'warn' && String(l.args[0]).includes('hook onRetry failed'));
    expect(warn?.args[1]).toEqual({ hook: 'onRetry', error: 'hook exploded' });

    const taken: string[] = [];
    const quiet = consoleLogger();
    const other = setup([{ status: 503 }, { status: 200 }], {
      logger: quiet.logger,
      hooks: { onRetry: failing, onHookError: (e) => void taken.push(e.hook) },
    });
    await settle(other.instance.get('/v1/customers'));
    expect(taken).toEqual(['onRetry']);
    expect(quiet.lines.some((l) => String(l.args[0]).includes('hook'))).toBe(false);
  });

  it('without a logger a hook failure becomes a process warning', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { instance } = setup([{ status: 503 }, { status: 200 }], {
      hooks: {
        onRetry: () => {
          throw new Error('hook exploded');
        },
      },
    });
    expect((await settle(instance.get('/v1/customers'))).value?.status).toBe(200);
    expect(emitWarning).toHaveBeenCalledTimes(1);
    expect(String(emitWarning.mock.calls[0]?.[0])).toContain('hook onRetry failed');
  });

  it('without a logger nor process.emitWarning (browsers, edge runtimes) it goes to console.warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const original = process.emitWarning;
    Object.defineProperty(process, 'emitWarning', { value: undefined, configurable: true, writable: true });
    try {
      const { instance } = setup([{ status: 503 }, { status: 200 }], {
        hooks: {
          onRetry: () => {
            throw new Error('hook exploded');
          },
        },
      });
      expect((await settle(instance.get('/v1/customers'))).value?.status).toBe(200);
    } finally {
      Object.defineProperty(process, 'emitWarning', { value: original, configurable: true, writable: true });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('hook onRetry failed');
  });

  it('a logger that throws never changes a call outcome', async () => {
    const boom = () => {
      throw new Error('logger down');
    };
    const throwing: Logger = { debug: boom, info: boom, warn: boom, error: boom };
    const pinoThrowing = { ...throwing, levels: {}, child: () => pinoThrowing } as unknown as Logger;
    const baseline = await exerciseEverything(consoleLogger().logger);
    for (const logger of [throwing, pinoThrowing]) {
      const hookFailure = () => {
        throw new Error('hook down too');
      };
      const run = await exerciseEverything(logger, { onRetry: hookFailure, onBreak: hookFailure });
      expect(run.first.value?.status).toBe(baseline.first.value?.status);
      expect(run.second.error?.kind).toBe(baseline.second.error?.kind);
      expect(run.second.error?.status).toBe(baseline.second.error?.status);
      expect(run.third.value?.status).toBe(baseline.third.value?.status);
      expect(run.hits.length).toBe(baseline.hits.length);
    }
  });

  it('no log line carries a bearer token or a client secret', async () => {
    for (const { logger, lines } of [consoleLogger(), pinoLogger()]) {
      const { hits } = await exerciseEverything(logger);
      // the secrets really were sent
      expect(hits.some((h) => h.headers['authorization']?.includes(PROVIDER_TOKEN))).toBe(true);
      expect(hits[0]?.url).toContain(CLIENT_SECRET);
      const text = JSON.stringify(lines.map((l) => l.args));
      expect(lines.length).toBeGreaterThan(3);
      for (const canary of [CALLER_TOKEN, PROVIDER_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(canary);
    }
  });

  describe('levels', () => {
    const levelsOf = (lines: readonly Line[]) => [...new Set(lines.map((l) => l.level))].sort();

    it('without a level (console): info, warn and error lines, no debug line', async () => {
      const { logger, lines } = consoleLogger(null);
      await exerciseEverything(logger);
      expect(levelsOf(lines)).toEqual(['info', 'warn']);
    });

    it('the real console: console.debug is not called unless the logger asks for debug', async () => {
      const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
      const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        await exerciseEverything(console);
        expect(debug).not.toHaveBeenCalled();
        expect(warn).toHaveBeenCalled();
        await exerciseEverything({ ...console, level: 'debug' });
        expect(debug).toHaveBeenCalledWith(`${PREFIX}retrying`, expect.objectContaining({ attempt: 1 }));
      } finally {
        debug.mockRestore();
        info.mockRestore();
        warn.mockRestore();
      }
    });

    const broken = (): never => {
      throw new Error('level() broke');
    };
    const cases: ReadonlyArray<readonly [string, Logger['level'], readonly Level[]]> = [
      ['trace', 'trace', ['debug', 'info', 'warn']],
      ['debug', 'debug', ['debug', 'info', 'warn']],
      ['info', 'info', ['info', 'warn']],
      ['WARN (any case)', 'WARN', ['warn']],
      ['error', 'error', []],
      ['fatal', 'fatal', []],
      ['silent', 'silent', []],
      ['verbose (unknown: the default)', 'verbose', ['info', 'warn']],
      ['20 (pino/bunyan debug)', 20, ['debug', 'info', 'warn']],
      ['40 (pino/bunyan warn)', 40, ['warn']],
      ['a function returning 20 (bunyan level())', () => 20, ['debug', 'info', 'warn']],
      ["a function returning 'warn'", () => 'warn', ['warn']],
      ['a function that throws (the default)', broken, ['info', 'warn']],
    ];
    it.each(cases)('level %s writes %j', async (_title, level, expected) => {
      const { logger, lines } = consoleLogger(level);
      await exerciseEverything(logger);
      expect(levelsOf(lines)).toEqual(expected);
    });

    it('is read at each line: a change applies at once', async () => {
      const mutable: { level: string } & Logger = { ...consoleLogger('warn').logger, level: 'warn' };
      const lines: string[] = [];
      mutable.debug = (m) => void lines.push(`debug ${m}`);
      mutable.warn = (m) => void lines.push(`warn ${m}`);
      const { instance } = setup([{ status: 503 }, { status: 200 }, { status: 503 }, { status: 200 }], {
        logger: mutable,
      });
      await settle(instance.get('/v1/customers'));
      expect(lines).toEqual([]);
      mutable.level = 'debug';
      await settle(instance.get('/v1/customers'));
      expect(lines).toEqual([`debug ${PREFIX}retrying`]);
    });
  });
});
