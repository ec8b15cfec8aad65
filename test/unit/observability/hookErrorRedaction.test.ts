import { describe, expect, it, vi } from 'vitest';
import type { AccessToken } from '../../../src/index.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { capture } from '../../helpers/settle.js';

useFakeClock();

const CANARY = 'opaque-canary-token-7f3a9c2e5b1d';

describe('a hook that throws', () => {
  it('is logged without the bearer token it quotes (the instance sanitizer knows the token)', async () => {
    const lines: string[] = [];
    const record = (message: string, fields?: Record<string, unknown>) =>
      void lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    const provider = {
      async getToken(): Promise<AccessToken> {
        return { token: CANARY, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const { instance } = attachScripted([{ status: 200 }], {
      tokenProvider: provider,
      logger: { debug: record, info: record, warn: record, error: record },
      hooks: {
        onSuccess: () => {
          throw new Error(`request carried Authorization: Bearer ${CANARY} and token ${CANARY}`);
        },
      },
    });
    const pending = capture(instance.get('/v1/customers'));
    await vi.runAllTimersAsync();
    expect((await pending).value?.status).toBe(200);
    const hookLines = lines.filter((l) => l.includes('hook onSuccess failed'));
    expect(hookLines).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(CANARY);
  });
});
