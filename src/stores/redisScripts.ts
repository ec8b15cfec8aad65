/// <reference path="./lua/lua.d.ts" />
import { createHash } from 'node:crypto';
import extendThrottleDeadline from './lua/extendThrottleDeadline.lua';
import prelude from './lua/prelude.lua';
import rateLimitAcquire from './lua/rateLimitAcquire.lua';
import rateLimitLib from './lua/rateLimitLib.lua';
import rateLimitRecord from './lua/rateLimitRecord.lua';
import refundRetryToken from './lua/refundRetryToken.lua';
import remaining from './lua/remaining.lua';
import setOpenUntil from './lua/setOpenUntil.lua';
import slowStart from './lua/slowStart.lua';
import takeRetryToken from './lua/takeRetryToken.lua';

/** A Lua script with its SHA1, run with EVALSHA (EVAL when the server does not know it yet). */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

/**
 * A script made of `parts` (the texts of files under `./lua/`, inlined into the bundle at build time), each
 * on lines of its own. Every script starts with `prelude.lua` (Redis's clock, key resets, the reply).
 */
function script(name: string, ...parts: string[]): LuaScript {
  const source = [prelude, ...parts].map((part) => (part.endsWith('\n') ? part : `${part}\n`)).join('');
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

// What each script takes and answers is written at the top of its file.

/** `extendThrottleDeadline` (lua/extendThrottleDeadline.lua). */
export const EXTEND_DEADLINE = script('extendThrottleDeadline', extendThrottleDeadline);

/** `getThrottleDeadline` and `getOpenUntil`: the ms left of a deadline key (lua/remaining.lua). */
export const REMAINING = script('remaining', remaining);

/** `setOpenUntil` (lua/setOpenUntil.lua). */
export const SET_OPEN = script('setOpenUntil', setOpenUntil);

/** `takeRetryToken` (lua/takeRetryToken.lua). */
export const TAKE_TOKEN = script('takeRetryToken', takeRetryToken);

/** `refundRetryToken` (lua/refundRetryToken.lua). */
export const REFUND_TOKEN = script('refundRetryToken', refundRetryToken);

/** `LocalRateLimitBackend.acquire` on Redis (lua/rateLimitLib.lua, lua/slowStart.lua, lua/rateLimitAcquire.lua). */
export const RATE_ACQUIRE = script('rateLimit.acquire', rateLimitLib, slowStart, rateLimitAcquire);

/** `LocalRateLimitBackend.record` on Redis (lua/rateLimitLib.lua, lua/slowStart.lua, lua/rateLimitRecord.lua). */
export const RATE_RECORD = script('rateLimit.record', rateLimitLib, slowStart, rateLimitRecord);
