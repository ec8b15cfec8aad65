import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MEASURE_BUCKET_MS } from '../../../src/policies/rateLimiter/measuredRate.js';
import {
  SLOW_START_GAIN,
  SLOW_START_HISTORY,
  SLOW_START_MAX_RATE,
  SLOW_START_RATE,
  SLOW_START_RESTARTS,
  SLOW_START_RESUME,
} from '../../../src/policies/rateLimiter/slowStart.js';
import {
  EXTEND_DEADLINE,
  type LuaScript,
  RATE_ACQUIRE,
  RATE_RECORD,
  REFUND_TOKEN,
  REMAINING,
  SET_OPEN,
  TAKE_TOKEN,
} from '../../../src/stores/redisScripts.js';
import { connectClient, RedisFixture } from './helpers/redisServer.js';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../src/stores/lua');
const lua = (file: string): string => readFileSync(join(LUA_DIR, file), 'utf8');

/** Each script and the files it is made of, in order. */
const SCRIPTS: ReadonlyArray<readonly [LuaScript, readonly string[]]> = [
  [EXTEND_DEADLINE, ['prelude.lua', 'extendThrottleDeadline.lua']],
  [REMAINING, ['prelude.lua', 'remaining.lua']],
  [SET_OPEN, ['prelude.lua', 'setOpenUntil.lua']],
  [TAKE_TOKEN, ['prelude.lua', 'takeRetryToken.lua']],
  [REFUND_TOKEN, ['prelude.lua', 'refundRetryToken.lua']],
  [RATE_ACQUIRE, ['prelude.lua', 'rateLimitLib.lua', 'slowStart.lua', 'rateLimitAcquire.lua']],
  [RATE_RECORD, ['prelude.lua', 'rateLimitLib.lua', 'slowStart.lua', 'rateLimitRecord.lua']],
];

const fixture = new RedisFixture('the Lua script tests');
const clients: Redis[] = [];

await fixture.start();

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await fixture.stop();
});

describe('the Redis store scripts (src/stores/lua/*.lua)', () => {
  it.each(SCRIPTS.map(([script, files]) => [script.name, script, files] as const))(
    '%s is its files as they are on disk, one after the other, with its SHA1',
    (_name, script, files) => {
      expect(script.source).toBe(files.map(lua).join(''));
      expect(script.sha1).toBe(createHash('sha1').update(script.source).digest('hex'));
    },
  );

  it('every .lua file is part of a script, and every script has its own name', () => {
    const used = new Set(SCRIPTS.flatMap(([, files]) => files));
    const onDisk = readdirSync(LUA_DIR).filter((file) => file.endsWith('.lua'));
    expect(onDisk.sort()).toEqual([...used].sort());
    expect(new Set(SCRIPTS.map(([script]) => script.name)).size).toBe(SCRIPTS.length);
  });

  it("slowStart.lua's constants are slowStart.ts's", () => {
    const source = lua('slowStart.lua');
    const constant = (name: string) => Number(new RegExp(`^local ${name} = (\\S+)$`, 'm').exec(source)?.[1]);
    expect(constant('SLOW_START_RATE')).toBe(SLOW_START_RATE);
    expect(constant('SLOW_START_GAIN')).toBe(SLOW_START_GAIN);
    expect(constant('SLOW_START_MAX_RATE')).toBe(SLOW_START_MAX_RATE);
    expect(constant('SLOW_START_RESUME')).toBe(SLOW_START_RESUME);
    expect(constant('SLOW_START_HISTORY')).toBe(SLOW_START_HISTORY);
    expect(constant('SLOW_START_RESTARTS')).toBe(SLOW_START_RESTARTS);
    expect(constant('SLOW_START_MIN_SPAN_MS')).toBe(MEASURE_BUCKET_MS);
  });

  it('each file ends its last line, so that the next file starts on a line of its own', () => {
    for (const file of readdirSync(LUA_DIR).filter((name) => name.endsWith('.lua'))) {
      expect(lua(file).endsWith('\n'), file).toBe(true);
    }
  });

  it.skipIf(fixture.skip)('redis-server compiles every script, under the SHA1 the store sends', async () => {
    const redis = fixture.get();
    if (!redis) throw new Error('no redis');
    const client = await connectClient(redis, { commandTimeout: 10_000 });
    clients.push(client);
    for (const [script] of SCRIPTS) {
      expect(await client.script('LOAD', script.source), script.name).toBe(script.sha1);
    }
    // A script answers with EVALSHA once loaded: remaining on a key nobody wrote is -1.
    const key = `pcr-scripts-test-${randomUUID().slice(0, 8)}:{s}:throttle`;
    expect(await client.evalsha(REMAINING.sha1, 1, key)).toBe(-1);
  });
});
