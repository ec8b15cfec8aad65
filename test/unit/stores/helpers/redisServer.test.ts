import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisFixture } from './redisServer.js';

// The Redis tests are reported as skipped without a redis-server, except under CI where they must fail.
describe('RedisFixture without a redis-server', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function missingRedis(): Promise<RedisFixture> {
    vi.stubEnv('PCR_REDIS_URL', '');
    vi.stubEnv('PCR_REDIS_SERVER_BIN', '/nonexistent/redis-server');
    const fixture = new RedisFixture('these tests');
    await fixture.start();
    return fixture;
  }

  it('outside CI: skip is true and get() is undefined', async () => {
    vi.stubEnv('CI', '');
    vi.stubEnv('PCR_REDIS_REQUIRED', '');
    const fixture = await missingRedis();
    expect(fixture.skip).toBe(true);
    expect(fixture.get()).toBeUndefined();
  });

  it.each([
    ['CI', 'true'],
    ['PCR_REDIS_REQUIRED', '1'],
  ])('with %s set: skip is false and get() throws', async (name, value) => {
    vi.stubEnv('CI', '');
    vi.stubEnv('PCR_REDIS_REQUIRED', '');
    vi.stubEnv(name, value);
    const fixture = await missingRedis();
    expect(fixture.skip).toBe(false);
    expect(() => fixture.get()).toThrow(/cannot run in CI/);
  });
});
